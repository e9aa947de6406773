/**
 * GET /ws: the WebSocket upgrade. Origin and the per-address connection caps (lib/ws/guard.ts) are
 * checked here, before anything is buffered; the socket does the rest.
 */
import { Hono } from "hono";
import { getCookie } from "hono/cookie";
import type { AppEnv } from "../lib/http/env.ts";
import { originAllowed } from "../lib/http/origin.ts";
import { requestToken, SESSION_COOKIE } from "../lib/http/cookies.ts";
import { ClientSocket } from "../lib/ws/client_socket.ts";
import { badRequest, forbidden, rateLimited } from "../lib/errors.ts";
import type { Services } from "../lib/server/services.ts";

/** When a refused connection may try again. */
const REFUSED_RETRY_MS = 5_000;

export function wsRoutes(
  { auth, origins, socketDeps, clientAddress }: Pick<
    Services,
    "auth" | "origins" | "socketDeps" | "clientAddress"
  >,
) {
  return new Hono<AppEnv>()
    .get("/", async (c) => {
      if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
        throw badRequest("This endpoint speaks WebSocket only.");
      }
      const origin = c.req.header("origin") ?? null;
      // The widget's panel is served by this host, so its sockets pass as same-origin.
      if (!originAllowed(origin, c.req.header("host") ?? null, await origins.list())) {
        throw forbidden("Cross-site WebSocket refused.");
      }
      // `?auth=frame`: only the first frame's token counts, never a cookie the browser adds (the
      // widget's panel, which may share a browser with someone's Parley session).
      const cookie = c.req.query("auth") === "frame" ? undefined : getCookie(c, SESSION_COOKIE);
      const token = requestToken(c.req.raw.headers, cookie);
      const resolved = token ? await auth.resolve(token) : null;
      // API tokens are for the HTTP API (scoped there: lib/http/scopes.ts), not sockets.
      const principal = resolved?.apiToken ? null : resolved;
      const ip = clientAddress(c); // read before the upgrade consumes the request
      const admission = socketDeps.guards.admit(ip, principal !== null);
      if (!admission.guard) {
        socketDeps.log.write({
          level: "debug",
          msg: "connection refused",
          reason: admission.refused,
        });
        throw rateLimited(admission.refused, REFUSED_RETRY_MS);
      }
      let upgraded;
      try {
        upgraded = Deno.upgradeWebSocket(c.req.raw, { idleTimeout: 60 });
      } catch (err) {
        admission.guard.release();
        throw err;
      }
      new ClientSocket(upgraded.socket, socketDeps, principal, admission.guard);
      return upgraded.response;
    });
}
