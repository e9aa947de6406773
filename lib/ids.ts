/** Time and randomness, injected so tests can control them. */
import { monotonicFactory } from "ulid";
import { encodeBase64Url } from "./encoding.ts";

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Time-sortable ids (ULID): creation order is id order. */
export function idGenerator(clock: Clock = systemClock): () => string {
  const next = monotonicFactory();
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
