/** Request bodies and query strings, validated with zod: a failure is a 400 naming the fields. */
import type { Context, MiddlewareHandler } from "hono";
import type { z } from "zod";
import { badRequest } from "../errors.ts";
import { describeIssues } from "../contract/schemas.ts";

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
