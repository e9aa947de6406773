/**
 * Two instances (Workers, each with its own KV handle on one temporary file, running the real
 * store and Assigner) route the same conversations at once, round after round with random timing.
 * After every round: no agent past capacity, load counters and indexes agree with the
 * conversations, no conversation given to two agents, and the queue index matches; so do the list
 * indexes and every counter.
 */
import { assert, assertEquals } from "./assert.ts";
import { createStore, type Store } from "../lib/store/mod.ts";
import { Assigner } from "../lib/assignment/assigner.ts";
import { quietEvents } from "./fixtures/routing_worker.ts";
import { retryWhenBusy } from "../lib/store/busy.ts";
import type { Conversation } from "../lib/contract/types.ts";
import type { WorkerRequest } from "./fixtures/routing_worker.ts";
import { assertIndexesMatch } from "./fixtures/list_checks.ts";

const ROUNDS = 30;
const PER_ROUND = 12;
const BUDGET_MS = 8_000;
const CAPACITY = 2;

function startWorker() {
  const worker = new Worker(new URL("./fixtures/routing_worker.ts", import.meta.url), {
    type: "module",
  });
  const call = (req: WorkerRequest, expect: string) =>
    new Promise<void>((resolve, reject) => {
      worker.onmessage = (e) => {
        if (e.data.type === expect) resolve();
        else reject(new Error(`worker: ${e.data.message ?? e.data.type}`));
      };
      worker.onerror = (e) => {
        e.preventDefault();
        reject(new Error(`worker failed: ${e.message}`));
      };
      worker.postMessage(req);
    });
  return { worker, call };
}

async function checkInvariants(
  store: Store,
  agents: { id: string; cap: number }[],
  convs: string[],
) {
  const all = await store.conversations.getMany(convs);
  for (const c of all) {
    const joins = (await store.conversations.messages(c.id))
      .filter((m) => m.sender === "system" && / joined the conversation\.$/.test(m.text));
    assert(joins.length <= 1, `conversation ${c.id} assigned ${joins.length} times`);
    if (c.mode === "human") {
      assertEquals(joins.length, 1);
      assertEquals(joins[0].text, `${c.assigneeName} joined the conversation.`);
    }
  }
  for (const { id, cap } of agents) {
    const held = all.filter((c) =>
      c.status === "open" && c.mode === "human" && c.assigneeId === id
    );
    const state = (await store.users.agentState(id)).value!;
    const indexed = await store.conversations.listByAssignee(id);
    assertEquals(state.load, held.length, "load counter");
    assertEquals(indexed.map((c) => c.id).sort(), held.map((c) => c.id).sort(), "assignee index");
    assert(held.length <= cap, `agent over capacity: ${held.length} > ${cap}`);
  }
  const waiting = all.filter((c) => c.status === "open" && c.mode === "waiting").map((c) => c.id);
  const queued = (await store.conversations.listWaiting()).map((c) => c.id);
  assertEquals(queued.sort(), waiting.sort(), "queue index");
  // The list indexes, counters and queue counters moved with every commit of both instances.
  await assertIndexesMatch(store);
}

Deno.test("two instances on one KV file never exceed capacity nor double-assign", async () => {
  const dir = await Deno.makeTempDir({ prefix: "parley-routing-" });
  const kvPath = `${dir}/kv.sqlite`;
  const kv = await Deno.openKv(kvPath);
  const store = createStore(retryWhenBusy(kv));
  const router = new Assigner(store, CAPACITY, quietEvents);
  const workers = [startWorker(), startWorker()];
  try {
    const agents: { id: string; cap: number }[] = [];
    for (const [i, cap] of [1, 2, 3].entries()) {
      const rec = await store.users.create({
        name: `Agent ${i}`,
        email: `a${i}@x.test`,
        role: "agent",
      });
      await store.users.updateState(rec.id, {
        status: "available",
        capacity: cap === 2 ? null : cap,
      });
      agents.push({ id: rec.id, cap });
    }
    const customer = await store.users.create({ name: "Cust", role: "guest" });
    await Promise.all(
      workers.map((w) => w.call({ type: "init", kvPath, capacity: CAPACITY }, "ready")),
    );

    const started = Date.now();
    let rounds = 0, assignedTotal = 0, queuedTotal = 0;
    while (rounds < ROUNDS && Date.now() - started < BUDGET_MS) {
      rounds++;
      const ids: string[] = [];
      for (let i = 0; i < PER_ROUND; i++) {
        ids.push(
          (await store.conversations.create(customer, { name: "Bot", text: "Hi" })).conversation.id,
        );
      }
      const resolveChance = Math.random() * 0.3;
      await Promise.all(workers.map((w) => w.call({ type: "round", ids, resolveChance }, "done")));
      await checkInvariants(store, agents, ids);

      // What the sweeper's safety net does: one more drain leaves nobody waiting beside free room.
      await router.drainQueue();
      await checkInvariants(store, agents, ids);
      const room = (await router.candidates()).length;
      const stillWaiting = (await store.conversations.listWaiting()).length;
      assert(room === 0 || stillWaiting === 0, "conversations wait while an agent has room");

      const convs = await store.conversations.getMany(ids);
      assignedTotal += convs.filter((c: Conversation) => c.firstAssignedAt).length;
      queuedTotal += convs.filter((c) => c.waitingSince || c.mode === "waiting").length;
      // Close the round: everything still open is resolved, so loads return to zero.
      for (const c of convs) {
        await store.conversations.change(
          c.id,
          (x) => x.status === "resolved" ? null : { next: { ...x, status: "resolved" } },
        );
      }
      for (const { id } of agents) assertEquals((await store.users.agentState(id)).value!.load, 0);
    }
    if (Deno.env.get("DEBUG_ROUTING")) console.log({ rounds, assignedTotal, queuedTotal });
    assert(rounds >= 5, `only ${rounds} rounds ran`);
    assert(assignedTotal > rounds * 3, "assignments happened");
    assert(queuedTotal > 0 || assignedTotal > 0);
  } finally {
    await Promise.all(workers.map((w) => w.call({ type: "close" }, "closed").catch(() => {})));
    for (const w of workers) w.worker.terminate();
    kv.close();
    await Deno.remove(dir, { recursive: true });
  }
});
