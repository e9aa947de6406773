/**
 * Assignment: who gets a conversation that needs a human. The available agent with the fewest open
 * conversations under capacity wins; ties go to whoever has waited longest since their last
 * assignment. The assignment commit checks the agent's load counter (lib/store/conversations.ts),
 * so two instances never assign past capacity or give one conversation to two agents. With nobody
 * free the conversation waits in the queue, which drains in arrival order. An agent who goes
 * offline (by choice, or absent past the grace period: ./presence.ts) has their conversations
 * returned to the queue, keeping their place in line.
 *
 * Nothing here reads the whole queue: draining takes the head (one key) until nobody has room,
 * and a place in line comes from the queue's counters inside the commit that queues
 * (lib/store/queue.ts), so customers who ask at the same moment are told distinct numbers.
 */
import type { AuditInput } from "../store/audit.ts";
import { coalesced } from "../coalesce.ts";
import type { Store } from "../store/mod.ts";
import type { AgentState, UserRecord } from "../store/users.ts";
import type { Changed, Decision } from "../store/conversations.ts";
import type { AgentStatus, Conversation } from "../contract/types.ts";
import { type Clock, systemClock } from "../clock.ts";
import { conflict } from "../errors.ts";
import { isolateName } from "../contract/text.ts";

/** Where committed changes go (lib/realtime/publisher.ts). */
export interface AssignmentEvents {
  changed(result: Changed): void;
  /** An agent's status or capacity changed (their `agent` frames). */
  agentsChanged(agentIds: string[]): Promise<void>;
}

/** A message to commit with a handoff, given the conversation as the commit finds it. */
export type Say = (c: Conversation) => NonNullable<Decision>["say"];

const MEANWHILE = "an agent will join as soon as one is free, and I can keep helping meanwhile.";

/**
 * Outside business hours with nobody free (./business_hours.ts): when the team is back, and an
 * offer to take an email address to answer there.
 */
export const awayText = (reopens: string | null) =>
  `Our team is away right now${reopens ? ` and back ${reopens}` : ""}. Leave your email ` +
  "address and we'll answer there; I can keep helping meanwhile.";

/** Business hours now (./business_hours.ts); absent: always open. */
export type HoursNow = () => Promise<{ open: boolean; reopensText: string | null }>;

export class Assigner {
  constructor(
    private store: Store,
    private defaultCapacity: number,
    private events: AssignmentEvents,
    private clock: Clock = systemClock,
    private hoursNow?: HoursNow,
  ) {}

  /** An agent's capacity: their override, else the default. */
  capacity(state: AgentState): number {
    return state.capacity ?? this.defaultCapacity;
  }

  /** Capacity for routing: zero unless the agent is available. */
  #routingCapacity = (_id: string, state: AgentState) =>
    state.status === "available" ? this.capacity(state) : 0;

  /** Capacity for a transfer someone asked for: any status but offline, up to capacity. */
  transferCapacity = (_id: string, state: AgentState) =>
    state.status === "offline" ? 0 : this.capacity(state);

  /**
   * Capacity for an agent taking a conversation themselves: up to capacity whatever their status
   * (they are plainly there). Admins taking over are not limited (lib/chat/chat.ts).
   */
  takeoverCapacity = (_id: string, state: AgentState) => this.capacity(state);

  /** Available agents with room, best first. */
  async candidates(): Promise<{ record: UserRecord; state: AgentState }[]> {
    const staff = await this.store.users.listStaff();
    return staff
      .filter((s) => s.state.status === "available" && s.state.load < this.capacity(s.state))
      .sort((a, b) =>
        a.state.load - b.state.load ||
        (a.state.lastAssignedAt ?? "").localeCompare(b.state.lastAssignedAt ?? "")
      );
  }

  /**
   * Tries to give a bot or waiting conversation to an agent; null when nobody could take it.
   * `say` is committed with the assignment (see `requestHuman`).
   */
  async #assign(id: string, say?: Say): Promise<Changed | null> {
    for (const { record } of await this.candidates()) {
      const result = await this.store.conversations.change(
        id,
        (c) =>
          c.status !== "open" || c.mode === "human" ? null : {
            next: { ...c, mode: "human", assigneeId: record.id, assigneeName: record.name },
            system: `${isolateName(record.name)} joined the conversation.`,
            say: say?.(c),
          },
        this.#routingCapacity,
      );
      if (result) return result;
    }
    return null;
  }

  /**
   * The customer (or the bot) asks for a person: assign now, or queue. Nobody jumps the queue:
   * with conversations already waiting, this one joins the end and the queue drains in order.
   */
  async requestHuman(id: string): Promise<Conversation> {
    return (await this.#requestHuman(id)).conversation;
  }

  /**
   * The bot hands over: like `requestHuman`, with `say` (its handoff reply) committed in the same
   * commit as the move to `human` or `waiting`, before that move's system message, and only if
   * the conversation is still the bot's then (`say` is given the conversation as that commit
   * finds it). Returns the change that moved it, or null when it was no longer the bot's (nothing
   * of `say` was written then).
   */
  async botHandoff(id: string, say: Say): Promise<Changed | null> {
    return (await this.#requestHuman(id, say)).handoff;
  }

  async #requestHuman(
    id: string,
    say?: Say,
  ): Promise<{ conversation: Conversation; handoff: Changed | null }> {
    const current = await this.store.conversations.get(id);
    if (current?.status === "resolved") {
      throw conflict("This conversation is resolved. Start a new one to talk to us again.");
    }
    if (current?.mode === "waiting") await this.drainQueue();
    if (current && current.mode !== "bot") {
      return { conversation: (await this.store.conversations.get(id))!, handoff: null };
    }
    const queueEmpty = (await this.store.conversations.queue.head(1)).length === 0;
    const assigned = queueEmpty ? await this.#assign(id, say) : null;
    if (assigned) {
      this.events.changed(assigned);
      return { conversation: assigned.conversation, handoff: assigned };
    }
    // Joins the end of the line: the store stamps waitingSince in the queueing commit. Outside
    // business hours the message says when the team is back instead of a place in line.
    const hours = await this.hoursNow?.();
    const away = hours && !hours.open ? awayText(hours.reopensText) : null;
    const queued = await this.store.conversations.change(
      id,
      (c) =>
        c.status !== "open" || c.mode !== "bot" ? null : {
          next: { ...c, mode: "waiting", waitingSince: null },
          system: away ?? ((position) =>
            `All our agents are busy right now. You're number ${position} in the queue; ` +
            MEANWHILE),
          say: say?.(c),
        },
    );
    this.events.changed(queued!);
    // An agent may have freed up between the assignment attempt and the queueing commit.
    await this.drainQueue();
    const conversation = (await this.store.conversations.get(id)) ?? queued!.conversation;
    return { conversation, handoff: queued!.changed ? queued : null };
  }

  /**
   * Assigns waiting conversations in arrival order while agents have room: one read of the
   * queue's head per assignment.
   */
  readonly drainQueue: () => Promise<void> = coalesced(async () => {
    // Heads that turned out not to be waiting any more (changed meanwhile): not tried twice.
    const skipped = new Set<string>();
    for (;;) {
      const heads = await this.store.conversations.queue.head(skipped.size + 1);
      const head = heads.find((h) => !skipped.has(h.id));
      if (!head) return;
      const result = await this.#assign(head.id);
      if (!result) return;
      if (!result.changed) skipped.add(head.id);
      else this.events.changed(result);
    }
  });

  /**
   * An admin (or the agent, for their status) changes an agent's status or capacity. Going
   * offline returns their conversations to the queue; more room drains it.
   */
  async updateAgent(
    agentId: string,
    patch: { status?: AgentStatus; capacity?: number | null },
    audit?: AuditInput,
  ): Promise<AgentState> {
    const state = await this.store.users.updateState(agentId, patch, audit);
    if (state.status === "offline") await this.requeueFrom(agentId, "went offline");
    await this.drainQueue();
    await this.events.agentsChanged([agentId]);
    return (await this.store.users.agentState(agentId)).value ?? state;
  }

  /**
   * The presence sweeper found the agent absent past the grace period: offline (a checked
   * commit, so every instance may run this; repeats change nothing), conversations requeued.
   */
  async agentLeft(agentId: string): Promise<void> {
    const entry = await this.store.users.agentState(agentId);
    const wentOffline = entry.value && entry.value.status !== "offline" &&
      await this.store.users.replaceState(agentId, entry, { ...entry.value, status: "offline" });
    await this.requeueFrom(agentId, "is no longer connected");
    await this.drainQueue();
    if (wentOffline) await this.events.agentsChanged([agentId]);
  }

  /**
   * Returns every open human conversation assigned to `agentId` to the queue, at the place its
   * customer first asked for a person, with a system message telling them where they stand.
   */
  async requeueFrom(agentId: string, why: string): Promise<number> {
    let moved = 0;
    for (const conv of await this.store.conversations.listByAssignee(agentId)) {
      const since = conv.humanRequestedAt ?? new Date(this.clock.now()).toISOString();
      const result = await this.store.conversations.change(
        conv.id,
        (c) =>
          c.status !== "open" || c.mode !== "human" || c.assigneeId !== agentId ? null : {
            next: {
              ...c,
              mode: "waiting",
              assigneeId: null,
              assigneeName: null,
              waitingSince: since,
            },
            system: (position) =>
              `${isolateName(c.assigneeName ?? "Your agent")} ${why}. You're number ${position} ` +
              `in the queue; ${MEANWHILE}`,
          },
      );
      if (result?.changed) {
        moved++;
        this.events.changed(result);
      }
    }
    return moved;
  }
}
