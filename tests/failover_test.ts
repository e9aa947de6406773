/**
 * An instance dies mid-traffic (its Worker is terminated): its clients reconnect to another
 * instance, resubscribe with `after` and resend unacknowledged messages with the same clientId.
 * In the end every acknowledged message is stored once and every client has each seq exactly once.
 */
import { assert, assertEquals } from "./assert.ts";
import { type Session, WsClient } from "./helpers.ts";
import { kill, startCluster, until } from "./instances.ts";
import type { Message } from "../lib/contract/types.ts";

const MESSAGES = 30;

/** A client that resumes by seq on another instance when its socket drops. */
class ResumingClient {
  seen = new Map<number, Message>();
  duplicates = 0;
  acked = new Map<string, Message>();
  reconnectMs: number[] = [];
  ws!: WsClient;
  #next = 0;

  constructor(
    readonly session: Session,
    readonly conversationId: string,
    private urls: string[],
    private start: number,
  ) {}

  get lastSeq() {
    return Math.max(0, ...this.seen.keys());
  }

  async connect() {
    const url = this.urls[(this.start + this.#next++) % this.urls.length];
    this.ws = await WsClient.connect(url, this.session.token);
    this.ws.ws.addEventListener("message", (e) => {
      const f = JSON.parse(e.data);
      if (f.type !== "message" || f.message.conversationId !== this.conversationId) return;
      if (this.seen.has(f.message.seq)) this.duplicates++;
      else this.seen.set(f.message.seq, f.message);
    });
    this.ws.send({ type: "subscribe", conversationId: this.conversationId, after: this.lastSeq });
  }

  async #reconnect() {
    const dropped = Date.now();
    for (;;) {
      try {
        await this.connect();
        break;
      } catch {
        // That instance is gone too: try the next one.
      }
    }
    this.reconnectMs.push(Date.now() - dropped);
  }

  async sendAll(count: number, tag: string) {
    for (let k = 0; k < count; k++) {
      const clientId = `${tag}-${k}`;
      for (;;) {
        if (this.ws.ws.readyState !== WebSocket.OPEN) await this.#reconnect();
        try {
          const frame = {
            type: "send",
            conversationId: this.conversationId,
            text: `m${k}`,
            clientId,
          };
          this.ws.send(frame);
          const ack = await this.ws.next((f) => f.type === "ack" && f.clientId === clientId, 3000);
          this.acked.set(clientId, ack.message);
          break;
        } catch {
          // Dropped before the ack: reconnect and resend the same clientId.
        }
      }
    }
  }
}

Deno.test("killing an instance mid-traffic loses and duplicates nothing", async () => {
  const cluster = await startCluster(3, { BROADCAST: "0" });
  const { instances } = cluster;
  const urls = instances.map((i) => i.wsUrl);
  const clients: ResumingClient[] = [];
  let watcher: WsClient | null = null;
  try {
    const admin = await cluster.admin();
    // Three customers on instance 1 (the one that dies), one each on 0 and 2.
    for (const home of [1, 1, 1, 0, 2]) {
      const customer = await instances[home].api.guest(`On ${home}`);
      const conv = await instances[home].api.start(customer);
      await instances[0].api.request("POST", `/api/conversations/${conv.id}/takeover`, {
        token: admin.token,
      });
      const client = new ResumingClient(customer, conv.id, urls, home);
      await client.connect();
      clients.push(client);
    }
    // An agent watches every conversation from instance 2.
    watcher = await WsClient.connect(urls[2], admin.token);
    for (const c of clients) watcher.send({ type: "subscribe", conversationId: c.conversationId });

    const traffic = clients.map((c, i) => c.sendAll(MESSAGES, `c${i}`));
    const total = () => clients.reduce((n, c) => n + c.acked.size, 0);
    await until(() => total() >= clients.length * MESSAGES / 3, "a third of the traffic");
    const ackedBeforeKill = total();
    kill(instances[1]);
    await Promise.all(traffic);

    let delivered = 0, duplicated = 0, lost = 0;
    for (const c of clients) {
      const stored = await instances[0].api.messages(admin, c.conversationId);
      const last = stored.length;
      assertEquals(stored.map((m) => m.seq), Array.from({ length: last }, (_, i) => i + 1));
      const byClientId = new Map<string, number>();
      for (const m of stored) {
        if (m.clientId) byClientId.set(m.clientId, (byClientId.get(m.clientId) ?? 0) + 1);
      }
      for (const [clientId, m] of c.acked) {
        if (!stored.some((s) => s.id === m.id && s.seq === m.seq)) lost++;
        assertEquals(byClientId.get(clientId), 1, `${clientId} stored once`);
      }
      await until(
        () => c.lastSeq >= last && watcher!.messages(c.conversationId).length >= last,
        "catch-up",
      );
      assertEquals([...c.seen.keys()].sort((a, b) => a - b), stored.map((m) => m.seq));
      const watched = watcher.messages(c.conversationId).map((m) => m.seq);
      assertEquals(watched, stored.map((m) => m.seq));
      delivered += c.seen.size + watched.length;
      duplicated += c.duplicates;
    }
    assertEquals(lost, 0);
    assertEquals(duplicated, 0);
    const reconnects = clients.flatMap((c) => c.reconnectMs);
    assert(reconnects.length >= 3, "the victim's clients reconnected");
    console.log(JSON.stringify({
      acked: total(),
      ackedBeforeKill,
      delivered,
      lost,
      duplicated,
      reconnects: reconnects.length,
      reconnectMsMax: Math.max(...reconnects),
    }));
  } finally {
    await watcher?.close();
    for (const c of clients) await c.ws.close().catch(() => {});
    await cluster.close();
  }
});
