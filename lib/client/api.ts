/**
 * Browser-side HTTP helper for the islands: JSON in and out, the session cookie rides along, and
 * every failure becomes an `ApiError` whose message can be shown to a person as it is.
 */

import type { Attachment } from "../contract/types.ts";

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/**
 * `fetch` a JSON endpoint of our API; throws `ApiError` on any non-2xx or network failure. With
 * `token`, the request carries it as `Authorization: Bearer` and no cookie (the website widget's
 * panel, a third-party frame where cookies are blocked).
 */
export async function api<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
  { token }: { token?: string | null } = {},
): Promise<T> {
  let response: Response;
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (token) headers.authorization = `Bearer ${token}`;
  try {
    response = await fetch(path, {
      method,
      credentials: token === undefined ? "same-origin" : "omit",
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "network", "Can't reach Parley. Check your connection and try again.");
  }
  const text = await response.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // A proxy's HTML error page, say; reported below by status.
  }
  if (!response.ok) {
    const error = (data as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(
      response.status,
      error?.code ?? "internal",
      error?.message ?? `Something went wrong (HTTP ${response.status}). Please try again.`,
    );
  }
  return data as T;
}

/** A random id for idempotent sends (the server dedupes by clientId). */
export function newClientId(): string {
  return crypto.randomUUID();
}

/** Headers and credentials for a request as `api` makes them (a Bearer token, or the cookie). */
function authInit(token: string | null | undefined): RequestInit & { headers: Headers } {
  const headers = new Headers();
  if (token) headers.set("authorization", `Bearer ${token}`);
  return { credentials: token === undefined ? "same-origin" : "omit", headers };
}

/** Uploads one file (multipart field `file`) to a conversation; errors as `api`'s. */
export async function uploadFile(
  conversationId: string,
  file: File,
  { token }: { token?: string | null } = {},
): Promise<Attachment> {
  const form = new FormData();
  form.append("file", file);
  let response: Response;
  try {
    response = await fetch(`/api/conversations/${conversationId}/attachments`, {
      ...authInit(token),
      method: "POST",
      body: form,
    });
  } catch {
    throw new ApiError(0, "network", "Can't reach Parley. Check your connection and try again.");
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    throw new ApiError(
      response.status,
      data?.error?.code ?? "internal",
      data?.error?.message ?? `The upload failed (HTTP ${response.status}). Please try again.`,
    );
  }
  return data.attachment as Attachment;
}

/** A file's bytes as a Blob (then an object URL: the widget's panel has no cookie). */
export async function fetchFile(id: string, token?: string | null): Promise<Blob> {
  const response = await fetch(`/api/attachments/${id}`, authInit(token));
  if (!response.ok) throw new ApiError(response.status, "not_found", "The file is not available.");
  return await response.blob();
}

/** The browser's IANA time zone, if it reports one (the server validates it). */
export function browserTimeZone(): string | undefined {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
  } catch {
    return undefined;
  }
}
