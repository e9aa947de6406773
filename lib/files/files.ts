/**
 * The attachments service: who may upload to and read from a conversation, the upload (size,
 * name and content checks, then the chunked store: lib/store/attachments.ts), and reading a file
 * back. Messages carry files through `attachmentIds` (lib/chat/chat.ts → the group commit). The
 * sweeper here removes abandoned uploads and files never sent, on every instance (checked commits).
 */
import type { Store } from "../store/mod.ts";
import { attachmentInfo, type AttachmentRecord } from "../store/attachments.ts";
import { isStaff, type UserRecord } from "../store/users.ts";
import type { Attachment } from "../contract/types.ts";
import { conflict, notFound, tooLarge } from "../errors.ts";
import { checkFileName, sniffType } from "./sniff.ts";
import type { Logger } from "../log.ts";
import { idGenerator } from "../ids.ts";
import type { Clock } from "../clock.ts";

export interface FilesOptions {
  /** ATTACHMENT_MAX_MB in bytes. */
  maxBytes: number;
  clock: Clock;
  log: Logger;
  /** Sweeper: how often, how long an upload may take, how long an unsent file is kept. */
  sweepEveryMs?: number;
  uploadTimeoutMs?: number;
  unusedTtlMs?: number;
}

export const megabytes = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MiB`;

export class Files {
  readonly #newId: () => string;
  #timer: ReturnType<typeof setInterval> | undefined;
  #sweeping: Promise<unknown> | null = null;

  constructor(private store: Store, private opts: FilesOptions) {
    this.#newId = idGenerator(opts.clock);
  }

  get maxBytes(): number {
    return this.opts.maxBytes;
  }

  /** The conversation's customer or staff may use its files; anyone else sees 404. */
  async #conversation(user: UserRecord, conversationId: string) {
    const conv = await this.store.conversations.get(conversationId);
    if (!conv || (!isStaff(user.role) && conv.customerId !== user.id)) {
      throw notFound("Conversation");
    }
    return conv;
  }

  /** Checks and stores one file for `conversationId`; a message sends it later. */
  async upload(
    user: UserRecord,
    conversationId: string,
    file: { name: string; bytes: Uint8Array },
  ): Promise<Attachment> {
    const conv = await this.#conversation(user, conversationId);
    if (conv.status === "resolved") {
      throw conflict("This conversation is resolved. Start a new conversation to send files.");
    }
    const name = checkFileName(file.name);
    if (file.bytes.length > this.opts.maxBytes) {
      throw tooLarge(`file: files are at most ${megabytes(this.opts.maxBytes)}`);
    }
    const type = await sniffType(name, file.bytes);
    const record = await this.store.attachments.save({
      id: this.#newId(),
      conversationId,
      customerId: conv.customerId,
      uploaderId: user.id,
      name,
      type,
    }, file.bytes);
    return attachmentInfo(record);
  }

  /**
   * A file and its bytes, for the conversation's customer and staff. A file of a conversation the
   * user can't see, or not fully stored, is 404, as an id that never existed.
   */
  async open(
    user: UserRecord,
    id: string,
  ): Promise<{ record: AttachmentRecord; body: ReadableStream<Uint8Array> }> {
    const record = await this.store.attachments.get(id);
    if (!record) throw notFound("File");
    if (!isStaff(user.role) && record.customerId !== user.id) {
      // The customer of a claimed conversation: the conversation decides.
      const conv = await this.store.conversations.get(record.conversationId);
      if (!conv || conv.customerId !== user.id) throw notFound("File");
    }
    return { record, body: this.store.attachments.stream(record) };
  }

  /** Every file of a customer's conversations (GDPR erasure calls this). */
  async deleteForCustomer(customerId: string): Promise<number> {
    const conversations = await this.store.conversations.listByCustomer(customerId);
    return await this.store.attachments.deleteForConversations(conversations.map((c) => c.id));
  }

  deleteForConversation(conversationId: string): Promise<number> {
    return this.store.attachments.deleteForConversation(conversationId);
  }

  /** One sweep (also what the timer runs): safe on every instance at once. */
  sweep() {
    return this.store.attachments.sweep({
      uploadTimeoutMs: this.opts.uploadTimeoutMs ?? 15 * 60_000,
      unusedTtlMs: this.opts.unusedTtlMs ?? 24 * 3600_000,
    });
  }

  start(): void {
    this.#timer = setInterval(() => {
      if (this.#sweeping) return;
      this.#sweeping = this.sweep()
        .catch((err) => this.opts.log.error("attachment sweep failed", { err: String(err) }))
        .finally(() => this.#sweeping = null);
    }, this.opts.sweepEveryMs ?? 10 * 60_000);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#sweeping;
  }
}
