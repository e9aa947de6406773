/**
 * One filtered list of conversations in the browser (a tab of the agent console, the admin page's
 * table), loaded a page at a time from GET /api/conversations (`cursor` → `next`) and kept right
 * by the inbox's `conversation` frames, also for conversations no page has brought yet:
 *
 * - a conversation that now matches the filter is placed where it sorts, if that is within what
 *   is loaded (anything below the last loaded row comes with a later page instead);
 * - one that no longer matches is removed; a frame older than what is shown is ignored.
 *
 * Pages and frames can overlap (a page fetched while a frame arrives); rows are kept once, the
 * newest state winning.
 */
import { signal } from "@preact/signals";
import type { Conversation, ConversationCounts } from "../contract/types.ts";
import { api, ApiError } from "./api.ts";

/** A conversation as the server lists it for its reader (with `unread`). */
export type Listed = Conversation & { unread?: number };

export interface ListResponse {
  conversations: Listed[];
  next: string | null;
  counts?: ConversationCounts;
}

/** Newest activity first, then the higher id (the server's order). */
export const byActivity = (a: Conversation, b: Conversation) =>
  b.updatedAt.localeCompare(a.updatedAt) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** `incoming` merged into `known`, one row per id (the newer state), in list order. */
function merge<T extends Conversation>(known: T[], incoming: T[]): T[] {
  const rows = new Map(known.map((c) => [c.id, c]));
  for (const c of incoming) {
    const had = rows.get(c.id);
    if (!had || c.updatedAt >= had.updatedAt) rows.set(c.id, had ? { ...had, ...c } : c);
  }
  return [...rows.values()].sort(byActivity);
}

export class PagedList {
  readonly items = signal<Listed[]>([]);
  /** The next page's cursor; null once everything is loaded. */
  readonly next = signal<string | null>(null);
  readonly loading = signal(false);
  readonly error = signal<string | null>(null);
  /** Bumped by `reload`: a page requested before it is dropped. */
  #generation = 0;

  /**
   * `query`: the filter as a query string ("status=open&mode=waiting"); `matches`: the same
   * filter, for live frames; `first`: a first page already fetched (server-rendered pages).
   */
  constructor(
    readonly query: string,
    readonly matches: (c: Conversation) => boolean,
    first?: ListResponse,
    readonly pageSize = 50,
  ) {
    if (first) {
      this.items.value = [...first.conversations].sort(byActivity);
      this.next.value = first.next;
    }
  }

  #url(cursor: string | null) {
    const params = new URLSearchParams(this.query);
    params.set("limit", String(this.pageSize));
    if (cursor) params.set("cursor", cursor);
    return `/api/conversations?${params}`;
  }

  /**
   * The first page again (on load, after a reconnect): it replaces what is loaded, keeping rows
   * that frames brought meanwhile and that sort above it.
   */
  async reload(): Promise<ListResponse | null> {
    const generation = ++this.#generation;
    this.loading.value = true;
    try {
      const page = await api<ListResponse>("GET", this.#url(null));
      if (generation !== this.#generation) return null;
      const top = page.conversations.map((c) => c.updatedAt).sort().at(-1) ?? "";
      const live = this.items.peek().filter((c) => c.updatedAt > top && this.matches(c));
      this.items.value = merge(page.conversations, live);
      this.next.value = page.next;
      this.error.value = null;
      return page;
    } catch (e) {
      if (generation === this.#generation) this.error.value = messageOf(e);
      return null;
    } finally {
      if (generation === this.#generation) this.loading.value = false;
    }
  }

  /** The next page, if any and none is loading. */
  async loadMore(): Promise<ListResponse | null> {
    const cursor = this.next.peek();
    if (!cursor || this.loading.peek()) return null;
    const generation = this.#generation;
    this.loading.value = true;
    try {
      const page = await api<ListResponse>("GET", this.#url(cursor));
      if (generation !== this.#generation) return null;
      this.items.value = merge(this.items.peek(), page.conversations);
      this.next.value = page.next;
      this.error.value = null;
      return page;
    } catch (e) {
      if (generation === this.#generation) this.error.value = messageOf(e);
      return null;
    } finally {
      if (generation === this.#generation) this.loading.value = false;
    }
  }

  /** A conversation's new state, from a frame or an action's answer. */
  apply(c: Conversation): void {
    const list = this.items.peek();
    const known = list.find((x) => x.id === c.id);
    if (known && known.updatedAt > c.updatedAt) return;
    if (!this.matches(c)) {
      if (known) this.items.value = list.filter((x) => x.id !== c.id);
      return;
    }
    const last = list.at(-1);
    const belowLoaded = !known && this.next.peek() !== null && last !== undefined &&
      byActivity(last, c) < 0;
    if (belowLoaded) return; // a later page brings it
    this.items.value = merge(list, [c]);
  }
}

function messageOf(e: unknown): string {
  return e instanceof ApiError ? e.message : "Could not load the conversations.";
}
