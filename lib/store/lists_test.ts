/**
 * The list indexes and counters (./lists.ts, read by ./list_query.ts) through a random history
 * of the real store's writes — creates, messages (group commit), state changes, labels, snoozes
 * (ended by a message too), claims:
 * afterwards every index holds exactly the entries the records imply, every counter equals a
 * count of the records, and every filter's pages (small pages, so many cursors) list exactly the
 * matching conversations, newest activity first.
 */
import { assert, assertEquals } from "../../tests/assert.ts";
import { createStore } from "./mod.ts";
import { type ListFilter, matches } from "./list_query.ts";
import { moveConversations } from "./claim.ts";
import type { User } from "../contract/types.ts";
import {
  assertIndexesMatch,
  assertPagesMatch,
  everything,
} from "../../tests/fixtures/list_checks.ts";

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)];

Deno.test("lists: indexes, counters and pages agree with the records through a random history", async () => {
  const store = createStore(await Deno.openKv(":memory:"));
  try {
    const customers: User[] = [];
    for (const name of ["A", "B", "C", "D"]) {
      customers.push(await store.users.create({ name, role: "customer" }));
    }
    const agents = ["agent-1", "agent-2", "agent-3"];
    const labels = ["billing", "bug", "vip"];
    const ids: string[] = [];
    const { conversations } = store;
    for (let step = 0; step < 260; step++) {
      const roll = Math.random();
      if (ids.length < 4 || roll < 0.15) {
        const customer = pick(customers);
        ids.push(
          (await conversations.create(customer, { name: "Bot", text: "Hi" })).conversation.id,
        );
      } else if (roll < 0.5) {
        // A burst of messages, some to the same conversation (one group commit holds several).
        await Promise.all(
          Array.from({ length: 1 + Math.floor(Math.random() * 6) }, () =>
            conversations.append(
              {
                conversationId: pick(ids),
                sender: "customer",
                authorId: "x",
                authorName: "X",
                text: "hello",
              },
              (c) => {
                if (c.status === "resolved") throw new Error("resolved");
                // A customer's message ends a snooze in its commit (lib/chat/chat.ts).
                if (c.snoozedUntil && Math.random() < 0.5) return { snoozedUntil: null };
              },
            ).catch(() => {})),
        );
      } else if (roll < 0.95) {
        const kind = pick(["waiting", "human", "bot", "resolve", "label", "snooze"] as const);
        await conversations.change(pick(ids), (c) => {
          if (c.status === "resolved") return null;
          switch (kind) {
            case "waiting":
              return {
                next: { ...c, mode: "waiting", assigneeId: null, assigneeName: null },
                system: (n) => `number ${n}`,
              };
            case "human": {
              const agent = pick(agents);
              return { next: { ...c, mode: "human", assigneeId: agent, assigneeName: agent } };
            }
            case "bot":
              return { next: { ...c, mode: "bot", assigneeId: null, assigneeName: null } };
            case "resolve":
              return { next: { ...c, status: "resolved" } };
            case "snooze": {
              const until = pick([null, "reply", new Date(Date.now() + step * 1000).toISOString()]);
              return { next: { ...c, snoozedUntil: until } };
            }
            case "label": {
              const set = labels.filter(() => Math.random() < 0.5);
              return { next: { ...c, labels: set } };
            }
          }
        });
      } else {
        const [from, to] = [pick(customers), pick(customers)];
        if (from !== to) await moveConversations(store.kv, from.id, to);
      }
    }
    await assertIndexesMatch(store);
    const filters: ListFilter[] = [{}];
    for (const status of [undefined, "open", "resolved", "snoozed"] as const) {
      for (const mode of [undefined, "bot", "waiting", "human"] as const) {
        filters.push({ status, mode });
      }
      for (const agent of agents) filters.push({ status, assignee: agent });
      for (const label of labels) filters.push({ status, label }, { status, label, mode: "human" });
      for (const c of customers) filters.push({ status, customer: c.id });
    }
    await assertPagesMatch(store, filters);

    // The counts the tabs show.
    const records = await everything(store);
    const count = (f: ListFilter) => records.filter((c) => matches(c, f)).length;
    const counts = await store.lists.counts("agent-1", { assignee: "agent-2", label: "vip" });
    assertEquals(counts, {
      open: count({ status: "open" }),
      resolved: count({ status: "resolved" }),
      bot: count({ status: "open", mode: "bot" }),
      waiting: count({ status: "open", mode: "waiting" }),
      human: count({ status: "open", mode: "human" }),
      mine: count({ status: "open", assignee: "agent-1" }),
      snoozed: count({ status: "snoozed" }),
      assignee: {
        open: count({ status: "open", assignee: "agent-2" }),
        resolved: count({ status: "resolved", assignee: "agent-2" }),
      },
      label: {
        open: count({ status: "open", label: "vip" }),
        resolved: count({ status: "resolved", label: "vip" }),
      },
    });
  } finally {
    store.close();
  }
});

Deno.test("lists: a cursor that is not one of ours is a 400 naming the field", async () => {
  const store = createStore(await Deno.openKv(":memory:"));
  try {
    for (const cursor of ["nope", "%%%", btoa("2026-01-01T00:00:00.000Z")]) {
      const err = await store.lists.page({}, 10, cursor).then(() => null, (e) => e);
      assertEquals(err?.code, "bad_request");
      assert(String(err?.message).startsWith("cursor:"));
    }
  } finally {
    store.close();
  }
});
