/**
 * Unread agent and bot messages over a visitor's open conversations, for the widget panel
 * (./panel.ts): counts from the server's list, then every new message from the other side while it
 * is not seen. Each new agent or bot message is reported once (`onMessage`: the launcher's title,
 * sound and `on("message")`), wherever it lands. The open conversations not on screen are followed
 * by light watchers (one socket subscription each, from their last known seq); a read receipt of
 * this visitor's other tab clears a count.
 */
import { signal } from "@preact/signals";
import type { Conversation, Message } from "../../contract/types.ts";
import type { ChatSocket } from "../chat_socket.ts";

const fromOthers = (m: Message) => m.sender === "agent" || m.sender === "bot";

export class UnreadTracker {
  readonly counts = signal<Record<string, number>>({});
  /** Per conversation, the highest seq already reported (history counts as reported). */
  #reported = new Map<string, number>();
  #watchers = new Map<string, () => void>();

  constructor(
    private onMessage: (message: Message) => void,
    private self: () => string | undefined,
  ) {}

  /** The server's counts, from a list carrying `unread`. */
  load(list: (Conversation & { unread?: number })[]): void {
    const counts = { ...this.counts.peek() };
    for (const c of list) counts[c.id] = c.status === "open" ? c.unread ?? 0 : 0;
    this.counts.value = counts;
  }

  /** Messages up to `seq` were loaded as history: nothing to report about them. */
  known(id: string, seq: number): void {
    this.#reported.set(id, Math.max(this.#reported.get(id) ?? 0, seq));
  }

  /** A message arrived in conversation `id`; `seen`: it is on screen for the visitor right now. */
  arrived(id: string, message: Message, seen: boolean): void {
    if (message.seq <= (this.#reported.get(id) ?? 0)) return;
    this.#reported.set(id, message.seq);
    if (!fromOthers(message)) return;
    if (!seen) this.#set(id, (this.counts.peek()[id] ?? 0) + 1);
    this.onMessage(message);
  }

  /** Everything in `id` has been read (here, or by this visitor's other tab up to `seq`). */
  read(id: string, seq = Infinity): void {
    if (seq >= (this.#reported.get(id) ?? 0) && this.counts.peek()[id]) this.#set(id, 0);
  }

  /**
   * Watchers for `conversations` that are open and not `onScreen` (whose model subscribes itself);
   * none for the others. `changed` hears their state.
   */
  watch(
    socket: ChatSocket | null,
    conversations: Conversation[],
    onScreen: string | undefined,
    changed: (c: Conversation) => void,
  ): void {
    const wanted = new Set(
      conversations.filter((c) => c.status === "open" && c.id !== onScreen).map((c) => c.id),
    );
    for (const id of this.#watchers.keys()) if (!wanted.has(id)) this.unwatch(id);
    if (!socket) return;
    for (const c of conversations) {
      if (!wanted.has(c.id) || this.#watchers.has(c.id)) continue;
      this.known(c.id, c.lastSeq);
      this.#watchers.set(
        c.id,
        socket.subscribe(c.id, {
          message: (m) => this.arrived(c.id, m, false),
          conversation: changed,
          read: (r) => r.userId === this.self() && this.read(c.id, r.seq),
        }, this.#reported.get(c.id)),
      );
    }
  }

  /** Stops watching `id` (its model is about to subscribe, after the history it reads). */
  unwatch(id: string): void {
    this.#watchers.get(id)?.();
    this.#watchers.delete(id);
  }

  reset(): void {
    for (const stop of this.#watchers.values()) stop();
    this.#watchers.clear();
    this.#reported.clear();
    this.counts.value = {};
  }

  #set(id: string, count: number) {
    this.counts.value = { ...this.counts.peek(), [id]: count };
  }
}
