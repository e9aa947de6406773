/**
 * GDPR: an admin exports everything stored about a customer, or erases the customer and every
 * record that names them (../store/erase.ts, driven by the registry ../store/belongings.ts). Only
 * customers and guests: an agent's or admin's id is refused (400). Each erasure is logged.
 *
 * Seam for the audit log: `PrivacyHooks.exported` and `erased` run after the fact with who did it
 * (the lead connects them to the audit log when merging).
 */
import type { Store } from "../store/mod.ts";
import { isStaff, type UserRecord } from "../store/users.ts";
import { type CustomerExport, exportCustomer } from "../store/export.ts";
import { badRequest, notFound } from "../errors.ts";
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";

export interface PrivacyHooks {
  exported?(by: UserRecord, customerId: string): void | Promise<void>;
  erased?(by: UserRecord, customerId: string, conversations: number): void | Promise<void>;
}

export class Privacy {
  constructor(
    private store: Store,
    /** Resolves an open conversation before it is erased (Chat.closeForErasure). */
    private closeOpen: (conversationId: string) => Promise<void>,
    private clock: Clock,
    private log: Logger,
    private hooks: PrivacyHooks = {},
  ) {}

  async #customer(id: string): Promise<Deno.KvEntry<UserRecord>> {
    const entry = await this.store.users.getEntry(id);
    if (!entry) throw notFound("Customer");
    if (isStaff(entry.value.role)) {
      throw badRequest("id: that is an agent or admin, not a customer.");
    }
    return entry;
  }

  async export(by: UserRecord, customerId: string): Promise<CustomerExport> {
    const { value } = await this.#customer(customerId);
    const data = await exportCustomer(
      this.store.kv,
      value,
      new Date(this.clock.now()).toISOString(),
    );
    this.log.info("customer exported", { customerId, by: by.id });
    await this.hooks.exported?.(by, customerId);
    return data;
  }

  /** Erases the customer and everything that names them; resolves when done. */
  async erase(by: UserRecord, customerId: string): Promise<void> {
    for (;;) {
      const entry = await this.#customer(customerId);
      if (await this.store.eraser.startCustomer(entry)) break;
    }
    const conversations = await this.#finish(customerId);
    this.log.info("customer erased", { customerId, by: by.id, conversations });
    await this.hooks.erased?.(by, customerId, conversations);
  }

  async #finish(customerId: string): Promise<number> {
    let count = 0;
    await this.store.eraser.finishCustomer(customerId, this.closeOpen, () => count++);
    return count;
  }

  /** Finishes erasures a crash interrupted (the retention sweeper calls this on every instance). */
  async resumePending(): Promise<number> {
    const pending = await this.store.eraser.pendingCustomers();
    for (const customerId of pending) {
      const conversations = await this.#finish(customerId);
      this.log.info("customer erasure resumed", { customerId, conversations });
    }
    return pending.length;
  }
}
