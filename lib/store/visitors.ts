/**
 * People who reach us through the website widget (key shapes in ./keys.ts): customers a website
 * vouched for with a verified `identify` (tied to the site's own user id, `externalId`, by the
 * unique index ["users_by_external_id", externalId]), and the contact details a visitor typed in
 * the widget's forms.
 *
 * An email given in the widget is contact information, not a sign-in: it is stored on the record
 * but never enters the unique ["users_by_email"] index, which belongs to accounts with a password.
 * (identify vouches for `userId` only; the name and email beside it are whatever the page says.)
 */
import { keys } from "./keys.ts";
import type { UserRecord } from "./users.ts";
import type { Clock } from "../clock.ts";
import { forbidden, notFound } from "../errors.ts";

export interface Contact {
  name?: string;
  email?: string;
  /** The browser's time zone (validated by the caller's schema). */
  timeZone?: string;
}

export class Visitors {
  constructor(private kv: Deno.Kv, private clock: Clock, private newId: () => string) {}

  /** The customer verified as `externalId`, if any. */
  async byExternalId(externalId: string): Promise<UserRecord | null> {
    const index = await this.kv.get<string>(keys.userByExternalId(externalId));
    return index.value ? (await this.kv.get<UserRecord>(keys.user(index.value))).value : null;
  }

  /**
   * The customer for `externalId`, created on first sight (the record and its unique index in one
   * checked commit, so two instances can't create two), with `contact` applied.
   */
  async identify(externalId: string, name: string, contact: Contact = {}): Promise<UserRecord> {
    for (;;) {
      const existing = await this.byExternalId(externalId);
      if (existing) return await this.setContact(existing.id, contact);
      const record: UserRecord = {
        id: this.newId(),
        name: contact.name ?? name,
        role: "customer",
        createdAt: new Date(this.clock.now()).toISOString(),
        externalId,
      };
      if (contact.email) record.email = contact.email.toLowerCase();
      if (contact.timeZone) record.timeZone = contact.timeZone;
      const result = await this.kv.atomic()
        .check({ key: keys.userByExternalId(externalId), versionstamp: null })
        .check({ key: keys.user(record.id), versionstamp: null })
        .set(keys.user(record.id), record)
        .set(keys.userByExternalId(externalId), record.id)
        .commit();
      if (result.ok) return record;
      // Someone created it meanwhile: use theirs.
    }
  }

  /**
   * Sets a guest's or a widget customer's name and contact email. An account with a password is
   * refused: its email is its sign-in, changed only through the account.
   */
  async setContact(id: string, contact: Contact): Promise<UserRecord> {
    for (;;) {
      const entry = await this.kv.get<UserRecord>(keys.user(id));
      const record = entry.value;
      if (!record) throw notFound("User");
      if (record.role !== "guest" && record.role !== "customer") {
        throw forbidden("Only visitors have contact details here.");
      }
      if (record.passwordHash && contact.email !== undefined) {
        throw forbidden("This account's email is its sign-in; change it from the account.");
      }
      // A guest who hasn't started a conversation yet keeps its expiry (lib/auth/auth.ts).
      const left = record.expiresAt ? Date.parse(record.expiresAt) - this.clock.now() : undefined;
      if (left !== undefined && left <= 0) throw notFound("User");
      const next: UserRecord = { ...record };
      if (contact.name !== undefined) next.name = contact.name;
      if (contact.email !== undefined) next.email = contact.email.toLowerCase();
      if (contact.timeZone !== undefined) next.timeZone = contact.timeZone;
      if (
        next.name === record.name && next.email === record.email &&
        next.timeZone === record.timeZone
      ) return record;
      const result = await this.kv.atomic().check(entry)
        .set(keys.user(id), next, left === undefined ? undefined : { expireIn: left })
        .commit();
      if (result.ok) return next;
    }
  }
}
