/**
 * A slow consumer — a client that stops reading while the server has a long replay to send — is
 * closed with 4408 once its unsent output passes MAX_BUFFERED_KIB, instead of buffering without
 * bound; other clients go on.
 */
import { assert, assertEquals } from "./assert.ts";
import { startTestServer, WsClient } from "./helpers.ts";
import { until } from "./instances.ts";

/** A client frame as the protocol wants it: FIN, text, masked. */
function maskedTextFrame(text: string): Uint8Array {
  const payload = new TextEncoder().encode(text);
  assert(payload.length < 126);
  const mask = crypto.getRandomValues(new Uint8Array(4));
  const frame = new Uint8Array(2 + 4 + payload.length);
  frame.set([0x81, 0x80 | payload.length], 0);
  frame.set(mask, 2);
  payload.forEach((b, i) => frame[6 + i] = b ^ mask[i % 4]);
  return frame;
}

Deno.test("slow consumer: closed once too far behind, others unaffected", async () => {
  const server = await startTestServer({ MAX_BUFFERED_KIB: "256" });
  let conn: Deno.TcpConn | null = null;
  const others: WsClient[] = [];
  try {
    const customer = await server.api.guest("Slow");
    const conv = await server.api.start(customer);
    // A long history: about 8 MB, more than the kernel's socket buffers will swallow.
    const text = "x".repeat(4000);
    for (let i = 0; i < 2000; i++) {
      await server.services.store.conversations.append({
        conversationId: conv.id,
        sender: "customer",
        authorId: customer.user.id,
        authorName: "Slow",
        text,
      }, () => {});
    }
    const other = await WsClient.connect(server.wsUrl, (await server.api.guest("Other")).token);
    others.push(other);

    // A raw client: handshake, subscribe from seq 0, then never read again.
    const { port } = new URL(server.url);
    conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
    await conn.write(new TextEncoder().encode(
      `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
        `Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n` +
        `Sec-WebSocket-Version: 13\r\nAuthorization: Bearer ${customer.token}\r\n\r\n`,
    ));
    const head = new Uint8Array(1024);
    const n = await conn.read(head);
    assert(new TextDecoder().decode(head.subarray(0, n ?? 0)).startsWith("HTTP/1.1 101"));
    await until(() => server.services.relay.size === 2, "the raw client is signed in");
    await conn.write(
      maskedTextFrame(JSON.stringify({ type: "subscribe", conversationId: conv.id })),
    );

    await until(() => server.services.relay.size === 1, "the slow consumer is dropped", 20_000);
    assertEquals(server.services.sockets.size, 1);
    other.send({ type: "ping" });
    await other.next((f) => f.type === "pong");
  } finally {
    conn?.close();
    for (const s of others) await s.close();
    await server.shutdown();
  }
});
