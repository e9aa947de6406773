/**
 * Request bodies, query strings and path ids, validated: a bad body or query is a 400 naming the
 * fields, an id of the wrong shape in a path a 404 (it names nothing).
 */
import type { Context, MiddlewareHandler } from "hono";
import type { z } from "zod";
import { badRequest, notFound } from "../errors.ts";
import { describeIssues, isId } from "../contract/schemas.ts";

/** Parses the JSON body with `schema`; a malformed body or failing fields → 400 naming them. */
export async function readBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  let raw: unknown = {};
  const text = await c.req.text();
  if (text.trim() !== "") {
    try {
      raw = JSON.parse(text);
    } catch {
      throw badRequest("body: not valid JSON");
    }
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw badRequest(describeIssues(parsed.error));
  return parsed.data;
}

export function readQuery<T extends z.ZodType>(c: Context, schema: T): z.infer<T> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw badRequest(describeIssues(parsed.error));
  return parsed.data;
}

/**
 * Middleware for routes with an `:id` path parameter: anything but an id's shape (a ULID) is
 * `what` not found (404), before any handler or KV read sees it.
 */
export function idParam(what: string, param = "id"): MiddlewareHandler {
  return async function idParam(c, next) {
    if (!isId(c.req.param(param) ?? "")) throw notFound(what);
    await next();
  };
}

/** A path for logs and error messages: long ones are cut (an attacker chooses its length). */
export function shortPath(path: string, max = 200): string {
  return path.length <= max ? path : `${path.slice(0, max)}… (${path.length} characters)`;
}

/**
 * Middleware: a body must be sent as `application/json` (none at all is fine). A cross-site HTML
 * form can only send `text/plain`, `application/x-www-form-urlencoded` or `multipart/form-data`
 * without a CORS preflight, so this refuses login CSRF even from a browser that omits `Origin`.
 */
export function jsonBodiesOnly(): MiddlewareHandler {
  return async function jsonBodiesOnly(c, next) {
    const type = c.req.header("content-type");
    const hasBody = Number(c.req.header("content-length") ?? 0) > 0 ||
      c.req.header("transfer-encoding") !== undefined;
    const mediaType = type?.split(";")[0].trim().toLowerCase();
    if ((type !== undefined || hasBody) && mediaType !== "application/json") {
      throw badRequest("Content-Type: send the body as application/json");
    }
    await next();
  };
}
