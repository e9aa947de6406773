/**
 * The periodic session check: a session that disappears from KV without a sign-out event reaching
 * this instance (expired, or revoked while its wake-up was missed) still closes its sockets (4401).
 */
import { assertEquals } from "./assert.ts";
import { startTestServer, WsClient } from "./helpers.ts";
import { sha256Hex } from "../lib/ids.ts";

Deno.test("session check closes sockets whose session is gone", async () => {
  const server = await startTestServer();
  const sockets: WsClient[] = [];
  try {
    const gone = await server.api.guest("Gone");
    const kept = await server.api.guest("Kept");
    const a = await WsClient.connect(server.wsUrl, gone.token);
    const b = await WsClient.connect(server.wsUrl, kept.token);
    sockets.push(a, b);
    await server.services.store.users.deleteSession(await sha256Hex(gone.token));
    await server.services.sessionCheck.run();
    assertEquals((await a.closed).code, 4401);
    b.send({ type: "ping" });
    await b.next((f) => f.type === "pong");
  } finally {
    for (const s of sockets) await s.close();
    await server.shutdown();
  }
});
