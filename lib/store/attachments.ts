/**
 * Files uploaded to conversations, in Deno KV (key shapes in ./keys.ts): a manifest record plus
 * numbered chunks of at most 60 KiB (KV values stay under 64 KiB; works on Deno Deploy, no disk).
 *
 * Nothing half-written is ever served: an upload first sets a garbage marker, then writes the
 * chunks, then commits the manifest, which checks that marker untouched and deletes it. A crash
 * leaves chunks behind a marker that the sweeper (`sweep`, on every instance) claims with a
 * checked write before it deletes them; an upload whose marker was claimed fails its manifest
 * commit. Deleting a file is one commit (manifest gone, marker set) and the chunks go after it, so
 * every path is safe with several instances and after a crash.
 *
 * The manifest's `messageId` is null until a message carries the file: the message's commit
 * checks and rewrites the manifest (./group_commit.ts), so a file goes in one message at most.
 */
import { keys } from "./keys.ts";
import type { Attachment } from "../contract/types.ts";
import type { Clock } from "../clock.ts";
import { badRequest, unavailable } from "../errors.ts";
import { getManyBatched } from "./batch.ts";

export interface AttachmentRecord extends Attachment {
  conversationId: string;
  customerId: string;
  uploaderId: string;
  createdAt: string;
  /** Number of chunks under ["attachment_chunks", id, 0..chunks-1]. */
  chunks: number;
  /** The message that carries the file; null until one does. */
  messageId: string | null;
}

interface GarbageMarker {
  /** When the upload (or the collection) started, in ms; 0: a deleted file, collect at once. */
  since: number;
  claimed?: boolean;
}

export const CHUNK_BYTES = 60 * 1024;
/** Chunks per commit: 8 × 60 KiB stays well under a commit's 800 KiB of mutations. */
const CHUNKS_PER_COMMIT = 8;
/** Commits of chunks in flight at once during an upload. */
const PARALLEL_COMMITS = 3;

/** What `sweep` removes: uploads older than this without a manifest, and unsent files. */
export interface SweepOptions {
  uploadTimeoutMs: number;
  unusedTtlMs: number;
}

export const attachmentInfo = (r: AttachmentRecord): Attachment => ({
  id: r.id,
  name: r.name,
  type: r.type,
  size: r.size,
});

export class Attachments {
  constructor(private kv: Deno.Kv, private clock: Clock) {}

  /**
   * Stores `bytes` as the file `meta` describes, chunk by chunk, then commits its manifest.
   * Throws (503) when the sweeper took the upload for abandoned meanwhile.
   */
  async save(
    meta: Omit<AttachmentRecord, "chunks" | "messageId" | "createdAt" | "size">,
    bytes: Uint8Array,
  ): Promise<AttachmentRecord> {
    const marker = keys.attachmentGarbage(meta.id);
    const started = await this.kv.set(marker, { since: this.clock.now() } as GarbageMarker);
    const chunks = Math.ceil(bytes.length / CHUNK_BYTES);
    const commits: number[][] = [];
    for (let i = 0; i < chunks; i += CHUNKS_PER_COMMIT) {
      commits.push(
        Array.from({ length: Math.min(CHUNKS_PER_COMMIT, chunks - i) }, (_, j) => i + j),
      );
    }
    let next = 0;
    const writer = async () => {
      while (next < commits.length) {
        // Each commit checks the marker: once the sweeper claims it, no chunk lands after its
        // listing, so none is left behind.
        const op = this.kv.atomic().check({ key: marker, versionstamp: started.versionstamp });
        for (const i of commits[next++]) {
          op.set(
            keys.attachmentChunk(meta.id, i),
            bytes.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES),
          );
        }
        const res = await op.commit();
        if (!res.ok) throw unavailable("The upload took too long and was discarded; try again.");
      }
    };
    await Promise.all(Array.from({ length: PARALLEL_COMMITS }, writer));
    const record: AttachmentRecord = {
      ...meta,
      size: bytes.length,
      chunks,
      messageId: null,
      createdAt: new Date(this.clock.now()).toISOString(),
    };
    const res = await this.kv.atomic()
      .check({ key: marker, versionstamp: started.versionstamp })
      .check({ key: keys.attachment(meta.id), versionstamp: null })
      .set(keys.attachment(meta.id), record)
      .set(keys.attachmentByConversation(meta.conversationId, meta.id), null)
      .set(keys.attachmentUnused(record.createdAt, meta.id), null)
      .delete(marker)
      .commit();
    if (!res.ok) throw unavailable("The upload took too long and was discarded; try again.");
    return record;
  }

  async get(id: string): Promise<AttachmentRecord | null> {
    return (await this.kv.get<AttachmentRecord>(keys.attachment(id))).value;
  }

  /** The manifests of `ids` as entries (a message's commit checks them: ./group_commit.ts). */
  async entries(ids: string[]): Promise<Deno.KvEntryMaybe<AttachmentRecord>[]> {
    return ids.length ? await this.kv.getMany<AttachmentRecord[]>(ids.map(keys.attachment)) : [];
  }

  /** The file's bytes, chunk by chunk, read a few chunks at a time. */
  stream(record: AttachmentRecord): ReadableStream<Uint8Array> {
    const iter = this.kv.list<Uint8Array>(
      { prefix: keys.attachmentChunksPrefix(record.id) },
      { batchSize: 8 },
    );
    return new ReadableStream({
      async pull(controller) {
        const { value, done } = await iter.next();
        if (done) controller.close();
        else controller.enqueue(value.value);
      },
    });
  }

  /** Deletes every file of a conversation (GDPR erasure, retention). Returns how many. */
  async deleteForConversation(conversationId: string): Promise<number> {
    let n = 0;
    const prefix = keys.attachmentsByConversationPrefix(conversationId);
    for await (const e of this.kv.list({ prefix })) {
      if (await this.#discard(String(e.key[2]))) n++;
    }
    return n;
  }

  /** Deletes every file of these conversations (a customer's: lib/store/conversations.ts lists them). */
  async deleteForConversations(conversationIds: string[]): Promise<number> {
    let n = 0;
    for (const id of conversationIds) n += await this.deleteForConversation(id);
    return n;
  }

  /**
   * Removes the manifest (checked; `onlyUnused`: only if no message carries it) and marks its
   * chunks as garbage in one commit, then collects them. False when someone else got there first.
   */
  async #discard(id: string, onlyUnused = false): Promise<boolean> {
    const entry = await this.kv.get<AttachmentRecord>(keys.attachment(id));
    const r = entry.value;
    if (!r || (onlyUnused && r.messageId !== null)) return false;
    const res = await this.kv.atomic()
      .check(entry)
      .delete(keys.attachment(id))
      .delete(keys.attachmentByConversation(r.conversationId, id))
      .delete(keys.attachmentUnused(r.createdAt, id))
      .set(keys.attachmentGarbage(id), { since: 0 } as GarbageMarker)
      .commit();
    if (!res.ok) return false;
    await this.#collect(id);
    return true;
  }

  /**
   * Claims the garbage marker of `id` (a checked write, so one instance wins and an upload still
   * running fails its manifest commit), deletes the chunks, then the marker.
   */
  async #collect(id: string): Promise<void> {
    const marker = await this.kv.get<GarbageMarker>(keys.attachmentGarbage(id));
    if (!marker.value) return;
    const claim = await this.kv.atomic().check(marker)
      .set(keys.attachmentGarbage(id), { since: this.clock.now(), claimed: true } as GarbageMarker)
      .commit();
    if (!claim.ok) return;
    let op = this.kv.atomic(), n = 0;
    for await (const e of this.kv.list({ prefix: keys.attachmentChunksPrefix(id) })) {
      op.delete(e.key);
      if (++n % 500 === 0) await op.commit(), op = this.kv.atomic();
    }
    await op.commit();
    await this.kv.atomic().check({
      key: keys.attachmentGarbage(id),
      versionstamp: claim.versionstamp,
    })
      .delete(keys.attachmentGarbage(id)).commit();
  }

  /**
   * One pass of the sweeper: files uploaded more than `unusedTtlMs` ago that no message carries,
   * and chunks of uploads abandoned for `uploadTimeoutMs`. Safe on every instance at once.
   */
  async sweep(opts: SweepOptions): Promise<{ unused: number; abandoned: number }> {
    const now = this.clock.now();
    let unused = 0, abandoned = 0;
    const before = new Date(now - opts.unusedTtlMs).toISOString();
    const stale = this.kv.list({
      start: keys.attachmentsUnusedPrefix(),
      end: [
        ...keys.attachmentsUnusedPrefix(),
        before,
      ],
    });
    for await (const e of stale) {
      if (await this.#discard(String(e.key[2]), true)) unused++;
    }
    for await (const e of this.kv.list<GarbageMarker>({ prefix: keys.attachmentGarbagePrefix() })) {
      // 0: a deleted file. Otherwise an upload (or a collection: `claimed`) that started at
      // `since`; past the timeout it was abandoned, or its collector died: take it over.
      const { since } = e.value;
      if (since !== 0 && since + opts.uploadTimeoutMs > now) continue;
      await this.#collect(String(e.key[1]));
      abandoned++;
    }
    return { unused, abandoned };
  }
}

/**
 * The manifests of a message's files, read afresh on every attempt of its commit
 * (./group_commit.ts checks them): each must be of this conversation and in no message yet, nor in
 * `sent` (files of earlier messages of the same batch). A guessed id from elsewhere reads as
 * absent. Returns the error to refuse the message with otherwise.
 */
export async function usableFiles(
  kv: Deno.Kv,
  conversationId: string,
  ids: string[] | undefined,
  sent: Set<string>,
): Promise<Deno.KvEntry<AttachmentRecord>[] | Error> {
  if (!ids?.length) return [];
  const entries = await getManyBatched<AttachmentRecord>(kv, ids.map(keys.attachment));
  for (const [i, e] of entries.entries()) {
    if (!e.value || e.value.conversationId !== conversationId) {
      return badRequest(`attachmentIds.${i}: no uploaded file with that id in this conversation`);
    }
    if (e.value.messageId !== null || sent.has(e.value.id)) {
      return badRequest(`attachmentIds.${i}: that file was already sent in a message`);
    }
  }
  for (const id of ids) sent.add(id);
  return entries as Deno.KvEntry<AttachmentRecord>[];
}
