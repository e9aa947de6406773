import { assertEquals, assertMatch } from "../../../tests/assert.ts";
import { type Command, installApi, type ParleyFunction, parseCommand } from "./commands.ts";

const HASH = "a".repeat(64);

/** The snippet's stub, as integrators paste it. */
function stub(): { Parley?: ParleyFunction } {
  const host: { Parley?: ParleyFunction } = {};
  // The snippet pushes the `arguments` object itself; an array-like stands in for it here.
  host.Parley = host.Parley ||
    function (...args: unknown[]) {
      (host.Parley!.q = host.Parley!.q || []).push(args);
    };
  return host;
}

Deno.test("installApi runs the calls queued before the loader, in order, then later ones", () => {
  const host = stub();
  const listener = () => {};
  host.Parley!("on", "unread", listener);
  host.Parley!("identify", { userId: "42", userHash: HASH, name: "Ada" });
  host.Parley!("open");
  const ran: Command[] = [];
  const warnings: string[] = [];
  assertEquals(installApi(host, (c) => ran.push(c), (w) => warnings.push(w)), true);
  assertEquals(ran, [
    { name: "on", event: "unread", listener },
    { name: "identify", identity: { userId: "42", userHash: HASH, name: "Ada" } },
    { name: "open" },
  ]);
  host.Parley!("close");
  assertEquals(ran.at(-1), { name: "close" });
  assertEquals(warnings, []);
});

Deno.test("installApi: a second loader changes nothing", () => {
  const host = stub();
  const first: Command[] = [];
  installApi(host, (c) => first.push(c), () => {});
  const api = host.Parley;
  assertEquals(installApi(host, () => {}, () => {}), false);
  assertEquals(host.Parley, api);
  host.Parley!("toggle");
  assertEquals(first, [{ name: "toggle" }]);
});

Deno.test("installApi: bad calls are reported, never thrown, and don't stop the queue", () => {
  const host = stub();
  host.Parley!("fly");
  host.Parley!("identify", { userId: "42", userHash: "not-a-hash" });
  host.Parley!("on", "click", () => {});
  host.Parley!("open");
  const ran: Command[] = [];
  const warnings: string[] = [];
  installApi(host, (c) => ran.push(c), (w) => warnings.push(w));
  assertEquals(ran, [{ name: "open" }]);
  assertEquals(warnings.length, 3);
  assertMatch(warnings[0], /unknown command "fly"/);
  assertMatch(warnings[1], /identify needs/);
  assertMatch(warnings[2], /on needs an event/);
});

Deno.test("installApi with no stub at all (no snippet): works from then on", () => {
  const host: { Parley?: ParleyFunction } = {};
  const ran: Command[] = [];
  installApi(host, (c) => ran.push(c), () => {});
  host.Parley!("logout");
  assertEquals(ran, [{ name: "logout" }]);
});

Deno.test("parseCommand: identify's argument is checked by hand", () => {
  const ok = (v: unknown) => !("error" in parseCommand(["identify", v]));
  assertEquals(ok({ userId: "u", userHash: HASH }), true);
  assertEquals(ok({ userId: "u", userHash: HASH, email: "a@b.c", name: "A" }), true);
  assertEquals(ok({ userId: "", userHash: HASH }), false);
  assertEquals(ok({ userId: "u".repeat(201), userHash: HASH }), false);
  assertEquals(ok({ userId: 42, userHash: HASH }), false);
  assertEquals(ok({ userId: "u", userHash: HASH, admin: true }), false, "unknown keys refused");
  assertEquals(ok({ userId: "u", userHash: HASH, name: 7 }), false);
  assertEquals(ok(null), false);
  assertEquals(ok("u"), false);
});
