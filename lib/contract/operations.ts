/**
 * The operations API's names and bodies (webhooks, API tokens, audit log), shared by the server
 * and the /admin island: event names, token scopes, and the zod schemas the routes validate with.
 */
import { z } from "zod";

export const WEBHOOK_EVENTS = [
  "conversation.created",
  "message.created",
  "conversation.handoff",
  "conversation.assigned",
  "conversation.resolved",
  "rating.created",
] as const;
export type WebhookEvent = typeof WEBHOOK_EVENTS[number];

export const TOKEN_SCOPES = [
  "conversations:read",
  "conversations:write",
  "customers:read",
  "customers:write",
  "webhooks:manage",
  "admin",
] as const;
export type TokenScope = typeof TOKEN_SCOPES[number];

export const webhookBody = z.strictObject({
  url: z.string().trim().min(1).max(2000),
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1, "must name at least one event").max(16),
  includePrivate: z.boolean().optional(),
});

export const tokenBody = z.strictObject({
  name: z.string().trim().min(1, "must not be empty").max(80),
  scopes: z.array(z.enum(TOKEN_SCOPES)).min(1, "must name at least one scope").max(16),
});

export const auditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** The `next` of the previous page (an entry's id). */
  cursor: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, "must be a `next` from this list")
    .optional(),
});

export const deliveriesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** What a webhook looks like to admins (never its secret). */
export interface Webhook {
  id: string;
  url: string;
  events: WebhookEvent[];
  includePrivate: boolean;
  createdAt: string;
}

export interface ApiToken {
  id: string;
  name: string;
  scopes: TokenScope[];
  createdAt: string;
  lastUsedAt: string | null;
}

/** A delivery as /admin lists it. */
export interface DeliverySummary {
  id: string;
  kind: "webhook" | "email";
  event: string;
  /** The webhook's URL, or the email's address. */
  target: string;
  status: "pending" | "delivered" | "failed" | "skipped";
  attempts: number;
  createdAt: string;
  lastError: string | null;
  lastStatus: number | null;
}

export interface AuditEntryView {
  at: string;
  actorId: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
}
