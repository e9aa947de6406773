/**
 * Who the client is and whether it came over HTTPS, for per-address limits, logs, the session
 * cookie's `Secure` flag and HSTS. One resolver is built at start-up (`forwardedResolver`, from
 * TRUST_PROXY) and every consumer asks it: the rate-limit middleware, the WebSocket upgrade, the
 * sign-in limits, the cookie and the security headers.
 *
 * With no trusted proxy the socket's peer is the client and the URL's scheme is the protocol;
 * `X-Forwarded-*` / `Forwarded` are ignored. With TRUST_PROXY, the chain of addresses
 * (`X-Forwarded-For` entries, or `Forwarded` `for=` entries, then the peer) is walked from the
 * right, skipping trusted hops: the first untrusted address is the client. Entries left of it were
 * written by the client and are never believed. A malformed entry stops the walk at the last good
 * address to its right. Addresses come out canonical (IPv4-mapped IPv6 unwrapped, IPv6
 * compressed), so one client has one key.
 */
import type { Context } from "hono";
import ipaddr from "ipaddr.js";
import parseForwarded from "forwarded-parse";
import type { TrustProxy } from "../config.ts";

/** The peer's address as Deno.serve reports it (`c.env` is its ServeHandlerInfo). */
export function clientIp(env: unknown): string {
  try {
    const addr = (env as { remoteAddr?: { hostname?: string } } | undefined)?.remoteAddr;
    return addr?.hostname ?? "unknown";
  } catch {
    return "unknown"; // the request is gone (already upgraded)
  }
}

/** A request's client as far as it can be believed. */
export interface ClientView {
  /** The client's address (canonical), or the peer's raw hostname if it is not an IP. */
  address: string;
  /** True when the client reached us (or the first trusted proxy) over HTTPS. */
  https: boolean;
}

/** Resolves a request's client address. */
export type ClientAddress = (c: Context) => string;
/** True when the request came over HTTPS (directly, or as a trusted proxy says). */
export type RequestIsHttps = (c: Context) => boolean;

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** A strictly written address (no legacy IPv4 forms), IPv4-mapped IPv6 unwrapped; else null. */
function parseAddress(text: string): Address | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (ipaddr.IPv6.isValid(text)) return ipaddr.process(text);
  return null;
}

/**
 * A node as proxies write it: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`, `[2001:db8::1]`,
 * `[2001:db8::1]:80` (`unknown`, `_hidden` and anything else → null).
 */
export function parseNode(text: string): Address | null {
  let host = text.trim();
  if (host.startsWith("[")) {
    const end = host.indexOf("]");
    if (end < 0 || !/^(:\d{1,5})?$/.test(host.slice(end + 1))) return null;
    host = host.slice(1, end);
    return ipaddr.IPv6.isValid(host) ? ipaddr.process(host) : null;
  }
  const v4Port = /^([\d.]+):\d{1,5}$/.exec(host);
  if (v4Port) host = v4Port[1];
  return parseAddress(host);
}

/** One hop of the forwarding chain: its address (null: malformed) and the protocol it used. */
interface Hop {
  address: Address | null;
  proto?: string;
}

/** `X-Forwarded-For` (with `X-Forwarded-Proto`) if present, else `Forwarded`; left to right. */
function forwardedHops(headers: Headers): Hop[] {
  const xff = headers.get("x-forwarded-for");
  if (xff !== null) {
    const hops: Hop[] = xff.split(",").map((entry) => ({ address: parseNode(entry) }));
    const protos = (headers.get("x-forwarded-proto") ?? "").split(",").map((p) => p.trim())
      .filter(Boolean);
    // One value: written (over) by the nearest proxy for the whole chain; a list: one per hop.
    if (protos.length === 1) hops.forEach((h) => h.proto = protos[0]);
    else if (protos.length === hops.length) hops.forEach((h, i) => h.proto = protos[i]);
    return hops;
  }
  const forwarded = headers.get("forwarded");
  if (forwarded === null) return [];
  // Element by element, so a malformed one (the client's, left of the proxies') spoils only itself.
  return forwarded.split(",").map((element): Hop => {
    try {
      const [pairs] = parseForwarded(element.trim());
      return { address: pairs?.for ? parseNode(pairs.for) : null, proto: pairs?.proto };
    } catch {
      return { address: null };
    }
  });
}

/** Trust as a predicate over the chain: is the hop at `index` (`fromRight` from the peer) a proxy? */
function trustPredicate(
  trust: TrustProxy,
): (address: Address | null, fromRight: number) => boolean {
  if ("hops" in trust) return (_address, fromRight) => fromRight < trust.hops;
  const ranges = trust.cidrs.map((cidr) => ipaddr.parseCIDR(cidr));
  return (address) =>
    address !== null &&
    ranges.some(([net, bits]) => net.kind() === address.kind() && address.match(net, bits));
}

/** The client of a request whose peer is `peer`, believing forwarding headers only per `trust`. */
export function resolveClient(
  peer: string,
  headers: Headers,
  scheme: string,
  trust: TrustProxy | null,
): ClientView {
  const peerAddress = parseAddress(peer);
  const direct: ClientView = {
    address: peerAddress?.toString() ?? peer,
    https: scheme === "https:",
  };
  if (!trust) return direct;
  const trusted = trustPredicate(trust);
  if (!trusted(peerAddress, 0)) return direct;
  const chain: Hop[] = [...forwardedHops(headers), { address: peerAddress }];
  let i = chain.length - 1;
  while (i > 0 && trusted(chain[i].address, chain.length - 1 - i) && chain[i - 1].address) i--;
  // The client's hop, else the nearest proxy's word (X-Forwarded-Proto alone, without a chain).
  const proto = chain[i].proto ?? chain.slice(i).find((hop) => hop.proto)?.proto ??
    headers.get("x-forwarded-proto")?.split(",").at(-1)?.trim();
  return {
    address: chain[i].address?.toString() ?? direct.address,
    https: proto ? proto.toLowerCase() === "https" : direct.https,
  };
}

/** The resolver of ClientViews for TRUST_PROXY's value (null: trust no proxy). */
export function forwardedResolver(trust: TrustProxy | null): (c: Context) => ClientView {
  return (c) =>
    resolveClient(clientIp(c.env), c.req.raw.headers, new URL(c.req.url).protocol, trust);
}

/** The client address resolver every per-address limit uses. */
export function clientAddressResolver(trust: TrustProxy | null = null): ClientAddress {
  const resolve = forwardedResolver(trust);
  return (c) => resolve(c).address;
}

/** Whether a request came over HTTPS (the session cookie's Secure flag, HSTS). */
export function httpsResolver(trust: TrustProxy | null = null): RequestIsHttps {
  const resolve = forwardedResolver(trust);
  return (c) => resolve(c).https;
}
