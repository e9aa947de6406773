/** Ids and tokens: time-sortable ids on an injected clock, unguessable bearer tokens, SHA-256. */
import { monotonicFactory } from "ulid";
import { encodeBase64Url } from "./encoding.ts";
import { type Clock, systemClock } from "./clock.ts";

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
