/**
 * Lists over a real server: the whole store, newest activity first, a page at a time
 * (`limit`, `cursor`, `next`), filters that apply to everything, counts from counters, and queue
 * numbers that stay distinct when customers ask at the same moment.
 *
 * The bulk (600 conversations, the queue) is created through the services, not HTTP: creation
 * and handoff limits per guest would refuse it, and they are not what is tested here.
 */
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { type Session, startTestServer, type TestServer } from "./helpers.ts";
import type { Conversation, ConversationCounts, User } from "../lib/contract/types.ts";

interface ListBody {
  conversations: (Conversation & { unread: number })[];
  next: string | null;
  counts?: ConversationCounts;
}

async function list(server: TestServer, as: Session, query: string): Promise<ListBody> {
  const res = await server.api.request("GET", `/api/conversations?${query}`, { token: as.token });
  assertEquals(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

/** Every page of `query`, following `next`. */
async function allPages(server: TestServer, as: Session, query: string) {
  const out: ListBody["conversations"] = [];
  let pages = 0;
  let cursor: string | null = null;
  do {
    const body = await list(server, as, `${query}${cursor ? `&cursor=${cursor}` : ""}`);
    out.push(...body.conversations);
    cursor = body.next;
    pages++;
  } while (cursor);
  return { conversations: out, pages };
}

const isNewestFirst = (cs: Conversation[]) =>
  cs.every((c, i) => i === 0 || cs[i - 1].updatedAt >= c.updatedAt);

/**
 * `n` conversations of one guest, made through the store one after another (each start rewrites
 * the guest's record in a checked commit, so starts of one guest don't run in parallel).
 */
async function bulk(server: TestServer, guest: User, n: number): Promise<Conversation[]> {
  const out: Conversation[] = [];
  const { conversations } = server.services.store;
  for (let i = 0; i < n; i++) {
    out.push((await conversations.create(guest, { name: "Bot", text: "Hi" })).conversation);
  }
  return out;
}

Deno.test("the 600-conversation list: an earlier customer stays listed, every waiting one is found", async () => {
  const server = await startTestServer();
  try {
    const { api } = server;
    const admin = await server.admin();
    const early = await api.register("Early Bird", "early@example.com");
    const earlyConv = await api.start(early);
    const flooder = await api.guest("Flood");
    const flood = await bulk(server, flooder.user as User, 600);

    // Staff see the whole store, newest activity first, 50 at a time by default.
    const first = await list(server, admin, "status=open");
    assertEquals(first.conversations.length, 50);
    assert(first.next, "a next cursor");
    assertEquals(first.counts!.open, 601);
    const open = await allPages(server, admin, "status=open&limit=200");
    assertEquals(open.pages, 4);
    assertEquals(open.conversations.length, 601);
    assertEquals(new Set(open.conversations.map((c) => c.id)).size, 601);
    assert(isNewestFirst(open.conversations));
    assert(open.conversations.some((c) => c.id === earlyConv.id), "the early conversation");

    // The early customer writes again: their conversation is at the top.
    const sent = await api.request("POST", `/api/conversations/${earlyConv.id}/messages`, {
      token: early.token,
      body: { text: "Anyone there?" },
    });
    assertEquals(sent.status, 201);
    await server.services.botRunner.idle();
    const top = await list(server, admin, "status=open&limit=5");
    assertEquals(top.conversations[0].id, earlyConv.id);
    assertEquals(top.conversations[0].lastMessage?.text.length ? true : false, true);

    // 130 of the flood ask for a person, nobody is available: every one is listed as waiting,
    // across pages, and each was told its own number.
    const asked = flood.slice(100, 230);
    for (const c of asked) await server.services.assigner.requestHuman(c.id);
    const waiting = await allPages(server, admin, "mode=waiting");
    assertEquals(waiting.pages, 3);
    assertEquals(
      waiting.conversations.map((c) => c.id).sort(),
      asked.map((c) => c.id).sort(),
    );
    assertEquals((await list(server, admin, "mode=waiting&limit=1")).counts!.waiting, 130);
    const told = await Promise.all(
      asked.slice(0, 3).concat(asked.slice(-1)).map(async (c) => {
        const messages = await api.messages(flooder, c.id);
        return /number (\d+) in the queue/.exec(messages.at(-1)!.text)?.[1];
      }),
    );
    assertEquals(told, ["1", "2", "3", "130"]);

    // The customers' own lists are paged too, without counts.
    const own = await allPages(server, { ...flooder, user: flooder.user }, "limit=200");
    assertEquals(own.conversations.length, 600);
    assert(own.conversations.every((c) => c.customerId === flooder.user.id));
    assertEquals((await list(server, flooder, "limit=1")).counts, undefined);
    const earlyOwn = await list(server, early, "");
    assertEquals(earlyOwn.conversations.map((c) => c.id), [earlyConv.id]);
    assertEquals(earlyOwn.next, null);
  } finally {
    await server.shutdown();
  }
});

Deno.test("customers asking at the same moment are told distinct, correct numbers", async () => {
  const server = await startTestServer();
  try {
    const { api } = server;
    const guests = await Promise.all(Array.from({ length: 24 }, (_, i) => api.guest(`G${i}`)));
    const convs = await Promise.all(guests.map((g) => api.start(g)));
    const answers = await Promise.all(
      convs.map((c, i) =>
        api.request("POST", `/api/conversations/${c.id}/handoff`, { token: guests[i].token })
      ),
    );
    assert(answers.every((a) => a.status === 200 && a.body.conversation.mode === "waiting"));
    const queued = answers.map((a) => a.body.conversation as Conversation)
      .sort((a, b) => a.waitingSince!.localeCompare(b.waitingSince!) || a.id.localeCompare(b.id));
    for (const [place, c] of queued.entries()) {
      const i = convs.findIndex((x) => x.id === c.id);
      const text = (await api.messages(guests[i], c.id)).at(-1)!.text;
      assertMatch(text, new RegExp(`You're number ${place + 1} in the queue`));
    }
  } finally {
    await server.shutdown();
  }
});

Deno.test("list queries are validated; counts are for staff", async () => {
  const server = await startTestServer();
  try {
    const { api } = server;
    const admin = await server.admin();
    for (
      const [query, field] of [
        ["limit=0", "limit"],
        ["limit=201", "limit"],
        ["limit=x", "limit"],
        ["cursor=not-ours", "cursor"],
        ["label=", "label"],
        ["mode=queued", "mode"],
      ]
    ) {
      const res = await api.request("GET", `/api/conversations?${query}`, { token: admin.token });
      assertEquals(res.status, 400, query);
      assertEquals(res.body.error.code, "bad_request");
      assertMatch(res.body.error.message, new RegExp(`^${field}:`));
    }
    const counts = await api.request("GET", "/api/conversations/counts?label=vip", {
      token: admin.token,
    });
    assertEquals(counts.status, 200);
    assertEquals(counts.body.counts, {
      open: 0,
      resolved: 0,
      bot: 0,
      waiting: 0,
      human: 0,
      mine: 0,
      snoozed: 0,
      label: { open: 0, resolved: 0 },
    });
    const guest = await api.guest();
    const refused = await api.request("GET", "/api/conversations/counts", { token: guest.token });
    assertEquals(refused.status, 403);
  } finally {
    await server.shutdown();
  }
});
