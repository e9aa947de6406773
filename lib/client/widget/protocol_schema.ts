/**
 * The widget's postMessage shapes (./protocol.ts) as zod schemas, for the panel. `zod/mini` keeps
 * the panel's bundle small (tree-shaken checks); protocol_test.ts checks these schemas accept
 * exactly what the loader's hand-written validators accept.
 */
import * as z from "zod/mini";
import { MAX_EXTERNAL_ID_LENGTH, USER_HASH_PATTERN } from "../../contract/widget_rules.ts";
import type { FrameMessage, HostMessage } from "./protocol.ts";
import { LIMITS, STORE_NAMES } from "./protocol.ts";

const text = (max: number, min = 0) => z.string().check(z.minLength(min), z.maxLength(max));
const tag = { parley: z.literal(1) };
const stored = z.nullable(text(LIMITS.stored));

export const hostMessageSchema: z.ZodMiniType<HostMessage> = z.discriminatedUnion("type", [
  z.strictObject({ ...tag, type: z.literal("state"), open: z.boolean(), fullscreen: z.boolean() }),
  z.strictObject({
    ...tag,
    type: z.literal("identify"),
    userId: text(MAX_EXTERNAL_ID_LENGTH, 1),
    name: z.optional(text(LIMITS.name, 1)),
    email: z.optional(text(LIMITS.email, 3)),
    userHash: z.string().check(z.regex(USER_HASH_PATTERN)),
  }),
  z.strictObject({ ...tag, type: z.literal("logout") }),
  z.strictObject({ ...tag, type: z.literal("focus") }),
  z.strictObject({
    ...tag,
    type: z.literal("stored"),
    values: z.strictObject({ token: stored, conversation: stored, prechat: stored }),
  }),
]);

export const frameMessageSchema: z.ZodMiniType<FrameMessage> = z.union([
  z.strictObject({ ...tag, type: z.enum(["ready", "close"]) }),
  z.strictObject({
    ...tag,
    type: z.literal("unread"),
    count: z.int().check(z.minimum(0), z.maximum(LIMITS.unread)),
  }),
  z.strictObject({
    ...tag,
    type: z.literal("message"),
    conversationId: text(LIMITS.id, 1),
    sender: z.enum(["bot", "agent"]),
    authorName: text(LIMITS.authorName),
    createdAt: text(LIMITS.time),
  }),
  z.strictObject({ ...tag, type: z.literal("session"), active: z.boolean() }),
  z.strictObject({
    ...tag,
    type: z.literal("identity"),
    ok: z.literal(true),
    externalId: text(MAX_EXTERNAL_ID_LENGTH, 1),
    name: text(LIMITS.name),
  }),
  z.strictObject({
    ...tag,
    type: z.literal("identity"),
    ok: z.literal(false),
    code: text(LIMITS.code),
    message: text(LIMITS.message),
  }),
  z.strictObject({ ...tag, type: z.literal("store"), name: z.enum(STORE_NAMES), value: stored }),
]) as z.ZodMiniType<FrameMessage>;
