/** Ids and tokens: time-sortable ids on an injected clock, unguessable bearer tokens, SHA-256. */
import { monotonicFactory } from "ulid";
import { encodeBase64Url } from "./encoding.ts";
import { type Clock, systemClock } from "./clock.ts";

const pool = new Uint8Array(4096);
let poolAt = pool.length;

/**
 * A random fraction in [0, 1) from the system's CSPRNG, a byte at a time out of a refilled pool:
 * a ULID's 16 random characters then cost one `getRandomValues` per 256 ids instead of 16 (the
 * library's default asks the system for one byte per character).
 */
export function pooledRandom(): number {
  if (poolAt === pool.length) crypto.getRandomValues(pool), poolAt = 0;
  return pool[poolAt++] / 256;
}

/** A monotonic ULID factory (the `ulid` package's) drawing on `pooledRandom`. */
export const ulidFactory = () => monotonicFactory(pooledRandom);

/** Time-sortable ids (ULID): creation order is id order. */
export function idGenerator(clock: Clock = systemClock): () => string {
  const next = ulidFactory();
  return () => next(clock.now());
}

/** An unguessable bearer token (256 bits). */
export function newToken(): string {
  return encodeBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
