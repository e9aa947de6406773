/**
 * Floods of conversations and handoffs: limits per user and per address (429 `rate_limited` with
 * Retry-After and what to do), the bot's handoff path spending the same budget, the cap on open
 * conversations per guest and per customer (409, also under concurrent starts), and unused guests
 * expiring (record and session, with KV expiry) while a guest who chats is kept.
 */
import { assert, assertEquals } from "./assert.ts";
import {
  type ApiResponse,
  type Session,
  startTestServer,
  type TestServer,
  withTestServer,
} from "./helpers.ts";
import { until } from "./wait.ts";
import { testConfig } from "../lib/config.ts";
import { createServices } from "../lib/server/services.ts";
import type { Bot } from "../lib/bot/types.ts";
import { AppError } from "../lib/errors.ts";
import { sha256Hex } from "../lib/ids.ts";

const start = (server: TestServer, s: Session) =>
  server.api.request("POST", "/api/conversations", { token: s.token });
const handoff = (server: TestServer, s: Session, id: string) =>
  server.api.request("POST", `/api/conversations/${id}/handoff`, { token: s.token });

function assertLimited(res: ApiResponse, what: RegExp) {
  assertEquals(res.status, 429, JSON.stringify(res.body));
  assertEquals((res.body as { error: { code: string } }).error.code, "rate_limited");
  const { message } = (res.body as { error: { message: string } }).error;
  assert(what.test(message), message);
  assert(/try again in \d+ (seconds?|minutes|hours)/.test(message), message);
  assert(Number(res.headers.get("retry-after")) >= 1, "Retry-After");
}

Deno.test("floods: conversations and handoffs are limited per user and per address", async (t) => {
  const server = await startTestServer({
    RATE_CONVERSATIONS_PER_HOUR: "3",
    RATE_IP_CONVERSATIONS_PER_HOUR: "7",
    RATE_HANDOFFS_PER_HOUR: "2",
    RATE_IP_HANDOFFS_PER_HOUR: "5",
    MAX_OPEN_CONVERSATIONS_GUEST: "50",
  });
  try {
    const { api } = server;
    const flooder = await api.guest("Flood");
    const ids: string[] = [];
    await t.step("a guest starting conversations: 3, then 429", async () => {
      for (let i = 0; i < 3; i++) {
        const res = await start(server, flooder);
        assertEquals(res.status, 201);
        ids.push(res.body.conversation.id);
      }
      assertLimited(await start(server, flooder), /started many conversations/);
      assertEquals(
        (await api.request("GET", "/api/conversations", { token: flooder.token }))
          .body.conversations.length,
        3,
        "nothing was created",
      );
    });
    await t.step("one address, many guests: 7 in all, then 429", async () => {
      // 3 spent above; two more guests start 2 each, the third's second start is refused.
      const others = [await api.guest("A"), await api.guest("B"), await api.guest("C")];
      assertEquals((await start(server, others[0])).status, 201);
      assertEquals((await start(server, others[0])).status, 201);
      assertEquals((await start(server, others[1])).status, 201);
      assertEquals((await start(server, others[1])).status, 201);
      assertLimited(await start(server, others[2]), /started many conversations/);
    });
    await t.step("handoffs per user: 2, then 429", async () => {
      assertEquals((await handoff(server, flooder, ids[0])).status, 200);
      assertEquals((await handoff(server, flooder, ids[1])).status, 200);
      assertLimited(await handoff(server, flooder, ids[2]), /asked for a person many times/);
      const third = await api.request("GET", `/api/conversations/${ids[2]}`, {
        token: flooder.token,
      });
      assertEquals(third.body.conversation.mode, "bot", "not queued");
    });
  } finally {
    await server.shutdown();
  }
});

Deno.test("floods: handoffs per address, across guests", async () => {
  await withTestServer(async (server) => {
    const { api } = server;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const g = await api.guest(`G${i}`);
      const conv = await api.start(g);
      statuses.push((await handoff(server, g, conv.id)).status);
    }
    assertEquals(statuses, [200, 200, 200, 429]);
  }, { RATE_IP_HANDOFFS_PER_HOUR: "3" });
});

Deno.test("floods: asking the bot for a person spends the same budget", async () => {
  await withTestServer(async (server) => {
    const { api } = server;
    const g = await api.guest("Asker");
    const first = await api.start(g);
    const second = await api.start(g);
    const ask = (id: string) =>
      api.request("POST", `/api/conversations/${id}/messages`, {
        token: g.token,
        body: { text: "I want to talk to a human" },
      });
    assertEquals((await ask(first.id)).status, 201);
    await server.services.botRunner.idle();
    const queued = await api.request("GET", `/api/conversations/${first.id}`, { token: g.token });
    assertEquals(queued.body.conversation.mode, "waiting");

    assertEquals((await ask(second.id)).status, 201);
    await server.services.botRunner.idle();
    const after = await api.request("GET", `/api/conversations/${second.id}`, { token: g.token });
    assertEquals(after.body.conversation.mode, "bot", "the bot did not queue it");
    const last = (await api.messages(g, second.id)).at(-1)!;
    assertEquals(last.sender, "bot");
    assert(/asked for a person many times/.test(last.text), last.text);
    // The button is refused too: one budget.
    assertEquals((await handoff(server, g, second.id)).status, 429);
  }, { RATE_HANDOFFS_PER_HOUR: "1" });
});

Deno.test("floods: open conversations are capped per guest and per customer", async (t) => {
  await withTestServer(async (server) => {
    const { api } = server;
    await t.step("a guest: 2 open, the third is refused with what to do", async () => {
      const g = await api.guest("Capped");
      const a = await api.start(g);
      await api.start(g);
      const third = await start(server, g);
      assertEquals(third.status, 409);
      assertEquals(third.body.error.code, "conflict");
      assert(/already have 2 open conversations/.test(third.body.error.message));
      assert(/resolve one/.test(third.body.error.message));
      // Resolving one makes room.
      await api.request("POST", `/api/conversations/${a.id}/resolve`, { token: g.token });
      assertEquals((await start(server, g)).status, 201);
    });
    await t.step("concurrent starts can't pass the cap", async () => {
      const g = await api.guest("Racer");
      const results = await Promise.all(Array.from({ length: 12 }, () => start(server, g)));
      const created = results.filter((r) => r.status === 201).length;
      assertEquals(created, 2, results.map((r) => r.status).join(","));
      assert(results.every((r) => r.status === 201 || r.status === 409));
      const listed = await api.request("GET", "/api/conversations", { token: g.token });
      assertEquals(listed.body.conversations.length, 2);
    });
    await t.step("a signed-in customer has a cap of their own", async () => {
      const c = await api.register("Cus", "cus@example.com");
      for (let i = 0; i < 4; i++) assertEquals((await start(server, c)).status, 201);
      assertEquals((await start(server, c)).status, 409);
    });
  }, { MAX_OPEN_CONVERSATIONS_GUEST: "2", MAX_OPEN_CONVERSATIONS_CUSTOMER: "4" });
});

const quietBot: Bot = {
  name: "Bot",
  greet: () => "Hello!",
  reply: () => Promise.resolve({ text: "ok", outcome: "answered" }),
};

/** A KV whose writes are observed: each set's key and `expireIn`, as the store asked for them. */
function observedKv(kv: Deno.Kv) {
  const sets: { key: Deno.KvKey; expireIn?: number }[] = [];
  const watchOp = (op: Deno.AtomicOperation): Deno.AtomicOperation =>
    new Proxy(op, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (prop === "set") {
          return (key: Deno.KvKey, v: unknown, o?: { expireIn?: number }) => {
            sets.push({ key, expireIn: o?.expireIn });
            target.set(key, v, o);
            return watchOp(target);
          };
        }
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          const result = value.apply(target, args);
          return result === target ? watchOp(target) : result;
        };
      },
    });
  const observed = new Proxy(kv, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop === "atomic") return () => watchOp(target.atomic());
      if (prop === "set") {
        return (key: Deno.KvKey, v: unknown, o?: { expireIn?: number }) => {
          sets.push({ key, expireIn: o?.expireIn });
          return target.set(key, v, o);
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { kv: observed, sets };
}

Deno.test("unused guests expire; a guest who starts a conversation is kept", async (t) => {
  const real = await Deno.openKv(":memory:");
  const { kv, sets } = observedKv(real);
  let now = Date.parse("2030-01-01T09:00:00Z");
  const clock = { now: () => now };
  const config = testConfig({ GUEST_TTL_HOURS: "2", SESSION_TTL_HOURS: "48", LOG_LEVEL: "error" });
  const services = createServices(config, kv, { bot: quietBot, clock });
  const { auth, chat, store } = services;
  const hour = 3600_000;
  const expiryOf = (key: Deno.KvKey) =>
    sets.findLast((s) => JSON.stringify(s.key) === JSON.stringify(key))?.expireIn;
  try {
    const idle = await auth.guest("Idle");
    const chatty = await auth.guest("Chatty");
    const idleHash = await sha256Hex(idle.token);
    const chattyHash = await sha256Hex(chatty.token);

    await t.step("a new guest's record and session expire in KV after GUEST_TTL_HOURS", () => {
      assertEquals(expiryOf(["users", idle.user.id]), 2 * hour);
      assertEquals(expiryOf(["sessions", idleHash]), 2 * hour);
    });

    let conversationId = "";
    await t.step("starting a conversation keeps the guest for good", async () => {
      const principal = (await auth.resolve(chatty.token))!;
      conversationId = (await chat.start(principal.user)).id;
      await auth.keepGuest(principal);
      assertEquals(expiryOf(["users", chatty.user.id]), undefined, "record rewritten, no expiry");
      assertEquals(expiryOf(["sessions", chattyHash]), 48 * hour, "a full session");
      const record = (await real.get<{ expiresAt?: string }>(["users", chatty.user.id])).value!;
      assertEquals(record.expiresAt, undefined);
    });

    await t.step("past the TTL: the idle guest is gone, the chatty one is not", async () => {
      now += 2 * hour + 1;
      assertEquals(await auth.resolve(idle.token), null);
      assertEquals(await store.users.get(idle.user.id), null);
      const kept = await auth.resolve(chatty.token);
      assertEquals(kept?.user.id, chatty.user.id);
      const conversation = await store.conversations.get(conversationId);
      assertEquals(await store.users.get(conversation!.customerId) !== null, true);
    });

    await t.step(
      "an expired guest can't start a conversation (nothing would keep it)",
      async () => {
        const record = (await real.get<never>(["users", idle.user.id])).value!;
        const error = await chat.start(record).catch((e) => e);
        assert(error instanceof AppError && error.code === "unauthorized", String(error));
        assertEquals((await store.conversations.listByCustomer(idle.user.id)).length, 0);
      },
    );

    await t.step("a claimed guest, left with nothing, is deleted", async () => {
      now = Date.parse("2030-01-02T09:00:00Z");
      const guest = await auth.guest("Soon a customer");
      const principal = (await auth.resolve(guest.token))!;
      await chat.start(principal.user);
      const customer = await auth.register({
        name: "Cara",
        email: "cara@example.com",
        password: "password-123",
      });
      const { claimGuest } = await import("../lib/auth/claim.ts");
      const customerRecord = (await store.users.get(customer.user.id))!;
      const moved = await claimGuest(
        { auth, kv, relay: services.relay },
        customerRecord,
        guest.token,
      );
      assertEquals(moved.length, 1);
      await until(async () => (await real.get(["users", guest.user.id])).value === null, "gone");
    });
  } finally {
    await services.close();
  }
});
