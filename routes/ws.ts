/** GET /ws: the WebSocket upgrade. Origin is checked here; the socket does the rest. */
import { Hono } from "hono";
import { getCookie } from "hono/cookie";
import type { AppEnv } from "../lib/http/env.ts";
import { originAllowed } from "../lib/http/origin.ts";
import { requestToken, SESSION_COOKIE } from "../lib/http/cookies.ts";
import { ClientSocket } from "../lib/ws/client_socket.ts";
import { badRequest, forbidden } from "../lib/errors.ts";
import type { Services } from "../lib/server/services.ts";

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
      const principal = token ? await auth.resolve(token) : null;
      const ip = clientAddress(c); // read before the upgrade consumes the request
      const { socket, response } = Deno.upgradeWebSocket(c.req.raw, { idleTimeout: 60 });
      new ClientSocket(socket, socketDeps, principal, ip);
      return response;
    });
}
