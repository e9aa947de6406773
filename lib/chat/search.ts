/**
 * Search (GET /api/search, agents and admins): conversations by message text, customer name or
 * email, newest first, through the KV index of lib/store/search.ts. Staff only, so private notes
 * are searchable; nothing here ever answers a customer.
 */
import type { Store } from "../store/mod.ts";
import { isStaff, type UserRecord } from "../store/users.ts";
import type { SearchHit } from "../store/search.ts";
import { forbidden } from "../errors.ts";

export class Search {
  constructor(private store: Pick<Store, "search" | "users">) {}

  async query(user: UserRecord, q: string, limit: number): Promise<SearchHit[]> {
    if (!isStaff(user.role)) throw forbidden("Search is for agents and admins.");
    const emails = new Map<string, string | undefined>();
    return await this.store.search.query(q, limit, async (customerId) => {
      if (!emails.has(customerId)) {
        emails.set(customerId, (await this.store.users.get(customerId))?.email);
      }
      return emails.get(customerId);
    });
  }
}
