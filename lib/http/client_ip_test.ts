/** The client-address resolver: which forwarding headers are believed, per TRUST_PROXY. */
import { assertEquals } from "../../tests/assert.ts";
import { parseConfig } from "../config.ts";
import { parseNode, resolveClient } from "./client_ip.ts";

const trust = (value: string) => parseConfig({ TRUST_PROXY: value }).trustProxy;
const client = (
  peer: string,
  headers: Record<string, string>,
  trustProxy: string | undefined,
  scheme = "http:",
) =>
  resolveClient(
    peer,
    new Headers(headers),
    scheme,
    trustProxy === undefined ? null : trust(trustProxy),
  );

Deno.test("no TRUST_PROXY: the peer is the client, whatever the headers say", () => {
  const spoofed = {
    "x-forwarded-for": "1.1.1.1",
    "forwarded": "for=2.2.2.2;proto=https",
    "x-forwarded-proto": "https",
  };
  assertEquals(client("203.0.113.9", spoofed, undefined), {
    address: "203.0.113.9",
    https: false,
  });
  assertEquals(client("::ffff:203.0.113.9", {}, undefined).address, "203.0.113.9");
  assertEquals(client("127.0.0.1", {}, undefined, "https:").https, true);
  // TRUST_PROXY=0 trusts nobody too.
  assertEquals(client("10.0.0.1", spoofed, "0").address, "10.0.0.1");
});

Deno.test("hop count: the entry that many hops from the right", () => {
  const xff = { "x-forwarded-for": "6.6.6.6, 198.51.100.7" }; // 6.6.6.6 written by the client
  assertEquals(client("10.0.0.1", xff, "1").address, "198.51.100.7");
  assertEquals(
    client("10.0.0.1", { "x-forwarded-for": "6.6.6.6, 198.51.100.7, 10.0.0.2" }, "2")
      .address,
    "198.51.100.7",
  );
  // More hops than entries: the leftmost there is.
  assertEquals(
    client("10.0.0.1", { "x-forwarded-for": "198.51.100.7" }, "3").address,
    "198.51.100.7",
  );
  // No header behind a trusted hop: the proxy itself.
  assertEquals(client("10.0.0.1", {}, "1").address, "10.0.0.1");
});

Deno.test("CIDRs: skip trusted proxies from the right, stop at the first other address", () => {
  const t = "10.0.0.0/8, 192.168.1.5";
  const xff = { "x-forwarded-for": "6.6.6.6, 198.51.100.7, 10.1.2.3, 192.168.1.5" };
  assertEquals(client("10.0.0.1", xff, t).address, "198.51.100.7");
  // A peer outside the CIDRs is the client even with a header.
  assertEquals(client("203.0.113.5", xff, t).address, "203.0.113.5");
  // A spoofed trusted address left of the client doesn't move the answer.
  assertEquals(
    client("10.0.0.1", { "x-forwarded-for": "10.9.9.9, 198.51.100.7" }, t).address,
    "198.51.100.7",
  );
  // Everyone trusted: the leftmost.
  assertEquals(client("10.0.0.1", { "x-forwarded-for": "10.2.2.2" }, t).address, "10.2.2.2");
});

Deno.test("IPv6 peers, CIDRs and entries, mapped IPv4, ports and brackets", () => {
  const t = "::1/128, fd00::/8, 127.0.0.1";
  assertEquals(
    client("::1", { "x-forwarded-for": "2001:DB8:0:0::1" }, t).address,
    "2001:db8::1",
  );
  assertEquals(
    client("fd00::5", { "x-forwarded-for": "[2001:db8::2]:4711" }, t).address,
    "2001:db8::2",
  );
  assertEquals(
    client("::ffff:127.0.0.1", { "x-forwarded-for": "::ffff:198.51.100.7" }, t).address,
    "198.51.100.7",
  );
  assertEquals(
    client("127.0.0.1", { "x-forwarded-for": "198.51.100.7:5000" }, t).address,
    "198.51.100.7",
  );
  // An IPv4 CIDR never matches an IPv6 peer and the other way round.
  assertEquals(
    client("2001:db8::9", { "x-forwarded-for": "1.2.3.4" }, "0.0.0.0/0").address,
    "2001:db8::9",
  );
  for (
    const [text, want] of [
      ["[::1]", "::1"],
      ["1.2.3.4:80", "1.2.3.4"],
      ["[::1", null],
      ["unknown", null],
      ["_hidden", null],
      ["1.2.3", null],
      ["0x7f.1", null],
      ["", null],
    ] as const
  ) {
    assertEquals(parseNode(text)?.toString() ?? null, want, text);
  }
});

Deno.test("Forwarded (RFC 7239) when there is no X-Forwarded-For", () => {
  const fwd = (value: string) => ({ forwarded: value });
  assertEquals(
    client("10.0.0.1", fwd('for=6.6.6.6, for="[2001:db8:cafe::17]:4711";proto=https'), "1"),
    { address: "2001:db8:cafe::17", https: true },
  );
  assertEquals(client("10.0.0.1", fwd("for=198.51.100.7;proto=http;by=10.0.0.1"), "10.0.0.0/8"), {
    address: "198.51.100.7",
    https: false,
  });
  // X-Forwarded-For wins when both are there.
  assertEquals(
    client("10.0.0.1", { ...fwd("for=6.6.6.6"), "x-forwarded-for": "198.51.100.7" }, "1").address,
    "198.51.100.7",
  );
});

Deno.test("malformed headers stop the walk at the last good address", () => {
  // The client's garbage, then what the proxy appended.
  assertEquals(
    client("10.0.0.1", { "x-forwarded-for": "not-an-ip, 198.51.100.7" }, "1").address,
    "198.51.100.7",
  );
  // Garbage where the client should be: the proxy itself, never the garbage.
  assertEquals(client("10.0.0.1", { "x-forwarded-for": "bogus" }, "1").address, "10.0.0.1");
  assertEquals(client("10.0.0.1", { "x-forwarded-for": ", ," }, "10.0.0.0/8").address, "10.0.0.1");
  assertEquals(
    client("10.0.0.1", { "forwarded": 'for="unterminated, for=198.51.100.7' }, "1").address,
    "198.51.100.7",
  );
  assertEquals(client("10.0.0.1", { "forwarded": "for=;;;" }, "1").address, "10.0.0.1");
  assertEquals(client("10.0.0.1", { "forwarded": "for=unknown" }, "1").address, "10.0.0.1");
  // Two hops trusted, but the entry between is garbage: stop at the good one right of it.
  assertEquals(
    client("10.0.0.1", { "x-forwarded-for": "198.51.100.7, junk, 10.0.0.2" }, "2").address,
    "10.0.0.2",
  );
});

Deno.test("the protocol is believed only from a trusted proxy", () => {
  const h = { "x-forwarded-for": "198.51.100.7", "x-forwarded-proto": "https" };
  assertEquals(client("10.0.0.1", h, "1").https, true);
  assertEquals(client("203.0.113.5", h, "10.0.0.0/8").https, false);
  assertEquals(client("10.0.0.1", h, undefined).https, false);
  // A proxy that sends only X-Forwarded-Proto.
  assertEquals(client("10.0.0.1", { "x-forwarded-proto": "https" }, "1").https, true);
  assertEquals(client("10.0.0.1", { "x-forwarded-proto": "https" }, undefined).https, false);
  // A list of protocols follows the hops: the client's hop decides.
  assertEquals(
    client("10.0.0.1", {
      "x-forwarded-for": "198.51.100.7, 10.0.0.2",
      "x-forwarded-proto": "https, http",
    }, "2").https,
    true,
  );
});

Deno.test("TRUST_PROXY values are validated", () => {
  assertEquals(trust("2"), { hops: 2 });
  assertEquals(trust("10.0.0.0/8,::1, 2001:DB8::/32"), {
    cidrs: ["10.0.0.0/8", "::1/128", "2001:db8::/32"],
  });
  for (const bad of ["yes", "10.0.0.0/33", "1.2.3", "10.0.0.0/8/1", "::1/129", "-1", ","]) {
    let message = "";
    try {
      trust(bad);
    } catch (err) {
      message = (err as Error).message;
    }
    assertEquals(message.startsWith("Invalid setting TRUST_PROXY"), true, `${bad}: ${message}`);
  }
});
