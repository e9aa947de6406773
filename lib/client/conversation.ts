/**
 * What one open conversation looks like in the browser: its state, its messages (unique and in
 * `seq` order), the sends still waiting for their ack, who is typing and what the bot is drafting.
 * Both the customer chat and the agent console use it; it talks through the shared ChatSocket.
 */
import { batch, signal } from "@preact/signals";
import type { Conversation, Message, Role } from "../contract/types.ts";
import { type ChatSocket, SendError } from "./chat_socket.ts";
import { newClientId } from "./api.ts";

export interface PendingSend {
  clientId: string;
  text: string;
  createdAt: string;
  status: "sending" | "failed";
  error?: string;
}

export interface Typist {
  userId: string;
  name: string;
  role: Role | "bot";
}

/** How long a typing indicator lasts without a fresh typing frame. */
const TYPING_TTL_MS = 8_000;
/** Minimum gap between our own "typing: true" frames. */
const TYPING_EVERY_MS = 3_000;

export class ConversationModel {
  readonly conversation = signal<Conversation>(null as unknown as Conversation);
  readonly messages = signal<Message[]>([]);
  readonly pending = signal<PendingSend[]>([]);
  readonly typing = signal<Typist[]>([]);
  readonly draft = signal<string | null>(null);
  /** The highest seq someone else has read. */
  readonly readSeq = signal(0);
  /** While waiting for an agent: the place in line (1 = next), once the server has said. */
  readonly queuePosition = signal<number | null>(null);
  #typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  #typingSentAt = 0;
  /**
   * We hold every message up to this seq: the history we started with, then what the subscription
   * delivered (in order, gap-filled). An ack's message doesn't count: a send can be acknowledged
   * before `attach` subscribes, and subscribing after it would skip what came before it.
   */
  #complete: number;

  constructor(
    /** A getter, so a model can be built while rendering on the server, before any socket. */
    private socket: () => ChatSocket,
    conversation: Conversation,
    messages: Message[],
    private selfId: () => string | undefined,
  ) {
    this.conversation.value = conversation;
    for (const m of messages) this.#add(m);
    this.#complete = this.messages.peek().at(-1)?.seq ?? 0;
  }

  get id(): string {
    return this.conversation.peek().id;
  }

  /** Subscribes after the messages we hold without a gap; returns the function that detaches. */
  attach(): () => void {
    const unsubscribe = this.socket().subscribe(this.id, {
      message: (m) => {
        this.#complete = Math.max(this.#complete, m.seq);
        this.#add(m);
      },
      conversation: (c) => {
        if (c.updatedAt < this.conversation.peek().updatedAt) return;
        batch(() => {
          this.conversation.value = c;
          if (c.mode !== "waiting" || c.status !== "open") this.queuePosition.value = null;
        });
      },
      queue: (q) => {
        const c = this.conversation.peek();
        if (c.mode === "waiting" && c.status === "open") this.queuePosition.value = q.position;
      },
      typing: (t) => this.#onTyping(t),
      draft: (d) => this.draft.value = d.text,
      read: (r) => {
        if (r.userId !== this.selfId() && r.seq > this.readSeq.peek()) this.readSeq.value = r.seq;
      },
    }, this.#complete);
    return () => {
      unsubscribe();
      for (const timer of this.#typingTimers.values()) clearTimeout(timer);
      this.#typingTimers.clear();
    };
  }

  /** Shows the message at once as "sending"; the ack confirms it. */
  send(text: string, clientId = newClientId()): void {
    const entry: PendingSend = {
      clientId,
      text,
      createdAt: new Date().toISOString(),
      status: "sending",
    };
    this.pending.value = [...this.pending.peek().filter((p) => p.clientId !== clientId), entry];
    this.#typingSentAt = 0;
    this.socket().typing(this.id, false);
    this.socket().send(this.id, text, clientId).then(
      (message) => this.#add(message),
      (error: SendError) => {
        if (error.code === "superseded") return;
        this.pending.value = this.pending.peek().map((p) =>
          p.clientId === clientId ? { ...p, status: "failed", error: error.message } : p
        );
      },
    );
  }

  retry(clientId: string): void {
    const entry = this.pending.peek().find((p) => p.clientId === clientId);
    if (entry) this.send(entry.text, clientId);
  }

  /** Call on every keystroke in the composer; sends at most one typing frame per few seconds. */
  inputChanged(text: string): void {
    const now = Date.now();
    if (text.trim() === "") {
      if (this.#typingSentAt) this.socket().typing(this.id, false);
      this.#typingSentAt = 0;
    } else if (now - this.#typingSentAt > TYPING_EVERY_MS) {
      this.#typingSentAt = now;
      this.socket().typing(this.id, true);
    }
  }

  /** Tells the other side we have read up to the last message. */
  markRead(): void {
    const last = this.messages.peek().at(-1);
    if (last) this.socket().read(this.id, last.seq);
  }

  #add(message: Message): void {
    const list = this.messages.peek();
    if (list.some((m) => m.seq === message.seq)) return;
    const next = [...list, message];
    if (list.length > 0 && list[list.length - 1].seq > message.seq) {
      next.sort((a, b) => a.seq - b.seq);
    }
    batch(() => {
      this.messages.value = next;
      if (message.clientId) {
        this.pending.value = this.pending.peek().filter((p) => p.clientId !== message.clientId);
      }
      if (message.sender === "bot") this.draft.value = null;
      this.#stopTyping(message.authorId);
    });
  }

  #onTyping(t: { userId: string; name: string; role: Role | "bot"; typing: boolean }) {
    if (t.userId === this.selfId()) return;
    clearTimeout(this.#typingTimers.get(t.userId));
    if (!t.typing) return this.#stopTyping(t.userId);
    this.#typingTimers.set(t.userId, setTimeout(() => this.#stopTyping(t.userId), TYPING_TTL_MS));
    const others = this.typing.peek().filter((x) => x.userId !== t.userId);
    this.typing.value = [...others, { userId: t.userId, name: t.name, role: t.role }];
  }

  #stopTyping(userId: string) {
    clearTimeout(this.#typingTimers.get(userId));
    this.#typingTimers.delete(userId);
    if (this.typing.peek().some((x) => x.userId === userId)) {
      this.typing.value = this.typing.peek().filter((x) => x.userId !== userId);
    }
  }
}
