/**
 * What the bot (and the agent console) knows about a customer: their profile merged with the
 * optional customer-data API's facts, cached per conversation. Guests have no facts.
 */
import type { Config } from "../config.ts";
import type { FactsSource } from "./runner.ts";
import { customerFacts, FactsCache, fetchCustomerFacts } from "./customer_data.ts";
import { publicUser } from "../store/users.ts";

const CACHE_TTL_MS = 5 * 60_000;

export function createFactsSource(config: Config): FactsSource {
  const cache = new FactsCache({ ttlMs: CACHE_TTL_MS });
  return (customer, conversationId) => {
    if (customer.role === "guest") return Promise.resolve(null);
    const load = async () =>
      customerFacts(
        publicUser(customer),
        await fetchCustomerFacts(config.customerApi, customer.id),
      );
    return conversationId ? cache.get(conversationId, load) : load();
  };
}
