/**
 * Password hashing to OWASP's current guidance: argon2id, 19 MiB memory, 2 iterations,
 * parallelism 1 (hash-wasm, pure WebAssembly, so it runs on Deno Deploy too). Hashes are stored in
 * the standard encoded form (`$argon2id$v=19$m=…`), which hash-wasm's `argon2Verify` reads.
 */
import { argon2id, argon2Verify } from "hash-wasm";

const PARAMS = { memorySize: 19456, iterations: 2, parallelism: 1, hashLength: 32 };

export function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  return argon2id({ ...PARAMS, password, salt, outputType: "encoded" });
}

/** True when `password` matches the encoded hash; false for a wrong password or a bad hash. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  try {
    return await argon2Verify({ password, hash: encoded });
  } catch {
    return false; // not an argon2 hash we can read
  }
}

/** A hash of nothing anyone knows: verifying against it costs the same as a real check. */
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  return dummy ??= hashPassword(crypto.randomUUID());
}
