/**
 * What the bot (and the agent console) knows about a customer: their profile merged with the
 * optional customer-data API's facts (./customer_data.ts), cached per conversation. Guests have no
 * facts.
 */
import type { CustomerApiSettings } from "../config.ts";
import type { CustomerFacts } from "./types.ts";
import { customerFacts, FactsCache, fetchCustomerFacts } from "./customer_data.ts";
import { publicUser, type UserRecord } from "../store/users.ts";
import type { Logger } from "../log.ts";

/** The facts the bot may use about a customer; null for guests. */
export type FactsSource = (customer: UserRecord, conversationId: string | null) => Promise<
  CustomerFacts | null
>;

/** The profile alone (no customer-data API). */
export const profileFacts: FactsSource = (customer) =>
  Promise.resolve(
    customer.role === "guest" ? null : {
      name: customer.name,
      email: customer.email,
      registeredAt: customer.createdAt,
    },
  );

const CACHE_TTL_MS = 5 * 60_000;

export function createFactsSource(api: CustomerApiSettings | null, log: Logger): FactsSource {
  const cache = new FactsCache({ ttlMs: CACHE_TTL_MS });
  return (customer, conversationId) => {
    if (customer.role === "guest") return Promise.resolve(null);
    const load = async () =>
      customerFacts(
        publicUser(customer),
        // A customer the website widget verified is known to that site's API by the site's id.
        await fetchCustomerFacts(api && { ...api, log }, customer.externalId ?? customer.id),
      );
    return conversationId ? cache.get(conversationId, load) : load();
  };
}
