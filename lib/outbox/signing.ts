/**
 * Webhook signatures: `X-Parley-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`.
 * Receivers recompute it over the raw body and refuse old timestamps (replays).
 */
const enc = new TextEncoder();

export async function signatureOf(secret: string, timestamp: string, body: string) {
  const key = await crypto.subtle.importKey(
    "raw",
    enc.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, enc.encode(`${timestamp}.${body}`));
  return "sha256=" +
    Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A new webhook secret: 256 random bits, hex, prefixed so people recognise it. */
export function newWebhookSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return "whsec_" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
