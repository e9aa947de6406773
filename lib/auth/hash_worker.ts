/**
 * A password-hashing Worker of the pool (./hash_pool.ts): runs argon2id (./passwords.ts) off the
 * main thread, one job at a time, so a burst of sign-ins never stalls the sockets.
 *
 * Pool → worker: HashRequest. Worker → pool: HashReply (same id).
 */
/// <reference lib="deno.worker" />
import { dummyHash, hashPassword, verifyPassword } from "./passwords.ts";
import type { HashReply, HashRequest } from "./hash_pool.ts";

self.onmessage = async (e: MessageEvent<HashRequest>) => {
  const job = e.data;
  let reply: HashReply;
  try {
    const value = job.op === "hash"
      ? await hashPassword(job.password)
      : await verifyPassword(job.password, job.encoded ?? await dummyHash());
    reply = { id: job.id, ok: true, value };
  } catch (err) {
    reply = { id: job.id, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  self.postMessage(reply);
};
