/**
 * Thousands of malformed, oversized, binary, unauthorized and out-of-order frames: each one is
 * answered with an error frame, or the socket is closed with a documented code (1009 too big,
 * 4401 bad token); meanwhile other clients are served, and the store is unchanged.
 */
import fc from "fast-check";
import { assert, assertEquals } from "./assert.ts";
import { type Frame, startTestServer, type TestServer, WsClient } from "./helpers.ts";
import { GENEROUS_LIMITS } from "./instances.ts";
import { clientFrame } from "../lib/contract/frames.ts";

const ERROR_CODES = new Set([
  "bad_request",
  "unauthorized",
  "forbidden",
  "not_found",
  "conflict",
  "rate_limited",
  "too_large",
]);
const DOCUMENTED_CLOSES = new Set([1009, 4401]);

type Input = { kind: "text"; data: string } | { kind: "binary"; data: Uint8Array };

/**
 * The store as data; the feed and signal keys are transport, not state, and so is the outbox
 * (drained in the background by lib/outbox/loop.ts); leases are taken by background sweepers and
 * the search indexer.
 */
const TRANSPORT = new Set([
  "feed",
  "signal",
  "outbox",
  "outbox_lease",
  "leases",
  "search_indexer_lease",
]);
async function dump(server: TestServer): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const e of server.services.store.kv.list({ prefix: [] })) {
    if (TRANSPORT.has(String(e.key[0]))) continue;
    out.set(JSON.stringify(e.key), `${e.versionstamp} ${JSON.stringify(e.value, bigints)}`);
  }
  return out;
}
const bigints = (_: string, v: unknown) => typeof v === "bigint" ? String(v) : v;

function frames(own: string, other: string): fc.Arbitrary<Input> {
  const types = ["auth", "subscribe", "unsubscribe", "send", "typing", "read", "ping", "nope"];
  const text = (a: fc.Arbitrary<unknown>) =>
    a.map((v): Input => ({ kind: "text", data: typeof v === "string" ? v : JSON.stringify(v) }));
  const shaped = fc.record({
    type: fc.constantFrom(...types),
    conversationId: fc.oneof(fc.constantFrom(own, other, ""), fc.string(), fc.integer()),
    text: fc.oneof(fc.string(), fc.constant(" "), fc.integer()),
    clientId: fc.oneof(fc.string({ maxLength: 120 }), fc.constant(null)),
    after: fc.oneof(fc.integer(), fc.double(), fc.string()),
    seq: fc.oneof(fc.integer({ min: -5, max: 5 }), fc.string()),
    typing: fc.oneof(fc.boolean(), fc.string()),
    junk: fc.jsonValue({ maxDepth: 2 }),
  }, { requiredKeys: ["type"] });
  // Well-formed frames that must still be refused: someone else's conversation, unknown ids,
  // a second auth, the inbox for a customer, an over-long message.
  const refused = fc.constantFrom<unknown>(
    { type: "subscribe", conversationId: other },
    { type: "subscribe", conversationId: "01NOSUCHCONVERSATION0000000" },
    { type: "subscribe", inbox: true },
    { type: "send", conversationId: other, text: "hi", clientId: "x" },
    { type: "send", conversationId: own, text: "x".repeat(4001), clientId: "long" },
    { type: "typing", conversationId: other, typing: true },
    { type: "read", conversationId: other, seq: 1 },
    { type: "auth", token: "again" },
  );
  return fc.oneof(
    { arbitrary: text(fc.string({ maxLength: 300 })), weight: 60 },
    { arbitrary: text(fc.string({ unit: "binary", maxLength: 100 })), weight: 20 },
    { arbitrary: text(fc.jsonValue({ maxDepth: 3 })), weight: 60 },
    { arbitrary: text(shaped), weight: 120 },
    { arbitrary: text(refused), weight: 60 },
    {
      arbitrary: fc.uint8Array({ maxLength: 512 }).map((data): Input => ({ kind: "binary", data })),
      weight: 40,
    },
    {
      arbitrary: fc.integer({ min: 16 * 1024 + 1, max: 40_000 })
        .map((n): Input => ({
          kind: "text",
          data: JSON.stringify({ type: "ping", pad: "x".repeat(n) }),
        })),
      weight: 1,
    },
  ).filter((input) => {
    // Keep only frames that must be refused: drop the rare random one that is valid.
    if (input.kind !== "text" || input.data.length > 16 * 1024) return true;
    try {
      const parsed = clientFrame.safeParse(JSON.parse(input.data));
      if (!parsed.success) return true;
      const f = parsed.data;
      return f.type === "auth" || ("conversationId" in f && f.conversationId !== own) ||
        (f.type === "subscribe" && f.inbox === true) ||
        (f.type === "send" && f.text.length > 4000);
    } catch {
      return true;
    }
  });
}

Deno.test("fuzz: every bad frame gets an error or a documented close; nothing changes", async () => {
  const server = await startTestServer(GENEROUS_LIMITS);
  const sockets: WsClient[] = [];
  try {
    const { api } = server;
    const a = await api.guest("Fuzzy");
    const b = await api.guest("Bystander");
    const own = (await api.start(a)).id;
    const other = (await api.start(b)).id;
    const bystander = await WsClient.connect(server.wsUrl, b.token);
    sockets.push(bystander);
    bystander.send({ type: "subscribe", conversationId: other });
    await bystander.next((f) => f.type === "message" && f.message.seq === 1);
    const before = await dump(server);

    const counts = { frames: 0, errors: 0, closes: 0, unauthenticated: 0 };
    for (const authed of [true, false]) {
      const inputs = fc.sample(frames(own, other), { numRuns: authed ? 2500 : 500, seed: 6 });
      let ws = await WsClient.connect(server.wsUrl, authed ? a.token : undefined);
      for (const [i, input] of inputs.entries()) {
        ws.send(input.data);
        counts.frames++;
        const reply = await Promise.race([
          ws.next(() => true, 5000).catch(() => null),
          ws.closed.then((e) => ({ type: "closed", code: e.code }) as Frame),
        ]);
        assert(reply, `no answer to frame ${i}`);
        if (reply.type === "closed") {
          assert(DOCUMENTED_CLOSES.has(reply.code), `frame ${i}: closed with ${reply.code}`);
          counts.closes++;
          ws = await WsClient.connect(server.wsUrl, authed ? a.token : undefined);
          continue;
        }
        assertEquals(reply.type, "error", `frame ${i}: ${JSON.stringify(reply).slice(0, 200)}`);
        assert(ERROR_CODES.has(reply.code), `frame ${i}: code ${reply.code}`);
        if (!authed && reply.code === "unauthorized") counts.unauthenticated++;
        counts.errors++;
        // Every 100 frames, the bystander is still served.
        if (i % 100 === 0) {
          bystander.send({ type: "ping" });
          await bystander.next((f) => f.type === "pong");
        }
      }
      await ws.close();
    }
    assertEquals(counts.errors + counts.closes, counts.frames);
    assertEquals(await dump(server), before, "store unchanged");

    // The server still serves: the bystander chats as usual.
    bystander.send({ type: "send", conversationId: other, text: "still there?", clientId: "b1" });
    const ack = await bystander.next((f) => f.type === "ack" && f.clientId === "b1");
    assertEquals(ack.message.seq, 2);
    console.log(JSON.stringify(counts));
  } finally {
    for (const s of sockets) await s.close();
    await server.shutdown();
  }
});
