/**
 * One zod schema per HTTP body and query string, shared by the server and the islands. The
 * WebSocket frames are in ./frames.ts.
 */
import { z } from "zod";
import { MAX_RATING_COMMENT } from "./types.ts";
import {
  isInvisible,
  longerThan,
  MAX_MESSAGE_LENGTH,
  MAX_NAME_LENGTH,
  MAX_NAME_UNITS,
} from "./text.ts";

const VISIBLE = "must contain visible characters (not only spaces, zero-width or direction marks)";

/** A name: 1 to 80 characters as people count them, not all invisible. */
const name = z.string().trim().min(1, "must not be empty")
  .max(MAX_NAME_UNITS, `must be at most ${MAX_NAME_LENGTH} characters`)
  .refine((s) => !longerThan(s, MAX_NAME_LENGTH), `must be at most ${MAX_NAME_LENGTH} characters`)
  .refine((s) => !isInvisible(s), VISIBLE);
const email = z.email("must be an email address").max(254);
const password = z.string().min(8, "must be at least 8 characters").max(256);
/**
 * Every id Parley makes is a ULID (lib/ids.ts): 26 characters of Crockford's base32. Anything
 * else names nothing, and is refused at the edge (404 in a path, 400 in a body or frame) before
 * it reaches a KV key (keys over 2 KiB make Deno KV throw).
 */
export const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
export const isId = (value: string): boolean => ULID.test(value);
export const id = z.string().regex(ULID, "must be an id (26 characters, as Parley gives them)");
/**
 * Length is checked separately (lib/chat/chat.ts) so an oversize text gets 413 `too_large`, not
 * 400.
 */
export const messageText = z.string().trim().min(1, "must not be empty")
  .refine((s) => s === "" || !isInvisible(s), VISIBLE);
export const clientId = z.string().min(1).max(100);

/** An IANA time zone the runtime knows ("Europe/Paris"), as browsers report it. */
export const timeZone = z.string().min(1).max(64).refine((tz) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, "must be an IANA time zone, e.g. Europe/Paris");
export const guestBody = z.strictObject({ name: name.optional(), timeZone: timeZone.optional() });
export const registerBody = z.strictObject({ name, email, password });
export const loginBody = z.strictObject({
  email: z.string().max(254),
  password: z.string().max(256),
});
export const createAgentBody = z.strictObject({
  name,
  email,
  password,
  role: z.enum(["agent", "admin"]),
});
export const claimBody = z.strictObject({ guestToken: z.string().min(1).max(200) });
export const statusBody = z.strictObject({ status: z.enum(["available", "busy", "offline"]) });
/** PUT /api/agents/:id (admin): capacity null = back to the default. */
export const agentPatchBody = z.strictObject({
  status: z.enum(["available", "busy", "offline"]).optional(),
  capacity: z.number().int().min(1).max(1000).nullable().optional(),
}).refine((b) => b.status !== undefined || b.capacity !== undefined, {
  message: "give status and/or capacity",
  path: ["status"],
});
export const metricsQuery = z.object({ since: z.iso.datetime({ offset: true }).optional() });
/** At most this many files in one message (each is one checked mutation in its commit). */
export const MAX_ATTACHMENTS_PER_MESSAGE = 5;
/** A message: text, or files uploaded first (POST /api/conversations/:id/attachments), or both. */
export const sendBody = z.strictObject({
  text: z.string().trim().refine((s) => s === "" || !isInvisible(s), VISIBLE).default(""),
  clientId: clientId.optional(),
  attachmentIds: z.array(id).min(1).max(MAX_ATTACHMENTS_PER_MESSAGE).optional()
    .refine((ids) => !ids || new Set(ids).size === ids.length, "must not repeat an id"),
  /** A private note (agents and admins; a customer gets 403). */
  private: z.boolean().optional(),
}).refine((b) => b.text !== "" || (b.attachmentIds?.length ?? 0) > 0, {
  message: "must not be empty (send text, attachmentIds, or both)",
  path: ["text"],
});
/** POST /api/conversations/:id/snooze: until a time in the future, or (absent) the customer's
 * next message. */
export const snoozeBody = z.strictObject({
  until: z.iso.datetime({ offset: true }).optional(),
});
export const transferBody = z.strictObject({ agentId: id });
export const readReceiptBody = z.strictObject({ seq: z.number().int().min(0) });
/** A label as lists filter on it (the labels themselves are set by agents). */
export const label = z.string().trim().min(1, "must not be empty").max(64);
export const listFilterQuery = z.object({
  status: z.enum(["open", "resolved", "snoozed"]).optional(),
  mode: z.enum(["bot", "waiting", "human"]).optional(),
  assignee: z.union([z.literal("me"), id], "must be me or an agent's id").optional(),
  label: label.optional(),
});
/** GET /api/conversations: the filters, and a page (`next` of the previous one as `cursor`). */
export const listQuery = listFilterQuery.extend({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(400).optional(),
});
/** GET /api/search: the words to find (a longer query is a 400 naming `q`). */
export const MAX_SEARCH_QUERY = 500;
export const searchQuery = z.object({
  q: z.string().trim().min(1, "must not be empty")
    .max(MAX_SEARCH_QUERY, `must be at most ${MAX_SEARCH_QUERY} characters`),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
export const messagesQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

/**
 * "field: problem; field: problem" — the failing fields named, for 400s and error frames. `root`
 * names the value itself (and prefixes the fields) when it is not the whole body.
 */
export function describeIssues(error: z.ZodError, root?: string): string {
  return error.issues.slice(0, 5).map((i) => {
    const path = [...(root ? [root] : []), ...i.path].join(".") || "body";
    return `${path}: ${i.message}`;
  }).join("; ");
}

export { MAX_MESSAGE_LENGTH };

/** PUT /api/settings/:name: the new value (checked by the setting's own schema), and optionally
 * the revision it was based on (a stale one → 409). */
export const settingBody = z.strictObject({
  value: z.unknown(),
  revision: z.number().int().min(0).optional(),
});

/** The name and email rules, for the website widget's bodies (./widget.ts). */
export { email as emailField, name as nameField };

/** POST /api/conversations/:id/rating: CSAT, 1 to 5, and an optional comment. */
export const ratingBody = z.strictObject({
  score: z.number().int("must be a whole number from 1 to 5").min(1, "must be 1 to 5")
    .max(5, "must be 1 to 5"),
  comment: z.string().trim().max(
    MAX_RATING_COMMENT,
    `must be at most ${MAX_RATING_COMMENT} characters`,
  )
    .optional(),
});

/** A UTC day, YYYY-MM-DD, that exists. */
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date, YYYY-MM-DD")
  .refine((s) =>
    !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) &&
    new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), "must be a real date");

/** GET /api/reports: a range of UTC days (default the last 30) and the format. */
export const reportsQuery = z.object({
  from: day.optional(),
  to: day.optional(),
  format: z.enum(["json", "csv"]).default("json"),
});
