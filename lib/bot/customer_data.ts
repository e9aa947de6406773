/**
 * The optional customer-data API (`CUSTOMER_API_URL`): extra facts about a signed-in customer (plan,
 * orders, …), merged with their profile for the bot and the agent console. The API is best effort:
 * any failure means "no extra facts", never an error for the customer.
 */
import { z } from "zod";
import type { CustomerFacts } from "./types.ts";
import type { User } from "../contract/types.ts";
import type { CustomerApiSettings } from "../config.ts";
import type { Logger } from "../log.ts";

export interface CustomerApiOptions extends CustomerApiSettings {
  /** Failures are logged here, one line each, without the response body. */
  log?: Logger;
  /** For tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

/** Larger answers are refused rather than fed to the bot, and never read past this. */
export const MAX_FACTS_BYTES = 64 * 1024;
/** Bounds on what the bot and the prompt get from the API: keys, depth, list and text lengths. */
const LIMITS = { keys: 100, depth: 4, items: 50, chars: 1_000, keyChars: 100 };
const UNSAFE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * The API's facts within bounds: at most 100 keys (50 per nested object), 4 levels deep, 50 items
 * per list, 1,000 characters per text, no prototype keys, no non-finite numbers. `trimmed` says
 * whether anything was cut. Text is kept as data whatever it says (the bots fence it).
 */
export function boundFacts(
  raw: Record<string, unknown>,
): { facts: CustomerFacts; trimmed: boolean } {
  let trimmed = false;
  const bound = (value: unknown, depth: number): unknown => {
    if (typeof value === "string") {
      if (value.length <= LIMITS.chars) return value;
      trimmed = true;
      return `${value.slice(0, LIMITS.chars)}…`;
    }
    if (typeof value === "number") return Number.isFinite(value) ? value : (trimmed = true, null);
    if (typeof value === "boolean" || value === null) return value;
    if (depth >= LIMITS.depth) return (trimmed = true, null);
    if (Array.isArray(value)) {
      if (value.length > LIMITS.items) trimmed = true;
      return value.slice(0, LIMITS.items).map((v) => bound(v, depth + 1));
    }
    if (typeof value === "object") return object(value as Record<string, unknown>, depth + 1, 50);
    return (trimmed = true, null);
  };
  const object = (o: Record<string, unknown>, depth: number, max: number) => {
    const out: Record<string, unknown> = {};
    let n = 0;
    for (const [key, value] of Object.entries(o)) {
      if (UNSAFE_KEYS.has(key) || key.length > LIMITS.keyChars || n >= max) {
        trimmed = true;
        continue;
      }
      out[key] = bound(value, depth);
      n++;
    }
    return out;
  };
  return { facts: object(raw, 0, LIMITS.keys), trimmed };
}

/**
 * The body as text if it is at most `max` bytes, else null. It is read as a stream and the read
 * stops (the rest is cancelled) as soon as it passes `max`, so a huge answer costs at most `max`
 * plus one chunk of memory. A Content-Length over `max` is refused before reading anything.
 */
export async function readCapped(response: Response, max: number): Promise<string | null> {
  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (declared > max || !response.body) {
    await response.body?.cancel();
    return declared > max ? null : "";
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        await reader.cancel();
        return null;
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

const factsSchema = z.record(z.string(), z.unknown());

/**
 * `GET {url}/{userId}`: the customer's extra facts, or `{}` when the API is not configured, fails,
 * is slow, or answers with anything but a JSON object.
 */
export async function fetchCustomerFacts(
  api: CustomerApiOptions | null,
  userId: string,
): Promise<CustomerFacts> {
  if (!api) return {};
  // One line, without the response body: it may hold personal data.
  const warn = (reason: string, details: Record<string, unknown> = {}) =>
    api.log?.warn("customer api failed", { reason, ...details });
  const doFetch = api.fetch ?? fetch;
  const signal = AbortSignal.timeout(api.timeoutMs);
  try {
    const response = await doFetch(`${api.url}/${encodeURIComponent(userId)}`, {
      headers: { accept: "application/json" },
      signal,
    });
    if (!response.ok) {
      await response.body?.cancel();
      warn("status", { status: response.status, userId });
      return {};
    }
    const body = await readCapped(response, MAX_FACTS_BYTES);
    if (body === null) {
      warn("too_large", { userId, maxBytes: MAX_FACTS_BYTES });
      return {};
    }
    const parsed = factsSchema.safeParse(JSON.parse(body));
    if (!parsed.success) {
      warn("not_an_object", { userId });
      return {};
    }
    const { facts, trimmed } = boundFacts(parsed.data);
    if (trimmed) warn("trimmed", { userId });
    return facts;
  } catch (error) {
    const reason = signal.aborted
      ? "timeout"
      : error instanceof SyntaxError
      ? "not_json"
      : "network";
    warn(reason, { userId, timeoutMs: reason === "timeout" ? api.timeoutMs : undefined });
    return {};
  }
}

/**
 * The facts the bot may use: the API's extras, with the profile's own fields (name, email, role,
 * registration time) on top so that the API cannot contradict the account.
 */
export function customerFacts(user: User, extras: CustomerFacts): CustomerFacts {
  const profile: CustomerFacts = {
    name: user.name,
    role: user.role,
    registeredAt: user.createdAt,
  };
  if (user.email !== undefined) profile.email = user.email;
  return { ...extras, ...profile };
}

export interface FactsCacheOptions {
  ttlMs: number;
  /** The clock, in milliseconds; injected so tests need no sleeps. */
  now?: () => number;
}

/**
 * Facts per conversation for a short while, so that a chat does not call the API on every message.
 * Concurrent loads for the same conversation share one request.
 */
export class FactsCache {
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, { at: number; facts: Promise<CustomerFacts | null> }>();

  constructor(options: FactsCacheOptions) {
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
  }

  get(
    conversationId: string,
    load: () => Promise<CustomerFacts | null>,
  ): Promise<CustomerFacts | null> {
    const now = this.#now();
    const cached = this.#entries.get(conversationId);
    if (cached && now - cached.at < this.#ttlMs) return cached.facts;
    this.#evictExpired(now);
    const entry = { at: now, facts: load() };
    this.#entries.set(conversationId, entry);
    // A failed load is not cached (unless a newer load has replaced it meanwhile).
    entry.facts.catch(() => {
      if (this.#entries.get(conversationId) === entry) this.#entries.delete(conversationId);
    });
    return entry.facts;
  }

  #evictExpired(now: number): void {
    for (const [id, entry] of this.#entries) {
      if (now - entry.at >= this.#ttlMs) this.#entries.delete(id);
    }
  }
}
