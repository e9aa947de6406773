/** GET /ws: the WebSocket upgrade. Origin is checked here; the socket does the rest. */
import { Hono } from "hono";
import { getCookie } from "hono/cookie";
import type { AppEnv } from "../lib/http/mod.ts";
import { originAllowed, requestToken, SESSION_COOKIE } from "../lib/auth/auth.ts";
import { ClientSocket } from "../lib/ws/client_socket.ts";
import { badRequest, forbidden } from "../lib/errors.ts";
import { clientIp } from "../lib/ws/limits.ts";

export const wsRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const { services } = c.var;
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw badRequest("This endpoint speaks WebSocket only.");
    }
    const origin = c.req.header("origin") ?? null;
    if (!originAllowed(origin, c.req.header("host") ?? null, services.config.allowedOrigins)) {
      throw forbidden("Cross-site WebSocket refused.");
    }
    const token = requestToken(c.req.raw.headers, getCookie(c, SESSION_COOKIE));
    const principal = token ? await services.auth.resolve(token) : null;
    const ip = clientIp(c.env); // read before the upgrade consumes the request
    const { socket, response } = Deno.upgradeWebSocket(c.req.raw, { idleTimeout: 60 });
    new ClientSocket(socket, services, principal, ip);
    return response;
  });
