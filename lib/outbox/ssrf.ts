/**
 * The guard on outgoing requests (webhooks): only http(s), and the host — a literal address or
 * every address its name resolves to — must be a public unicast address. Loopback, private,
 * link-local, unique-local (ULA), carrier-grade NAT, multicast, reserved and IPv4-mapped private
 * addresses are refused unless `allowPrivate` (WEBHOOK_ALLOW_PRIVATE=1).
 *
 * Known limit: the name is resolved here and again by fetch, so a DNS server that answers
 * differently the second time (rebinding) is not stopped; fetch offers no way to pin the address.
 */
import ipaddr from "ipaddr.js";

export class OutboundRefused extends Error {}

/** Why `address` may not be called, or null when it is a public unicast address. */
export function refusedAddress(address: string): string | null {
  if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
  let ip = ipaddr.parse(address);
  if (ip.kind() === "ipv6" && (ip as ipaddr.IPv6).isIPv4MappedAddress()) {
    ip = (ip as ipaddr.IPv6).toIPv4Address();
  }
  const range = ip.range();
  return range === "unicast" ? null : `${address} is a ${range} address`;
}

export interface GuardOptions {
  allowPrivate: boolean;
  /** Resolves a host name to its addresses (default: A and AAAA through Deno.resolveDns). */
  resolve?: (host: string, signal?: AbortSignal) => Promise<string[]>;
  signal?: AbortSignal;
}

async function resolveHost(host: string, signal?: AbortSignal): Promise<string[]> {
  const answers = await Promise.allSettled([
    Deno.resolveDns(host, "A", { signal }),
    Deno.resolveDns(host, "AAAA", { signal }),
  ]);
  return answers.flatMap((a) => a.status === "fulfilled" ? a.value : []);
}

/** The URL, parsed, if it may be called; else throws OutboundRefused saying why. */
export async function guardUrl(raw: string, opts: GuardOptions): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundRefused("not a URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new OutboundRefused(`only http and https URLs are allowed, not ${url.protocol}`);
  }
  if (url.username || url.password) throw new OutboundRefused("URLs with credentials are refused");
  if (opts.allowPrivate) return url;
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const addresses = ipaddr.isValid(host)
    ? [host]
    : await (opts.resolve ?? resolveHost)(host, opts.signal);
  if (!addresses.length) throw new OutboundRefused(`${host} does not resolve`);
  for (const a of addresses) {
    const why = refusedAddress(a);
    if (why) throw new OutboundRefused(`${host}: ${why} (set WEBHOOK_ALLOW_PRIVATE=1 to allow)`);
  }
  return url;
}
