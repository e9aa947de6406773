/**
 * Who else on the team has a conversation open, and who is typing a reply or a note there (the
 * console, beside the open conversation). We announce "viewing" when we open it, again every
 * VIEWING_EVERY_MS while it stays open and once more when a colleague arrives (so they see us at
 * once), and "left" when we close it; a colleague not heard from for VIEWING_TTL_MS is gone.
 * These are `colleague` frames, which the server delivers to staff only; typing a reply is the
 * ordinary `typing` frame of an agent.
 */
import { signal } from "@preact/signals";
import type { ChatSocket } from "./chat_socket.ts";
import type { ColleagueActivity } from "../contract/frames.ts";

export const VIEWING_EVERY_MS = 20_000;
export const VIEWING_TTL_MS = 50_000;
const TYPING_TTL_MS = 8_000;

export interface Colleague {
  userId: string;
  name: string;
  /** "reply", "note", or null when not typing. */
  typing: "reply" | "note" | null;
}

interface Seen extends Colleague {
  until: number;
  typingUntil: number;
}

/** While a note is being typed, it is said again this often. */
const NOTE_REPEAT_MS = 3_000;

export class Colleagues {
  readonly list = signal<Colleague[]>([]);
  #seen = new Map<string, Seen>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #stop: (() => void) | null = null;

  constructor(
    private socket: ChatSocket,
    private conversationId: string,
    private selfId: string,
  ) {}

  start(): void {
    this.#stop = this.socket.subscribe(this.conversationId, {
      colleague: (f) => {
        if (f.userId === this.selfId) return;
        if (f.activity === "left") return this.#forget(f.userId);
        const known = this.#seen.has(f.userId);
        const typing = f.activity === "note"
          ? "note"
          : f.activity === "idle"
          ? null
          : this.#seen.get(f.userId)?.typing ?? null;
        this.#note(f.userId, f.name, typing);
        if (!known && f.activity === "viewing") this.#announce("viewing");
      },
      typing: (t) => {
        if (t.userId === this.selfId || (t.role !== "agent" && t.role !== "admin")) return;
        this.#note(t.userId, t.name, t.typing ? "reply" : null);
      },
    });
    const announce = () => this.#announce("viewing");
    this.#timer = setInterval(() => {
      announce();
      this.#expire();
    }, VIEWING_EVERY_MS / 2);
    // Also after a reconnect (subscriptions are renewed then, and colleagues may have come).
    const offReady = this.socket.onReady(announce);
    const stopSub = this.#stop;
    this.#stop = () => {
      offReady();
      stopSub();
    };
    announce();
  }

  /** Tell colleagues we are typing a note (true) or stopped (false). */
  typingNote(on: boolean): void {
    // Once per change, and again every few seconds while typing goes on (their view expires).
    const now = Date.now();
    if (on === this.#noting && (!on || now - this.#notedAt < NOTE_REPEAT_MS)) return;
    this.#noting = on;
    this.#notedAt = now;
    this.#announce(on ? "note" : "idle");
  }
  #noting = false;
  #notedAt = 0;

  stop(): void {
    clearInterval(this.#timer);
    this.#announce("left");
    this.#stop?.();
    this.#seen.clear();
    this.list.value = [];
  }

  #announce(activity: ColleagueActivity) {
    this.socket.colleague(this.conversationId, activity);
  }

  #note(userId: string, name: string, typing: Colleague["typing"]) {
    const now = Date.now();
    const prev = this.#seen.get(userId);
    this.#seen.set(userId, {
      userId,
      name,
      typing,
      until: now + VIEWING_TTL_MS,
      typingUntil: typing ? now + TYPING_TTL_MS : prev?.typingUntil ?? 0,
    });
    this.#publish();
  }

  #forget(userId: string) {
    this.#seen.delete(userId);
    this.#publish();
  }

  #expire() {
    const now = Date.now();
    for (const [id, s] of this.#seen) {
      if (s.until < now) this.#seen.delete(id);
      else if (s.typing && s.typingUntil < now) s.typing = null;
    }
    this.#publish();
  }

  #publish() {
    this.list.value = [...this.#seen.values()].map(({ userId, name, typing }) => ({
      userId,
      name,
      typing,
    }));
  }
}
