/**
 * Reading the conversation lists (indexes written by ./lists.ts; key shapes in ./keys.ts): pages
 * of the whole store, newest activity first, with filters and an opaque cursor, and the filter
 * counts from their counters.
 *
 * A page merges a few sources, each already in (updatedAt, id) order: index lanes read backwards
 * from the cursor (["by_state", status, mode], ["by_label", label, status],
 * ["by_customer_resolved", …], ["by_assignee_resolved", …]) and, for a customer's or an agent's
 * open conversations (few), the records sorted in memory. The cursor is the position (updatedAt,
 * id) of the last conversation looked at, so it stays valid whatever moves meanwhile. Every
 * candidate's record is read and must still match the filter and the entry's time (a record that
 * changed between the listing and the read shows at its new place instead). Filters the lanes
 * don't cover (mode with a label, label with an assignee) are applied to the records, with at
 * most SCAN_BUDGET candidates looked at per page: a page may then be short, with a `next`.
 */
import { keys } from "./keys.ts";
import type {
  Conversation,
  ConversationCounts,
  ConversationMode,
  ConversationStatus,
} from "../contract/types.ts";
import { getManyBatched } from "./batch.ts";
import { countOf } from "./counters.ts";
import { labelsOf, laneOf } from "./lists.ts";
import { badRequest } from "../errors.ts";
import { publicRecord } from "./client_ids.ts";

/** A status filter: the contract's, or "snoozed" (open and snoozed: lib/chat/snooze.ts). */
export type StatusFilter = ConversationStatus | "snoozed";

export interface ListFilter {
  /** "open" leaves out snoozed conversations (except in a customer's own list). */
  status?: StatusFilter;
  mode?: ConversationMode;
  /** An agent's id ("me" is resolved by the caller). */
  assignee?: string;
  label?: string;
  /** A customer's own conversations. */
  customer?: string;
}

export interface Page {
  conversations: Conversation[];
  /** The cursor of the next page, or null at the end. */
  next: string | null;
}

/** What the filter tabs show (lib/contract/types.ts). */
export type Counts = ConversationCounts;

/** Position in a list: newest activity first, then the higher id. */
interface Position {
  t: string;
  id: string;
}

interface Candidate extends Position {
  record?: Conversation;
}

/** Candidates looked at per page at most (filters applied to records can skip many). */
const SCAN_BUDGET = 2000;
const STATUSES: ConversationStatus[] = ["open", "resolved"];
/** The state lanes (["by_state", lane, mode]): snoozed conversations have their own. */
const LANES: StatusFilter[] = ["open", "resolved", "snoozed"];
const MODES: ConversationMode[] = ["bot", "waiting", "human"];

const before = (a: Position, b: Position) => a.t < b.t || (a.t === b.t && a.id < b.id);
const newestFirst = (a: Position, b: Position) => before(a, b) ? 1 : before(b, a) ? -1 : 0;

export function encodeCursor(p: Position): string {
  return btoa(`${p.t}\u0000${p.id}`).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeCursor(cursor: string): Position {
  try {
    const [t, id, extra] = atob(cursor.replace(/-/g, "+").replace(/_/g, "/")).split("\u0000");
    if (extra === undefined && t && id && !Number.isNaN(Date.parse(t)) && id.length <= 64) {
      return { t, id };
    }
  } catch {
    // not base64: below
  }
  throw badRequest("cursor: not a cursor from this list; start again without it.");
}

/** A source of candidates, newest first, strictly after `from` (or from the top). */
type Source = (from: Position | null, limit: number) => Promise<Candidate[]>;

export class ConversationLists {
  constructor(private kv: Deno.Kv) {}

  /** One page of `filter`'s conversations after `cursor`, newest activity first. */
  async page(filter: ListFilter, limit: number, cursor?: string): Promise<Page> {
    let from = cursor ? decodeCursor(cursor) : null;
    const sources = this.#sources(filter);
    const out: Conversation[] = [];
    const seen = new Set<string>();
    let scanned = 0;
    while (out.length < limit && scanned < SCAN_BUDGET) {
      const want = limit - out.length;
      const lists = await Promise.all(sources.map((s) => s(from, want + 1)));
      const merged = lists.flat().sort(newestFirst);
      const taken = merged.slice(0, want);
      if (!taken.length) return { conversations: out, next: null };
      const unread = taken.filter((c) => !c.record);
      const records = await getManyBatched<Conversation>(
        this.kv,
        unread.map((c) => keys.conversation(c.id)),
      );
      unread.forEach((c, i) => c.record = records[i].value ?? undefined);
      for (const c of taken) {
        const r = c.record;
        if (r && r.updatedAt === c.t && matches(r, filter) && !seen.has(r.id)) {
          seen.add(r.id);
          out.push(publicRecord(r));
        }
      }
      scanned += taken.length;
      from = taken.at(-1)!;
      if (merged.length <= want) return { conversations: out, next: null };
    }
    return { conversations: out, next: encodeCursor(from!) };
  }

  /** The tab counts for `readerId`, with the filter's assignee and label counts. */
  async counts(readerId: string, filter: ListFilter = {}): Promise<Counts> {
    const wanted: Deno.KvKey[] = [
      ...STATUSES.flatMap((s) => MODES.map((m) => keys.countState(s, m))),
      keys.countAssignee(readerId, "open"),
      ...MODES.map((m) => keys.countState("snoozed", m)),
    ];
    if (filter.assignee) {
      wanted.push(...STATUSES.map((s) => keys.countAssignee(filter.assignee!, s)));
    }
    if (filter.label) wanted.push(...STATUSES.map((s) => keys.countLabel(filter.label!, s)));
    const v = (await getManyBatched(this.kv, wanted)).map((e) => countOf(e.value));
    const [bot, waiting, human, rBot, rWaiting, rHuman, mine] = v;
    const counts: Counts = {
      open: bot + waiting + human,
      resolved: rBot + rWaiting + rHuman,
      bot,
      waiting,
      human,
      mine,
    };
    counts.snoozed = v[7] + v[8] + v[9];
    let i = 10;
    if (filter.assignee) counts.assignee = { open: v[i++], resolved: v[i++] };
    if (filter.label) counts.label = { open: v[i++], resolved: v[i++] };
    return counts;
  }

  /** The sources whose union holds every match of `filter` (records are checked after). */
  #sources(f: ListFilter): Source[] {
    // Customers' and agents' open lists and labels keep snoozed ones under "open" (records are
    // filtered after); the state lanes have a lane of their own for them.
    const statuses = [...new Set((f.status ? [f.status] : STATUSES).map(plain))];
    const lane = (prefix: Deno.KvKey): Source => (from, limit) => this.#lane(prefix, from, limit);
    if (f.customer) {
      const customer = f.customer;
      return statuses.map((s) =>
        s === "open"
          ? this.#few(keys.customerOpenPrefix(customer))
          : lane(keys.customerResolvedPrefix(customer))
      );
    }
    if (f.assignee) {
      const agent = f.assignee;
      return statuses.map((s) =>
        s === "open"
          ? this.#few(keys.byAssigneePrefix(agent))
          : lane(keys.assigneeResolvedPrefix(agent))
      );
    }
    if (f.label) return statuses.map((s) => lane(keys.byLabelPrefix(f.label!, s)));
    const modes = f.mode ? [f.mode] : MODES;
    const lanes = f.status ? [f.status] : LANES;
    return lanes.flatMap((s) => modes.map((m) => lane(keys.byStatePrefix(s, m))));
  }

  /** A lane [...prefix, updatedAt, id], read backwards from `from`. */
  async #lane(prefix: Deno.KvKey, from: Position | null, limit: number): Promise<Candidate[]> {
    const selector = from ? { prefix, end: [...prefix, from.t, from.id] } : { prefix };
    const out: Candidate[] = [];
    const iter = this.kv.list(selector, { reverse: true, limit, batchSize: limit });
    for await (const e of iter) {
      out.push({ t: String(e.key[prefix.length]), id: String(e.key[prefix.length + 1]) });
    }
    return out;
  }

  /** A few conversations kept by id ([...prefix, id]), sorted by activity here. */
  #few(prefix: Deno.KvKey): Source {
    let sorted: Promise<Candidate[]> | null = null;
    const load = async () => {
      const ids: string[] = [];
      for await (const e of this.kv.list({ prefix })) ids.push(String(e.key[prefix.length]));
      const entries = await getManyBatched<Conversation>(
        this.kv,
        ids.map((id) => keys.conversation(id)),
      );
      const found = entries.flatMap((e) => e.value ? [e.value] : []);
      return found.map((r) => ({ t: r.updatedAt, id: r.id, record: r })).sort(newestFirst);
    };
    return async (from, limit) => {
      const all = await (sorted ??= load());
      return all.filter((c) => !from || before(c, from)).slice(0, limit);
    };
  }
}

/** Whether `c` is in `filter`'s list. */
export function matches(c: Conversation, f: ListFilter): boolean {
  const status = !f.status ||
    (f.customer ? c.status === plain(f.status) : laneOf(c) === f.status);
  return status && (!f.mode || c.mode === f.mode) &&
    (!f.assignee || c.assigneeId === f.assignee) &&
    (!f.label || labelsOf(c).includes(f.label)) &&
    (!f.customer || c.customerId === f.customer);
}

/** A status filter as a record's `status`: snoozed conversations are open. */
function plain(s: StatusFilter): ConversationStatus {
  return s === "snoozed" ? "open" : s;
}
