/**
 * The client's address, for per-address limits and logs. One resolver is built at start-up
 * (`clientAddressResolver`) and every consumer asks it: the rate-limit middleware, the WebSocket
 * upgrade, the conversation and sign-in limits.
 */
import type { Context } from "hono";

/** The peer's address as Deno.serve reports it (`c.env` is its ServeHandlerInfo). */
export function clientIp(env: unknown): string {
  try {
    const addr = (env as { remoteAddr?: { hostname?: string } } | undefined)?.remoteAddr;
    return addr?.hostname ?? "unknown";
  } catch {
    return "unknown"; // the request is gone (already upgraded)
  }
}

/** Resolves a request's client address. */
export type ClientAddress = (c: Context) => string;

/** The resolver: today the socket's peer address. */
export function clientAddressResolver(): ClientAddress {
  return (c) => clientIp(c.env);
}
