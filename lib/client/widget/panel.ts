/**
 * The widget panel's state, without the UI (islands/WidgetPanel.tsx draws it): who the visitor is
 * (a token in the panel's own storage, sent as Bearer and as the socket's first frame — never a
 * cookie), their conversations, and the one on screen (a ConversationModel: resume with `after`,
 * dedupe by seq, resend by clientId). Unread counts: ./unread.ts.
 *
 * One socket subscription per open conversation: the one on screen belongs to its model, every
 * other open one to an unread watcher. Switching hands a conversation from one to the other without
 * a gap: the watcher stops, the history is read, the model subscribes after it. Operations that
 * change who the visitor is run one at a time (`serial`).
 */
import { batch, computed, effect, signal, untracked } from "@preact/signals";
import type { Conversation, Message, User } from "../../contract/types.ts";
import type { Identity } from "./protocol.ts";
import { api, ApiError, browserTimeZone } from "../api.ts";
import { ChatSocket } from "../chat_socket.ts";
import { ConversationModel } from "../conversation.ts";
import { KEYS, panelStorage } from "./panel_storage.ts";
import { UnreadTracker } from "./unread.ts";

export type Listed = Conversation & { unread?: number };

const HISTORY = 200;
/** How long a signed-out tab waits for another tab to store the session that replaced its own. */
const SIGNED_OUT_GRACE_MS = 1000;
const newestFirst = (a: Conversation, b: Conversation) => b.updatedAt.localeCompare(a.updatedAt);

export class WidgetSession {
  readonly user = signal<User | null>(null);
  readonly socket = signal<ChatSocket | null>(null);
  readonly conversations = signal<Listed[]>([]);
  readonly current = signal<ConversationModel | null>(null);
  readonly loading = signal(true);
  /** Set by the UI: the panel is open, the tab visible, and the conversation on screen. */
  readonly seen = signal(false);
  /** Unread agent and bot messages over the open conversations. */
  readonly totalUnread = computed(() =>
    this.conversations.value.filter((c) => c.status === "open")
      .reduce((sum, c) => sum + (this.unread.value[c.id] ?? 0), 0)
  );
  #token: string | null = null;
  #ops: Promise<unknown> = Promise.resolve();
  #stops: (() => void)[] = [];

  readonly #unread: UnreadTracker;
  /** Unread messages per conversation. */
  readonly unread: UnreadTracker["counts"];

  constructor(onMessage: (message: Message) => void) {
    this.#unread = new UnreadTracker(onMessage, () => this.user.peek()?.id);
    this.unread = this.#unread.counts;
  }

  get token(): string | null {
    return this.#token;
  }

  /** Loads the visitor (if the storage has a token) and follows changes from other tabs. */
  async start(): Promise<void> {
    await panelStorage.ready;
    this.#token = panelStorage.get(KEYS.token);
    this.#stops.push(this.#followCurrent());
    // Signed out under us (logout or identify in another tab, an expired session): follow the
    // token the other tab left, or become a fresh guest.
    this.#stops.push(effect(() => {
      if (this.socket.value?.state.value !== "signed-out") return;
      const dead = untracked(() => this.#token);
      void this.serial(() => this.#signedOut(dead));
    }));
    this.#stops.push(panelStorage.onChange((name, value) => {
      if (name === KEYS.token && value !== this.#token) {
        void this.serial(() => this.adopt(value, null, false));
      } else if (name === KEYS.conversation && value) {
        void this.serial(async () => {
          await this.refresh();
          if (!this.current.peek()) await this.select(value);
        });
      }
    }));
    await this.serial(() => this.adopt(this.#token, null, false));
  }

  /** Runs `op` after the ones before it (sign-in changes must not interleave). */
  serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.#ops.then(op, op);
    this.#ops = run.catch(() => undefined);
    return run;
  }

  /**
   * Becomes the visitor behind `token` (null: a fresh guest, created on the first message), and
   * stores it for the other tabs unless `persist` is false.
   */
  async adopt(token: string | null, user: User | null = null, persist = true): Promise<void> {
    if (persist && token !== this.#token) panelStorage.set(KEYS.token, token);
    this.#token = token;
    this.#reset();
    if (token) {
      try {
        user ??= (await this.#api<{ user: User }>("GET", "/api/auth/me")).user;
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 401)) throw error;
        return await this.adopt(null); // expired or signed out elsewhere
      }
      this.user.value = user;
      const url = `${
        location.protocol === "https:" ? "wss" : "ws"
      }://${location.host}/ws?auth=frame`;
      this.socket.value = new ChatSocket({ token, url });
      await this.refresh();
      const latest = this.conversations.peek().find((c) => c.status === "open");
      if (latest) await this.select(latest.id);
    }
    this.loading.value = false;
  }

  /** Re-reads the list (newest first, with `unread`) and watches every open conversation. */
  async refresh(): Promise<void> {
    if (!this.#token) return;
    const { conversations } = await this.#api<{ conversations: Listed[] }>(
      "GET",
      "/api/conversations",
    );
    batch(() => {
      this.conversations.value = conversations.sort(newestFirst);
      this.#unread.load(conversations);
    });
    this.#rewatch();
  }

  /** Puts a conversation on screen (null: a new one, started by the next message). */
  async select(id: string | null): Promise<void> {
    const previous = this.current.peek();
    if (previous?.id === id) return;
    if (id === null) {
      this.#detachCurrent();
      this.current.value = null;
      return this.#rewatch();
    }
    this.#unread.unwatch(id); // its model subscribes instead, after the history it reads now
    const { conversation } = await this.#api<{ conversation: Conversation }>(
      "GET",
      `/api/conversations/${id}`,
    );
    const { messages } = await this.#api<{ messages: Message[] }>(
      "GET",
      `/api/conversations/${id}/messages?after=${
        Math.max(0, conversation.lastSeq - HISTORY)
      }&limit=${HISTORY}`,
    );
    this.#unread.known(id, messages.at(-1)?.seq ?? 0);
    const model = new ConversationModel(
      () => this.socket.peek()!,
      conversation,
      messages,
      () => this.user.peek()?.id,
    );
    this.#detachCurrent();
    this.current.value = model;
    this.#rewatch();
    // The model's subscription (after its history), plus read receipts of this visitor's other
    // tabs, which the model ignores but the unread count needs.
    const socket = this.socket.peek();
    if (!socket) return;
    const stopReads = socket.subscribe(id, {
      read: (r) => {
        if (r.userId === this.user.peek()?.id) this.#unread.read(id, r.seq);
      },
    }, messages.at(-1)?.seq ?? 0);
    const detach = model.attach();
    this.#detachCurrent = () => {
      detach();
      stopReads();
      this.#detachCurrent = () => {};
    };
  }

  #detachCurrent: () => void = () => {};

  /** The conversation on screen if it is open, else a new one (and a guest first, if needed). */
  async ensureConversation(): Promise<ConversationModel> {
    const current = this.current.peek();
    if (current && current.conversation.peek().status === "open") return current;
    await this.ensureVisitor();
    const { conversation } = await this.#api<{ conversation: Conversation }>(
      "POST",
      "/api/conversations",
    );
    this.conversations.value = [conversation, ...this.conversations.peek()];
    panelStorage.set(KEYS.conversation, conversation.id);
    await this.select(conversation.id);
    return this.current.peek()!;
  }

  /** A guest identity if the visitor has none yet (named, when the pre-chat form asked). */
  async ensureVisitor(name?: string): Promise<void> {
    if (this.#token) return;
    const issued = await this.#api<{ user: User; token: string }>(
      "POST",
      "/api/auth/guest",
      { ...(name ? { name } : {}), timeZone: browserTimeZone() },
    );
    await this.adopt(issued.token, issued.user);
  }

  /** The site vouched for the visitor (`Parley("identify", …)`). */
  async identify(identity: Identity): Promise<User> {
    const result = await this.#api<{ user: User; token: string }>(
      "POST",
      "/api/widget/identify",
      { ...identity, timeZone: browserTimeZone() },
    );
    if (result.token !== this.#token) await this.adopt(result.token, result.user);
    else this.user.value = result.user;
    return result.user;
  }

  /** `Parley("logout")`: the session ends, and the visitor is a fresh guest. */
  async logout(): Promise<void> {
    if (this.#token) await this.#api("POST", "/api/auth/logout").catch(() => undefined);
    panelStorage.set(KEYS.preChat, null);
    await this.adopt(null);
  }

  /** Stores the name and email the pre-chat or offline form collected. */
  async saveContact(contact: { name?: string; email?: string }): Promise<void> {
    const { user } = await this.#api<{ user: User }>("PUT", "/api/widget/profile", contact);
    this.user.value = user;
  }

  /**
   * Whether anyone on the team is online, and whether it is within business hours (and when the
   * team is back): the offline form says so honestly.
   */
  async availability(): Promise<{ online: boolean; open: boolean; reopensText: string | null }> {
    return await this.#api("GET", "/api/widget/availability");
  }

  /** The customer asks for a person in the conversation on screen (started first, if needed). */
  async handoff(): Promise<Conversation> {
    const model = await this.ensureConversation();
    const { conversation } = await this.#api<{ conversation: Conversation }>(
      "POST",
      `/api/conversations/${model.id}/handoff`,
    );
    model.conversation.value = conversation;
    return conversation;
  }

  /**
   * Our session ended on the server. Another tab that just identified or signed out stores the
   * session that replaced it a moment later: wait for that, then follow it, or become a guest —
   * clearing the stored token only if it is still the dead one.
   */
  async #signedOut(dead: string | null): Promise<void> {
    if (this.#token !== dead) return; // already moved on
    await new Promise((resolve) => setTimeout(resolve, SIGNED_OUT_GRACE_MS));
    const stored = panelStorage.get(KEYS.token);
    if (stored && stored !== dead) return await this.adopt(stored, null, false);
    if (stored === dead) panelStorage.set(KEYS.token, null);
    await this.adopt(null, null, false);
  }

  close(): void {
    for (const stop of this.#stops.splice(0)) stop();
    this.#reset();
  }

  #api<T>(method: string, path: string, body?: unknown): Promise<T> {
    return api<T>(method, path, body, { token: this.#token });
  }

  #reset() {
    this.#detachCurrent();
    this.#unread.reset();
    this.socket.peek()?.close();
    batch(() => {
      this.socket.value = null;
      this.user.value = null;
      this.current.value = null;
      this.conversations.value = [];
    });
  }

  /** Reports the on-screen conversation's new messages; reads them while seen. */
  #followCurrent(): () => void {
    return effect(() => {
      const model = this.current.value;
      if (!model) return;
      const messages = model.messages.value;
      const seen = this.seen.value;
      untracked(() => {
        for (const m of messages) this.#unread.arrived(model.id, m, seen);
        if (seen && messages.length > 0) {
          model.markRead();
          this.#unread.read(model.id);
        }
      });
    });
  }

  /** Watchers for the open conversations that are not on screen. */
  #rewatch() {
    this.#unread.watch(
      this.socket.peek(),
      this.conversations.peek(),
      this.current.peek()?.id,
      (next) => this.#replace(next),
    );
  }

  #replace(next: Conversation) {
    this.conversations.value = this.conversations.peek()
      .map((c) => c.id === next.id ? { ...next, unread: c.unread } : c).sort(newestFirst);
  }
}
