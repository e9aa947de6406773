/** Builds the Hono app from the services and the routes. */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Services } from "./services.ts";
import { type AppEnv, authenticate } from "../http/mod.ts";
import { errorBody, toErrorBody } from "../errors.ts";
import { authRoutes } from "../../routes/api/auth.ts";
import { agentRoutes } from "../../routes/api/agents.ts";
import { customerRoutes } from "../../routes/api/customers.ts";
import { conversationRoutes } from "../../routes/api/conversations.ts";
import { metricsRoutes } from "../../routes/api/metrics.ts";
import { wsRoutes } from "../../routes/ws.ts";
import { claimRoutes } from "../../routes/api/claim.ts";
import { type PageDeps, pageRoutes } from "../../routes/pages/mod.tsx";
import { pageSecurityHeaders } from "../../routes/pages/security.ts";
import { islandAssets } from "../islands/render.ts";

export const MAX_BODY_BYTES = 64 * 1024;

/** `pages` (the islands build and the help center) adds the pages; without it, API only. */
export function createApp(services: Services, pages?: PageDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(async function provideServices(c, next) {
    c.set("services", services);
    await next();
  });
  app.onError((err, c) => {
    const [status, body] = toErrorBody(err);
    if (status === 500) {
      services.log.error("request failed", { path: c.req.path, err: String(err) });
    }
    return c.json(body, status as 400);
  });
  app.notFound((c) => c.json(errorBody("not_found", `Nothing at ${c.req.path}.`), 404));

  app.get("/healthz", async (c) => {
    try {
      await services.store.kv.get(["healthz"]);
      return c.json({ ok: true });
    } catch {
      return c.json({ ok: false, kv: "unreachable" }, 503);
    }
  });

  const api = new Hono<AppEnv>();
  api.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => c.json(errorBody("too_large", "Request body is over 64 KiB."), 413),
    }),
  );
  const { limits } = services;
  for (const path of ["/auth/login", "/auth/register", "/auth/guest"]) {
    api.use(path, limits.authRateLimit());
  }
  api.use("/conversations/:id/messages", limits.messageRateLimit());
  api.use(authenticate());
  api.route("/auth", authRoutes);
  api.route("/auth", claimRoutes);
  api.route("/agents", agentRoutes);
  api.route("/customers", customerRoutes);
  api.route("/conversations", conversationRoutes);
  api.route("/metrics", metricsRoutes);
  app.route("/api", api);

  app.route("/ws", wsRoutes);

  app.use("*", pageSecurityHeaders());
  if (pages) {
    app.route("/_islands", islandAssets(pages.islands));
    app.route("/", pageRoutes(pages));
  }
  return app;
}
