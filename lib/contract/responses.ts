/**
 * zod schemas of the API's response bodies, for the OpenAPI document (lib/http/openapi.ts). They
 * describe what the TypeScript types in ./types.ts and ./operations.ts promise; objects are loose
 * (extensions may add fields, never rename). tests/openapi_test.ts checks real responses
 * against the document made from them.
 */
import { z } from "zod";
import { TOKEN_SCOPES, WEBHOOK_EVENTS } from "./operations.ts";

const iso = z.string().describe("ISO-8601 time");
const id = z.string().describe("a ULID");
const role = z.enum(["guest", "customer", "agent", "admin"]);
const agentStatus = z.enum(["available", "busy", "offline"]);
const sender = z.enum(["customer", "bot", "agent", "system"]);

export const errorResponse = z.object({
  error: z.object({
    code: z.enum([
      "bad_request",
      "unauthorized",
      "forbidden",
      "not_found",
      "conflict",
      "too_large",
      "rate_limited",
      "internal",
      "unavailable",
    ]),
    message: z.string(),
  }),
});

export const user = z.looseObject({
  id,
  name: z.string(),
  email: z.string().optional(),
  role,
  createdAt: iso,
  externalId: z.string().optional(),
  status: agentStatus.optional(),
  activeConversations: z.number().int().optional(),
});

export const conversation = z.looseObject({
  id,
  customerId: id,
  customerName: z.string(),
  status: z.enum(["open", "resolved"]),
  mode: z.enum(["bot", "waiting", "human"]),
  assigneeId: id.nullable(),
  assigneeName: z.string().nullable(),
  createdAt: iso,
  updatedAt: iso,
  lastSeq: z.number().int(),
  lastMessage: z.looseObject({ sender, authorName: z.string(), text: z.string(), createdAt: iso })
    .nullable(),
  waitingSince: iso.nullable(),
  labels: z.array(z.string()).optional(),
  unread: z.number().int().optional(),
});

export const message = z.looseObject({
  id,
  conversationId: id,
  seq: z.number().int().min(1),
  sender,
  authorId: z.string(),
  authorName: z.string(),
  text: z.string(),
  createdAt: iso,
  clientId: z.string().optional(),
  private: z.boolean().optional(),
});

export const webhook = z.object({
  id,
  url: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENTS)),
  includePrivate: z.boolean(),
  createdAt: iso,
});

export const apiToken = z.object({
  id,
  name: z.string(),
  scopes: z.array(z.enum(TOKEN_SCOPES)),
  createdAt: iso,
  lastUsedAt: iso.nullable(),
});

export const delivery = z.object({
  id,
  kind: z.enum(["webhook", "email"]),
  event: z.string(),
  target: z.string(),
  status: z.enum(["pending", "delivered", "failed", "skipped"]),
  attempts: z.number().int(),
  createdAt: iso,
  lastError: z.string().nullable(),
  lastStatus: z.number().int().nullable(),
});

export const auditEntry = z.object({
  at: iso,
  actorId: z.string(),
  action: z.string(),
  target: z.string(),
  details: z.record(z.string(), z.unknown()),
});

const counts = z.looseObject({
  open: z.number().int(),
  resolved: z.number().int(),
  bot: z.number().int(),
  waiting: z.number().int(),
  human: z.number().int(),
  mine: z.number().int(),
});

export const responses = {
  session: z.object({ user, token: z.string() }),
  user: z.object({ user }),
  agents: z.object({ agents: z.array(user) }),
  conversationPage: z.looseObject({
    conversations: z.array(conversation),
    next: z.string().nullable(),
    counts: counts.optional(),
  }),
  counts: z.object({ counts }),
  conversation: z.looseObject({ conversation }),
  messages: z.object({ messages: z.array(message) }),
  message: z.looseObject({ message }),
  webhookCreated: z.object({ webhook, secret: z.string() }),
  webhooks: z.object({ webhooks: z.array(webhook) }),
  deliveries: z.object({ deliveries: z.array(delivery) }),
  delivery: z.object({ delivery }),
  tokenCreated: z.object({
    token: z.object({ id, name: z.string(), scopes: z.array(z.enum(TOKEN_SCOPES)) }),
    secret: z.string(),
  }),
  tokens: z.object({ tokens: z.array(apiToken) }),
  audit: z.object({ entries: z.array(auditEntry), next: z.string().nullable() }),
  queued: z.object({ queued: z.literal(true), to: z.string() }),
  health: z.looseObject({ ok: z.boolean() }),
  /** Bodies not modelled in detail here: a JSON object (see the README's API table). */
  object: z.looseObject({}),
};
