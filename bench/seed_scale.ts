/**
 * Seeds a KV file with a large store for the scale benchmark (bench/scale.ts), in batched commits
 * straight to KV — written the way Parley wrote before list indexes existed (the records, the
 * customer index, the queue's ["waiting", …] entries and first messages), so that the server's
 * start-up migration (lib/store/migrations.ts) builds the indexes, and is measured doing it.
 *
 * The store: `conversations` over the last 90 days, newest created last; most resolved (by the
 * bot, or by one of `agents` seeded agents), `waiting` in the queue, the rest open with the bot.
 * One customer per 5 conversations.
 */
import type { Conversation } from "../lib/contract/types.ts";
import { monotonicFactory } from "ulid";

export interface SeedPlan {
  conversations: number;
  waiting: number;
  /** Open conversations with the bot (the rest are resolved). */
  openBot: number;
  /** Ids the resolved human conversations name as their assignee. */
  agents: number;
}

export interface Seeded {
  ms: number;
  /** A seeded agent id and how many resolved conversations name it. */
  agent: { id: string; resolved: number };
}

const DAY = 86_400_000;

/** Writes the plan's store into `path` (a fresh file); returns how long it took. */
export async function seedScaleStore(path: string, plan: SeedPlan): Promise<Seeded> {
  const started = performance.now();
  const kv = await Deno.openKv(path);
  const nextId = monotonicFactory();
  const now = Date.now();
  const span = 90 * DAY;
  // Which conversations are waiting or open: spread over the newest fifth of the store.
  const recent = Math.max(plan.waiting + plan.openBot, Math.floor(plan.conversations / 5));
  const firstRecent = plan.conversations - recent;
  let perAgent = 0;
  // Ids as Parley makes them (ULIDs): the API refuses any other shape.
  const agentIds = Array.from({ length: plan.agents }, () => nextId(now - span));
  const customerIds: string[] = [];
  const customerOf = (j: number) => customerIds[Math.floor(j / 5)] ??= nextId(now - span);
  // Waiting ones every `step` among the recent, open bot ones in between, the rest resolved.
  const step = Math.max(1, Math.floor(recent / Math.max(1, plan.waiting)));
  let waitingLeft = plan.waiting, botLeft = plan.openBot;
  const kindOf = (k: number): "resolved" | "waiting" | "bot" => {
    if (k < 0) return "resolved";
    if (waitingLeft > 0 && k % step === 0) return waitingLeft--, "waiting";
    const slotsLeft = recent - k;
    if (botLeft > 0 && (k % 2 === 1 || slotsLeft <= botLeft + waitingLeft)) return botLeft--, "bot";
    return "resolved";
  };
  try {
    for (let i = 0; i < plan.conversations; i += 250) {
      const op = kv.atomic();
      for (let j = i; j < Math.min(plan.conversations, i + 250); j++) {
        const created = now - span + Math.floor((span * j) / plan.conversations);
        const id = nextId(created);
        const kind = kindOf(j - firstRecent);
        const human = kind === "resolved" && j % 3 === 0;
        const agent = human ? agentIds[j % plan.agents] : null;
        if (agent === agentIds[0]) perAgent++;
        const at = (ms: number) => new Date(ms).toISOString();
        const updated = created + 4 * 60_000;
        const c: Omit<Conversation, "labels"> = {
          id,
          customerId: customerOf(j),
          customerName: `Customer ${Math.floor(j / 5)}`,
          status: kind === "resolved" ? "resolved" : "open",
          mode: kind === "waiting" ? "waiting" : human ? "human" : "bot",
          assigneeId: agent,
          assigneeName: agent ? `Agent ${j % plan.agents}` : null,
          createdAt: at(created),
          updatedAt: at(updated),
          lastSeq: 1,
          lastMessage: {
            sender: "bot",
            authorName: "Parley Assistant",
            text: "Hi! How can I help?",
            createdAt: at(created),
          },
          waitingSince: kind === "waiting" ? at(updated) : null,
          botMisses: 0,
          humanRequestedAt: kind === "waiting" || human ? at(created + 60_000) : null,
          firstAssignedAt: human ? at(created + 90_000) : null,
          resolvedAt: kind === "resolved" ? at(updated) : null,
        };
        op.set(["conversations", id], c)
          .set(["conversations_by_customer", c.customerId, id], null)
          .set(["messages", id, 1], {
            id: nextId(created),
            conversationId: id,
            seq: 1,
            sender: "bot",
            authorId: "bot",
            authorName: "Parley Assistant",
            text: "Hi! How can I help?",
            createdAt: c.createdAt,
          });
        if (c.waitingSince) op.set(["waiting", c.waitingSince, id], null);
      }
      const res = await op.commit();
      if (!res.ok) throw new Error("seeding commit failed");
    }
  } finally {
    kv.close();
  }
  return {
    ms: Math.round(performance.now() - started),
    agent: { id: agentIds[0], resolved: perAgent },
  };
}
