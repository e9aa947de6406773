/**
 * Password hashing to OWASP's current guidance: argon2id, 19 MiB memory, 2 iterations,
 * parallelism 1 (hash-wasm, pure WebAssembly, so it runs on Deno Deploy too). Verification
 * recomputes the hash and compares in constant time.
 */
import { argon2id } from "hash-wasm";

const PARAMS = { memorySize: 19456, iterations: 2, parallelism: 1, hashLength: 32 };

function fromB64(s: string): Uint8Array {
  const bin = atob(s.replaceAll("-", "+").replaceAll("_", "/") + "===".slice((s.length + 3) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  return argon2id({ ...PARAMS, password, salt, outputType: "encoded" });
}

/** Constant-time equality of two byte strings of any length. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

const ENCODED = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const m = ENCODED.exec(encoded);
  if (!m) return false;
  const expected = fromB64(m[5]);
  const actual = await argon2id({
    password,
    salt: fromB64(m[4]),
    memorySize: Number(m[1]),
    iterations: Number(m[2]),
    parallelism: Number(m[3]),
    hashLength: expected.length,
    outputType: "binary",
  });
  return timingSafeEqual(actual, expected);
}

/** A hash of nothing anyone knows: verifying against it costs the same as a real check. */
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  return dummy ??= hashPassword(crypto.randomUUID());
}
