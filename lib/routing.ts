/**
 * Routing: who gets a conversation that needs a human. The available agent with the fewest open
 * conversations under capacity wins; ties go to whoever has waited longest since their last
 * assignment. The assignment commit checks the agent's load counter (lib/store/conversations.ts),
 * so two instances never assign past capacity or give one conversation to two agents. With nobody
 * free the conversation waits in the queue, which drains in arrival order.
 */
import type { Config } from "./config.ts";
import type { Store } from "./store/mod.ts";
import type { AgentState, UserRecord } from "./store/users.ts";
import type { Changed } from "./store/conversations.ts";
import type { Conversation } from "./types.ts";
import { conflict } from "./errors.ts";

export type Publish = (result: Changed) => void;

export class Router {
  #draining: Promise<void> | null = null;
  #drainAgain = false;

  constructor(private store: Store, private config: Config, private publish: Publish) {}

  /** An agent's capacity: their override, else the default. */
  capacity(state: AgentState): number {
    return state.capacity ?? this.config.agentCapacity;
  }

  /** Capacity for routing: zero unless the agent is available. */
  #routingCapacity = (_id: string, state: AgentState) =>
    state.status === "available" ? this.capacity(state) : 0;

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

  /** Tries to give a bot or waiting conversation to an agent; null when nobody could take it. */
  async #assign(id: string): Promise<Changed | null> {
    for (const { record } of await this.candidates()) {
      const result = await this.store.conversations.change(
        id,
        (c) =>
          c.status !== "open" || c.mode === "human" ? null : {
            next: { ...c, mode: "human", assigneeId: record.id, assigneeName: record.name },
            system: `${record.name} joined the conversation.`,
          },
        this.#routingCapacity,
      );
      if (result) return result;
    }
    return null;
  }

  /** The customer (or the bot) asks for a person: assign now, or queue. */
  async requestHuman(id: string): Promise<Conversation> {
    const current = await this.store.conversations.get(id);
    if (current?.status === "resolved") {
      throw conflict("This conversation is resolved. Start a new one to talk to us again.");
    }
    const assigned = await this.#assign(id);
    if (assigned?.changed) {
      this.publish(assigned);
      return assigned.conversation;
    }
    if (assigned) return assigned.conversation;
    const position = (await this.store.conversations.listWaiting()).length + 1;
    const queued = await this.store.conversations.change(
      id,
      (c) =>
        c.status !== "open" || c.mode !== "bot" ? null : {
          next: { ...c, mode: "waiting" },
          system: `All our agents are busy right now. You're number ${position} in the queue; ` +
            "an agent will join as soon as one is free, and I can keep helping meanwhile.",
        },
    );
    if (queued?.changed) this.publish(queued);
    return queued!.conversation;
  }

  /** Assigns waiting conversations in arrival order while agents have room. */
  drainQueue(): Promise<void> {
    if (this.#draining) {
      this.#drainAgain = true;
      return this.#draining;
    }
    this.#draining = (async () => {
      do {
        this.#drainAgain = false;
        for (const conv of await this.store.conversations.listWaiting()) {
          const result = await this.#assign(conv.id);
          if (!result) break;
          if (result.changed) this.publish(result);
        }
      } while (this.#drainAgain);
    })().finally(() => this.#draining = null);
    return this.#draining;
  }
}
