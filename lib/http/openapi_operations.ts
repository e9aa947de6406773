/**
 * The table of every /api operation for the OpenAPI document (./openapi.ts): its summary, who may
 * call it, and the zod schemas of its body, query and responses — the same schemas the routes
 * validate with (lib/contract/).
 */
import type { z } from "zod";
import * as req from "../contract/schemas.ts";
import * as bot from "../contract/bot.ts";
import * as ops from "../contract/operations.ts";
import * as labels from "../contract/labels.ts";
import * as canned from "../contract/canned.ts";
import { identifyBody, profileBody } from "../contract/widget.ts";
import { responses as res } from "../contract/responses.ts";

export type Schema = z.ZodType;

export interface Operation {
  summary: string;
  /** Who may call it, as the README's API table says. */
  who: string;
  body?: Schema;
  query?: Schema;
  /** Status → body schema (null: no body). */
  responses: Record<number, Schema | null>;
}

const ok = (schema: Schema, status = 200) => ({ [status]: schema });
const none = { 204: null };

export const OPERATIONS: Record<string, Operation> = {
  "POST /api/auth/guest": {
    summary: "A guest identity",
    who: "anyone",
    body: req.guestBody,
    responses: ok(res.session, 201),
  },
  "POST /api/auth/register": {
    summary: "A customer account",
    who: "anyone",
    body: req.registerBody,
    responses: ok(res.session, 201),
  },
  "POST /api/auth/login": {
    summary: "Sign in",
    who: "anyone",
    body: req.loginBody,
    responses: ok(res.session),
  },
  "POST /api/auth/logout": {
    summary: "Sign out (the token stops working)",
    who: "signed in",
    responses: none,
  },
  "GET /api/auth/me": { summary: "The caller", who: "signed in", responses: ok(res.user) },
  "POST /api/auth/claim": {
    summary: "Take over a guest session's conversations",
    who: "customer",
    body: req.claimBody,
    responses: ok(res.object),
  },
  "POST /api/agents": {
    summary: "A new agent or admin",
    who: "admin",
    body: req.createAgentBody,
    responses: ok(res.user, 201),
  },
  "GET /api/agents": {
    summary: "The team, with status and load",
    who: "agent, admin",
    responses: ok(res.agents),
  },
  "PUT /api/agents/me/status": {
    summary: "Set one's own status",
    who: "agent, admin",
    body: req.statusBody,
    responses: ok(res.user),
  },
  "PUT /api/agents/{id}": {
    summary: "Set an agent's status or capacity",
    who: "admin",
    body: req.agentPatchBody,
    responses: ok(res.user),
  },
  "GET /api/customers/{id}": {
    summary: "A customer, their profile and conversations",
    who: "agent, admin",
    responses: ok(res.object),
  },
  "POST /api/conversations": {
    summary: "Start a conversation",
    who: "guest, customer",
    responses: ok(res.conversation, 201),
  },
  "GET /api/conversations": {
    summary: "A page of conversations, newest activity first",
    who: "everyone",
    query: req.listQuery,
    responses: ok(res.conversationPage),
  },
  "GET /api/conversations/counts": {
    summary: "The filter counts",
    who: "agent, admin",
    query: req.listFilterQuery,
    responses: ok(res.counts),
  },
  "GET /api/conversations/{id}": {
    summary: "One conversation",
    who: "its customer, agents",
    responses: ok(res.conversation),
  },
  "POST /api/conversations/{id}/read": {
    summary: "Store the caller's read position",
    who: "its customer, agents",
    body: req.readReceiptBody,
    responses: ok(res.conversation),
  },
  "GET /api/conversations/{id}/messages": {
    summary: "Messages after a seq",
    who: "its customer, agents",
    query: req.messagesQuery,
    responses: ok(res.messages),
  },
  "POST /api/conversations/{id}/messages": {
    summary: "Send a message",
    who: "its customer, agents",
    body: req.sendBody,
    responses: ok(res.message, 201),
  },
  "POST /api/conversations/{id}/handoff": {
    summary: "Ask for a person",
    who: "its customer",
    responses: ok(res.conversation),
  },
  "POST /api/conversations/{id}/takeover": {
    summary: "Take the conversation",
    who: "agents",
    responses: ok(res.conversation),
  },
  "POST /api/conversations/{id}/handback": {
    summary: "Back to the bot",
    who: "the assignee, admins",
    responses: ok(res.conversation),
  },
  "POST /api/conversations/{id}/transfer": {
    summary: "To another agent",
    who: "the assignee, admins",
    body: req.transferBody,
    responses: ok(res.conversation),
  },
  "POST /api/conversations/{id}/resolve": {
    summary: "Resolve",
    who: "its customer, agents",
    responses: ok(res.conversation),
  },
  "POST /api/conversations/{id}/transcript": {
    summary: "Email the transcript to the customer's address",
    who: "its customer",
    responses: ok(res.queued, 202),
  },
  "GET /api/metrics": {
    summary: "Counts and medians over a window",
    who: "admin",
    query: req.metricsQuery,
    responses: ok(res.object),
  },
  "POST /api/conversations/{id}/messages/{seq}/feedback": {
    summary: "Was a bot answer helpful",
    who: "its customer",
    body: bot.feedbackBody,
    responses: ok(res.object, 201),
  },
  "GET /api/conversations/{id}/feedback": {
    summary: "Votes on bot answers",
    who: "its customer, agents",
    responses: ok(res.object),
  },
  "POST /api/conversations/{id}/suggest": {
    summary: "A draft reply",
    who: "agents",
    responses: ok(res.object),
  },
  "GET /api/conversations/{id}/summary": {
    summary: "The handoff summary",
    who: "agents",
    responses: ok(res.object),
  },
  "GET /api/help/articles": {
    summary: "The help center's articles",
    who: "admin",
    responses: ok(res.object),
  },
  "GET /api/help/articles/{slug}": {
    summary: "One article with its source",
    who: "admin",
    responses: ok(res.object),
  },
  "PUT /api/help/articles/{slug}": {
    summary: "Create or replace an article",
    who: "admin",
    body: bot.articleBody,
    responses: { 200: res.object, 201: res.object },
  },
  "DELETE /api/help/articles/{slug}": {
    summary: "Delete an article",
    who: "admin",
    responses: none,
  },
  "POST /api/help/preview": {
    summary: "Render an article",
    who: "admin",
    body: bot.previewBody,
    responses: ok(res.object),
  },
  "GET /api/bot/metrics": {
    summary: "The bot's figures",
    who: "admin",
    query: bot.botMetricsQuery,
    responses: ok(res.object),
  },
  "POST /api/bot/eval": {
    summary: "Run a question set through the built-in bot",
    who: "admin",
    body: bot.evalBody,
    responses: ok(res.object),
  },
  "GET /api/widget/settings": {
    summary: "The widget's public settings",
    who: "anyone",
    responses: ok(res.object),
  },
  "POST /api/widget/identify": {
    summary: "Verified identify",
    who: "anyone",
    body: identifyBody,
    responses: ok(res.object),
  },
  "PUT /api/widget/profile": {
    summary: "Name and contact email",
    who: "guest, customer",
    body: profileBody,
    responses: ok(res.user),
  },
  "GET /api/widget/availability": {
    summary: "Whether anyone is online",
    who: "guest, customer",
    responses: ok(res.object),
  },
  "GET /api/settings/{name}": {
    summary: "A run-time setting",
    who: "admin",
    responses: ok(res.object),
  },
  "PUT /api/settings/{name}": {
    summary: "Change a run-time setting",
    who: "admin",
    body: req.settingBody,
    responses: ok(res.object),
  },
  "POST /api/webhooks": {
    summary: "Register a webhook (the secret is shown only here)",
    who: "admin",
    body: ops.webhookBody,
    responses: ok(res.webhookCreated, 201),
  },
  "GET /api/webhooks": { summary: "The webhooks", who: "admin", responses: ok(res.webhooks) },
  "GET /api/webhooks/deliveries": {
    summary: "Recent deliveries (webhooks and email)",
    who: "admin",
    query: ops.deliveriesQuery,
    responses: ok(res.deliveries),
  },
  "POST /api/webhooks/deliveries/{id}/redeliver": {
    summary: "Send a delivery again (same id)",
    who: "admin",
    responses: ok(res.delivery),
  },
  "DELETE /api/webhooks/{id}": { summary: "Delete a webhook", who: "admin", responses: none },
  "POST /api/tokens": {
    summary: "Create an API token (the secret is shown only here)",
    who: "admin",
    body: ops.tokenBody,
    responses: ok(res.tokenCreated, 201),
  },
  "GET /api/tokens": {
    summary: "The API tokens: names, scopes, last use",
    who: "admin",
    responses: ok(res.tokens),
  },
  "DELETE /api/tokens/{id}": { summary: "Revoke a token at once", who: "admin", responses: none },
  "GET /api/audit": {
    summary: "The audit log, newest first",
    who: "admin",
    query: ops.auditQuery,
    responses: ok(res.audit),
  },
  "POST /api/conversations/{id}/rating": {
    summary: "The customer rates a resolved conversation (1–5, once)",
    who: "the conversation's customer",
    body: req.ratingBody,
    responses: ok(res.object, 201),
  },
  "GET /api/conversations/{id}/rating": {
    summary: "The conversation's rating, if any",
    who: "its customer, agents, admins",
    responses: ok(res.object),
  },
  "GET /api/reports": {
    summary: "Per-day figures (JSON, or CSV with format=csv)",
    who: "admin",
    query: req.reportsQuery,
    responses: ok(res.object),
  },
  "GET /api/customers/{id}/export": {
    summary: "Everything stored about a customer",
    who: "admin",
    responses: ok(res.object),
  },
  "DELETE /api/customers/{id}": {
    summary: "Erase a customer and every record naming them",
    who: "admin",
    responses: none,
  },
  "POST /api/conversations/{id}/snooze": {
    summary: "Snooze until a time, or until the customer writes",
    who: "agents, admins",
    body: req.snoozeBody,
    responses: ok(res.object),
  },
  "DELETE /api/conversations/{id}/snooze": {
    summary: "End a snooze now",
    who: "agents, admins",
    responses: ok(res.object),
  },
  "POST /api/conversations/{id}/attachments": {
    summary: "Upload a file (multipart field `file`); send it with `attachmentIds`",
    who: "the conversation's customer, agents, admins",
    responses: ok(res.object, 201),
  },
  "GET /api/attachments/{id}": {
    summary: "A file's bytes, with nosniff and a sandboxing CSP",
    who: "the conversation's customer, agents, admins",
    responses: { 200: null },
  },
  "PUT /api/conversations/{id}/labels": {
    summary: "Set a conversation's labels",
    who: "agents, admins",
    body: labels.labelsBody,
    responses: ok(res.object),
  },
  "GET /api/labels": {
    summary: "The team's labels and their colours",
    who: "agents, admins",
    responses: ok(res.object),
  },
  "GET /api/canned-replies": {
    summary: "Team replies and the caller's own",
    who: "agents, admins",
    responses: ok(res.object),
  },
  "POST /api/canned-replies": {
    summary: "A canned reply (team: admins; personal: any agent)",
    who: "agents, admins",
    body: canned.cannedBody,
    responses: ok(res.object, 201),
  },
  "PUT /api/canned-replies/{id}": {
    summary: "Change a canned reply",
    who: "its owner; admins for team replies",
    body: canned.cannedBody,
    responses: ok(res.object),
  },
  "DELETE /api/canned-replies/{id}": {
    summary: "Delete a canned reply",
    who: "its owner; admins for team replies",
    responses: none,
  },
  "GET /api/search": {
    summary: "Conversations by message text, customer name or email, newest first",
    who: "agents, admins",
    query: req.searchQuery,
    responses: ok(res.object),
  },
  "GET /api/openapi.json": { summary: "This document", who: "anyone", responses: ok(res.object) },
  "GET /api/docs": { summary: "This document as a page", who: "anyone", responses: { 200: null } },
};
