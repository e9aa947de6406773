/**
 * Builds the Hono app: the edge middleware (errors, body limit, rate limits, authentication,
 * security headers), the API and WebSocket routes, and the pages. Each route module gets only the
 * services it uses.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { compress } from "hono/compress";
import type { Services } from "./services.ts";
import type { AppEnv, Ctx } from "../http/env.ts";
import { authenticate } from "../http/authenticate.ts";
import { rateLimit, waitText } from "../http/rate_limit.ts";
import { sameSiteOnly } from "../http/origin.ts";
import { jsonBodiesOnly, shortPath } from "../http/parse.ts";
import { AppError, errorBody, toErrorBody } from "../errors.ts";
import { isStaff } from "../store/users.ts";
import { authRoutes } from "../../routes/api/auth.ts";
import { agentRoutes } from "../../routes/api/agents.ts";
import { customerRoutes } from "../../routes/api/customers.ts";
import { conversationRoutes } from "../../routes/api/conversations.ts";
import { metricsRoutes } from "../../routes/api/metrics.ts";
import { helpRoutes } from "../../routes/api/help.ts";
import { botRoutes } from "../../routes/api/bot.ts";
import { botConversationRoutes } from "../../routes/api/bot_conversations.ts";
import { wsRoutes } from "../../routes/ws.ts";
import { claimRoutes } from "../../routes/api/claim.ts";
import { type PageDeps, pageRoutes } from "../../routes/pages/mod.tsx";
import { pageSecurityHeaders } from "../../routes/pages/security.ts";
import { islandAssets } from "../islands/serve.ts";
import { widgetApiRoutes } from "../../routes/api/widget.ts";
import { settingsRoutes } from "../../routes/api/settings.ts";
import { conversationLabelRoutes, labelPaletteRoutes } from "../../routes/api/labels.ts";
import { cannedReplyRoutes } from "../../routes/api/canned_replies.ts";
import { searchRoutes } from "../../routes/api/search.ts";
import { widgetFrameHeaders, widgetLoader } from "../../routes/widget.ts";
import { healthCheck } from "./health.ts";
import { webhookRoutes } from "../../routes/api/webhooks.ts";
import { tokenRoutes } from "../../routes/api/tokens.ts";
import { auditRoutes } from "../../routes/api/audit.ts";
import { transcriptRoutes } from "../../routes/api/transcript.ts";
import { tokenScopes } from "../http/scopes.ts";
import { openApiRoutes } from "../../routes/api/openapi.tsx";
import { ratingRoutes } from "../../routes/api/ratings.ts";
import { reportRoutes } from "../../routes/api/reports.ts";
import { attachmentRoutes, uploadRoutes } from "../../routes/api/attachments.ts";

export const MAX_BODY_BYTES = 64 * 1024;

/** `pages` (the islands build and the help center) adds the pages; without it, API only. */
export function createApp(services: Services, pages?: PageDeps): Hono<AppEnv> {
  const { auth, presence, buckets, log } = services;
  const app = new Hono<AppEnv>();
  // Bodies over 1 KiB go out gzipped to clients that accept it (not the WebSocket upgrade).
  app.use(compress());
  app.onError((err, c) => {
    const [status, body] = toErrorBody(err);
    if (err instanceof AppError && err.retryAfterS) {
      c.header("Retry-After", String(err.retryAfterS));
    }
    if (status === 500) {
      log.error("request failed", { path: shortPath(c.req.path), err: String(err).slice(0, 500) });
    }
    return c.json(body, status as 400);
  });
  app.notFound((c) =>
    c.json(errorBody("not_found", `Nothing at ${shortPath(c.req.path, 100)}.`), 404)
  );

  const health = healthCheck(services.store, services.clock);
  app.get("/healthz", async (c) => {
    const result = await health();
    return c.json(result, result.ok ? 200 : 503);
  });

  const authenticated = authenticate({
    resolve: (token) => auth.resolve(token),
    allowedOrigins: services.origins.list,
    // An agent using the API is present (lib/assignment/presence.ts), sockets or not.
    onPrincipal: ({ user }) => {
      if (isStaff(user.role)) void presence.noteActivity(user.id);
    },
  });

  const api = new Hono<AppEnv>();
  const limitBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => c.json(errorBody("too_large", "Request body is over 64 KiB."), 413),
  });
  // File uploads have their own cap (ATTACHMENT_MAX_MB), counted as they stream in.
  const upload = /^\/api\/conversations\/[^/]+\/attachments$/;
  api.use(function bodyLimits(c, next) {
    return upload.test(c.req.path) ? next() : limitBody(c, next);
  });
  // Sign-in endpoints set the session cookie: same site only (login CSRF) and JSON only. Their
  // budget per address is in KV, shared by every instance (routes/api/auth.ts). The widget's
  // identify is called from its panel, a page of this site.
  const sameSite = sameSiteOnly(services.origins.list);
  const jsonOnly = jsonBodiesOnly();
  for (
    const path of [
      "/auth/login",
      "/auth/register",
      "/auth/guest",
      "/auth/claim",
      "/widget/identify",
    ]
  ) {
    api.use(path, sameSite, jsonOnly);
  }
  api.use(
    "/conversations/:id/messages",
    rateLimit({
      buckets: buckets.ipFrames,
      key: services.clientAddress,
      message: "Too many messages from your address; slow down and retry.",
    }),
  );
  api.use(authenticated);
  // API tokens reach only the routes their scopes name (lib/http/scopes.ts).
  api.use(tokenScopes());
  // Floods of new conversations and handoffs: per user (after authentication) and per address.
  const byUser = (c: Ctx) => c.var.principal?.user.id ?? services.clientAddress(c);
  const started = (s: number) =>
    `You have started many conversations in a short time. Carry on in the one you have open, ` +
    `or try again in ${waitText(s)}.`;
  api.use(
    "/conversations",
    rateLimit({ buckets: buckets.conversations, key: byUser, message: started }),
    rateLimit({ buckets: buckets.ipConversations, key: services.clientAddress, message: started }),
  );
  const handoffs = (s: number) =>
    `You have asked for a person many times in a short time. Please try again in ${
      waitText(s)
    }; the assistant can keep helping meanwhile.`;
  api.use(
    "/conversations/:id/handoff",
    rateLimit({ buckets: buckets.handoffs, key: byUser, message: handoffs }),
    rateLimit({ buckets: buckets.ipHandoffs, key: services.clientAddress, message: handoffs }),
  );
  api.use(
    "/conversations/:id/attachments",
    rateLimit({
      buckets: buckets.uploads,
      key: byUser,
      message: (s) => `You have sent many files in a short time. Try again in ${waitText(s)}.`,
    }),
  );
  api.route("/auth", authRoutes(services));
  api.route("/auth", claimRoutes(services));
  api.route("/agents", agentRoutes(services));
  api.route("/customers", customerRoutes(services));
  api.route("/conversations", conversationRoutes(services));
  api.route("/conversations", uploadRoutes(services));
  api.route("/attachments", attachmentRoutes(services));
  api.route("/metrics", metricsRoutes(services));
  api.route("/conversations", botConversationRoutes(services));
  api.route("/conversations", ratingRoutes(services));
  api.route("/reports", reportRoutes(services));
  api.route("/help", helpRoutes(services));
  api.route("/bot", botRoutes(services));
  api.route("/widget", widgetApiRoutes(services));
  api.route("/settings", settingsRoutes(services));
  api.route("/webhooks", webhookRoutes(services));
  api.route("/tokens", tokenRoutes(services));
  api.route("/audit", auditRoutes(services));
  api.route("/conversations", transcriptRoutes(services));
  api.route("/", openApiRoutes());
  api.route("/conversations", conversationLabelRoutes(services));
  api.route("/labels", labelPaletteRoutes(services));
  api.route("/canned-replies", cannedReplyRoutes(services));
  api.route("/search", searchRoutes(services));
  app.route("/api", api);

  app.route("/ws", wsRoutes(services));

  // The website widget: its loader (no page headers: any site loads it), and its panel's
  // frame-ancestors, set around the pages' security headers.
  if (pages) app.route("/", widgetLoader(pages.islands));
  app.use("/widget/*", widgetFrameHeaders(services.origins));
  app.use("*", pageSecurityHeaders(services.isHttps));
  if (pages) {
    app.route("/_islands", islandAssets(pages.islands));
    app.route("/", pageRoutes(services, pages, authenticated));
  }
  return app;
}
