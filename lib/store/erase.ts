/**
 * Deleting conversations and customers, with everything the registry (./belongings.ts) says
 * belongs to them, in bounded commits (at most `BATCH` deletes each, no checks), safe when two
 * instances do it at once and after a crash:
 *
 * - a conversation's parts go first, in batches (deletes are idempotent); its record goes last,
 *   in one commit that checks the record's versionstamp and removes its list indexes, counters
 *   and queue place (./lists.ts `unindex`). Until that commit the conversation is still listed,
 *   so a crash leaves it to be erased again; a second instance's final commit fails its check
 *   and changes nothing, so counters move once. Only resolved conversations are erased here: an
 *   open one is resolved first by the caller (its agent's load, the queue, the live consoles).
 * - a customer: one commit checks their record and writes an erasure job (`["erasures", id]`:
 *   their indexes and conversation ids, so a crash can resume) while deleting the record, so no
 *   session works and no conversation can start from then on. Then each conversation is erased,
 *   the scanned parts are searched, and the job is deleted last.
 */
import { keys } from "./keys.ts";
import type { UserRecord } from "./users.ts";
import type { Conversation, Message } from "../contract/types.ts";
import { batchEntry, type IndexEntry, postingsOf, searchTerms } from "./search.ts";
import { getManyBatched } from "./batch.ts";
import { unindex } from "./lists.ts";
import {
  conversationParts,
  customerIndexPrefixes,
  customerKeys,
  type Place,
  scannedParts,
  type Subject,
} from "./belongings.ts";

/** Deletes per commit: well under KV's 1,000 mutations. */
export const BATCH = 200;

export interface ErasureJob {
  customerId: string;
  /** The name and email their search entries were made from (the record is gone meanwhile). */
  searchText?: string;
  /** Keys derived from the record (unique indexes, sign-in limits), deleted if still theirs. */
  derivedKeys: Deno.KvKey[];
  conversationIds: string[];
  startedAt: string;
}

export type ConversationErased = "erased" | "gone" | "open";

export class Eraser {
  constructor(
    private kv: Deno.Kv,
    private now: () => string,
    /** A conversation's files: manifests and chunks are keyed by file, found through its index. */
    private attachments?: { deleteForConversation(id: string): Promise<number> },
  ) {}

  /**
   * Every part of a conversation: its files first (through their index), its search entries
   * (keyed by word, so found from the texts they were made from), then the registry's.
   */
  async #deleteParts(id: string, conversation: Conversation | null, customerText?: string) {
    await this.attachments?.deleteForConversation(id);
    await this.#deleteSearch(id, conversation, customerText);
    await this.deletePlaces(conversationParts.flatMap((p) => p.of(id)));
  }

  /**
   * The conversation's search entries (./search.ts), and the words of its customer's name and
   * email. `customerText`: the name and email the erasure job kept (the record is gone by then);
   * otherwise read from the record and the user. A message's words are found from its text:
   *
   * 1. its pending entry goes (not indexed yet), with any entries of its own (older indexes);
   * 2. the erasure counter is bumped, so an indexer batch that read one of those pending entries
   *    before step 1 fails its commit (./search_indexer.ts) and lists the queue again;
   * 3. each word's batch entry named by its ["search_done"] marker loses it, and the marker goes.
   */
  async #deleteSearch(id: string, conversation: Conversation | null, customerText?: string) {
    const messages: Message[] = [];
    for await (const e of this.kv.list<Message>({ prefix: keys.messagesPrefix(id) })) {
      messages.push(e.value);
    }
    const doomed: Deno.KvKey[] = [];
    for (const m of messages) {
      doomed.push(keys.searchPending(m.id), keys.searchPendingRun(m.id));
      for (const t of searchTerms(m.text ?? "")) doomed.push(keys.searchMessage(t, m.id));
    }
    let text = `${customerText ?? ""} ${conversation?.customerName ?? ""}`;
    if (customerText === undefined && conversation) {
      const user = (await this.kv.get<UserRecord>(keys.user(conversation.customerId))).value;
      text += ` ${user?.name ?? ""} ${user?.email ?? ""}`;
    }
    for (const t of searchTerms(text, 120)) doomed.push(keys.searchCustomer(t, id));
    await this.#deleteKeys(doomed);
    await this.kv.atomic().sum(keys.searchEraseGen(), 1n).commit();
    await this.#dropFromBatches(messages);
  }

  /**
   * Takes `messages` (one conversation's) out of the indexer's batch entries that hold them (step
   * 3 above). A marker names its message's batch, or the batch and the seqs of the conversation's
   * messages there (./search_indexer.ts).
   */
  async #dropFromBatches(messages: Message[]) {
    const bySeq = new Map(messages.map((m) => [m.seq, m]));
    const marks = await getManyBatched<unknown>(
      this.kv,
      messages.map((m) => keys.searchDone(m.id)),
    );
    const inBatch: { m: Message; batch: string }[] = [];
    const markers: Deno.KvKey[] = [];
    messages.forEach((m, i) => {
      const mark = marks[i].value;
      if (mark === null) return;
      markers.push(marks[i].key);
      if (typeof mark === "string") return void inBatch.push({ m, batch: mark });
      const { b, s } = mark as { b?: unknown; s?: unknown };
      if (typeof b !== "string" || !Array.isArray(s)) return;
      for (const seq of s) {
        const named = bySeq.get(seq);
        if (named) inBatch.push({ m: named, batch: b });
      }
    });
    const drops = new Map<string, { key: Deno.KvKey; pairs: Set<string> }>();
    for (const { m, batch } of inBatch) {
      for (const t of searchTerms(m.text ?? "")) {
        const key = keys.searchMessage(t, batch);
        const name = `${t}\u0000${batch}`;
        const drop = drops.get(name) ?? { key, pairs: new Set<string>() };
        drop.pairs.add(`${m.conversationId}\u0000${m.seq}`);
        drops.set(name, drop);
      }
    }
    const all = [...drops.values()];
    // Ten entries per commit, each checked: the most checks any KV allows (./group_commit.ts).
    for (let i = 0; i < all.length; i += 10) await this.#rewrite(all.slice(i, i + 10));
    await this.#deleteKeys(markers);
  }

  /** Rewrites batch entries without the pairs named; checked, so two erasures at once retry. */
  async #rewrite(drops: { key: Deno.KvKey; pairs: Set<string> }[]) {
    for (let attempt = 1;; attempt++) {
      const entries = await getManyBatched<IndexEntry>(this.kv, drops.map((d) => d.key));
      const op = this.kv.atomic();
      entries.forEach((e, j) => {
        if (!e.value || !("p" in e.value)) return;
        const all = postingsOf(e.value);
        const kept = all.filter(({ c, s }) => !drops[j].pairs.has(`${c}\u0000${s}`));
        if (kept.length === all.length) return;
        op.check(e);
        if (kept.length) op.set(e.key, batchEntry(kept.reverse()));
        else op.delete(e.key);
      });
      if ((await op.commit()).ok) return;
      if (attempt >= 20) throw new Error("search entries kept changing during an erasure");
    }
  }

  /** Deletes `doomed`, BATCH per commit. */
  async #deleteKeys(doomed: Deno.KvKey[]) {
    for (let i = 0; i < doomed.length; i += BATCH) {
      const op = this.kv.atomic();
      for (const key of doomed.slice(i, i + BATCH)) op.delete(key);
      await op.commit();
    }
  }

  /** Deletes every key at `places`, `BATCH` at a time. Returns how many. */
  async deletePlaces(places: Place[]): Promise<number> {
    let n = 0;
    for (const place of places) {
      if ("key" in place) {
        await this.kv.delete(place.key);
        continue;
      }
      for (;;) {
        const batch: Deno.KvKey[] = [];
        for await (const e of this.kv.list({ prefix: place.prefix }, { limit: BATCH })) {
          batch.push(e.key);
        }
        if (!batch.length) break;
        const op = this.kv.atomic();
        for (const key of batch) op.delete(key);
        await op.commit();
        n += batch.length;
        if (batch.length < BATCH) break;
      }
    }
    return n;
  }

  /** Erases one resolved conversation and its parts ("open": refused, nothing deleted). */
  async eraseConversation(id: string, customerText?: string): Promise<ConversationErased> {
    for (;;) {
      const entry = await this.kv.get<Conversation>(keys.conversation(id));
      if (!entry.value) {
        // Gone already (another instance's final commit): parts left by a crash go too.
        await this.#deleteParts(id, null, customerText);
        return "gone";
      }
      if (entry.value.status !== "resolved") return "open";
      await this.#deleteParts(id, entry.value, customerText);
      const op = this.kv.atomic().check(entry).delete(keys.conversation(id));
      unindex(op, entry.value);
      if ((await op.commit()).ok) return "erased";
    }
  }

  /**
   * Starts erasing a customer: deletes their record and writes the job, in one checked commit.
   * False when the record changed meanwhile (read it again and retry).
   */
  async startCustomer(entry: Deno.KvEntry<UserRecord>): Promise<boolean> {
    const record = entry.value;
    const conversationIds: string[] = [];
    for await (const e of this.kv.list({ prefix: keys.byCustomerPrefix(record.id) })) {
      conversationIds.push(String(e.key[2]));
    }
    const derivedKeys = (await customerKeys(record)).slice(1);
    const job: ErasureJob = {
      customerId: record.id,
      searchText: `${record.name} ${record.email ?? ""}`,
      derivedKeys,
      conversationIds,
      startedAt: this.now(),
    };
    const res = await this.kv.atomic().check(entry)
      .set(keys.erasure(record.id), job)
      .delete(keys.user(record.id))
      .commit();
    return res.ok;
  }

  /** Customers whose erasure was started and not finished (a crash): resume them. */
  async pendingCustomers(): Promise<string[]> {
    const out: string[] = [];
    for await (const e of this.kv.list({ prefix: keys.erasuresPrefix() })) {
      out.push(String(e.key[1]));
    }
    return out;
  }

  /**
   * Finishes a started erasure: `closeOpen(id)` resolves an open conversation (the caller knows
   * how to tell agents and the queue). Idempotent; returns false if no job was found.
   */
  async finishCustomer(
    customerId: string,
    closeOpen: (conversationId: string) => Promise<void>,
    onErased?: () => void,
  ): Promise<boolean> {
    const job = (await this.kv.get<ErasureJob>(keys.erasure(customerId))).value;
    if (!job) return false;
    // Conversations started between the listing and the job's commit are in the index too.
    const ids = new Set(job.conversationIds);
    for await (const e of this.kv.list({ prefix: keys.byCustomerPrefix(customerId) })) {
      ids.add(String(e.key[2]));
    }
    for (const id of ids) {
      let result = await this.eraseConversation(id, job.searchText);
      if (result === "open") {
        await closeOpen(id);
        result = await this.eraseConversation(id, job.searchText);
      }
      if (result === "erased") onErased?.();
    }
    await this.deletePlaces(customerIndexPrefixes(customerId).map((prefix) => ({ prefix })));
    for (const key of job.derivedKeys) {
      const entry = await this.kv.get(key);
      // A unique index may name someone else by now (the email was taken again): keep that.
      if (entry.versionstamp && (typeof entry.value !== "string" || entry.value === customerId)) {
        await this.kv.atomic().check(entry).delete(key).commit();
      }
    }
    await this.deleteScanned({ customerId, conversationIds: ids });
    await this.kv.delete(keys.erasure(customerId));
    return true;
  }

  /** Deletes the records of the scanned parts that name `subject`. */
  async deleteScanned(subject: Subject): Promise<number> {
    let n = 0;
    for (const part of scannedParts) {
      let op = this.kv.atomic(), inOp = 0;
      for await (const e of this.kv.list({ prefix: part.prefix })) {
        if (!part.names(e.value, subject)) continue;
        op.delete(e.key);
        n++;
        if (++inOp >= BATCH) {
          await op.commit();
          op = this.kv.atomic();
          inOp = 0;
        }
      }
      if (inOp) await op.commit();
    }
    return n;
  }

  /** Resolved conversations whose last change is older than `beforeIso`, oldest first. */
  async resolvedBefore(beforeIso: string, limit: number): Promise<string[]> {
    const out: { at: string; id: string }[] = [];
    for (const mode of ["bot", "waiting", "human"]) {
      const iter = this.kv.list({
        start: keys.byStatePrefix("resolved", mode),
        end: [...keys.byStatePrefix("resolved", mode), beforeIso],
      }, { limit });
      for await (const e of iter) out.push({ at: String(e.key[3]), id: String(e.key[4]) });
    }
    out.sort((a, b) => a.at.localeCompare(b.at));
    return out.slice(0, limit).map((x) => x.id);
  }
}
