import { assertEquals, assertRejects } from "../../tests/assert.ts";
import { guardUrl, OutboundRefused, refusedAddress } from "./ssrf.ts";
import { signatureOf } from "./signing.ts";

Deno.test("refusedAddress: public unicast only", () => {
  for (const a of ["8.8.8.8", "2606:4700::1111", "93.184.216.34"]) {
    assertEquals(refusedAddress(a), null);
  }
  for (
    const a of [
      "127.0.0.1",
      "10.1.2.3",
      "172.16.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "::1",
      "fe80::1",
      "fd00::1",
      "::ffff:127.0.0.1",
      "::ffff:10.0.0.1",
      "224.0.0.1",
    ]
  ) {
    assertEquals(typeof refusedAddress(a), "string", a);
  }
});

Deno.test("guardUrl: schemes, literals, names and the override", async () => {
  const resolve = (host: string) =>
    Promise.resolve(host === "inside.test" ? ["10.0.0.5"] : ["93.184.216.34"]);
  for (
    const bad of [
      "ftp://example.com/",
      "file:///etc/passwd",
      "javascript:alert(1)",
      "http://127.0.0.1:8080/",
      "http://[::1]/",
      "http://[::ffff:7f00:1]/",
      "http://inside.test/",
      "http://user:pw@example.com/",
      "not a url",
    ]
  ) {
    const err = await assertRejects(() => guardUrl(bad, { allowPrivate: false, resolve }));
    assertEquals(err instanceof OutboundRefused, true, bad);
  }
  assertEquals(
    (await guardUrl("https://example.com/h", { allowPrivate: false, resolve })).host,
    "example.com",
  );
  assertEquals((await guardUrl("http://127.0.0.1:9/", { allowPrivate: true })).port, "9");
  const err = await assertRejects(() => guardUrl("gopher://x/", { allowPrivate: true }));
  assertEquals(err instanceof OutboundRefused, true);
});

Deno.test("signatureOf: HMAC-SHA256 of timestamp.body, hex", async () => {
  // Reference: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac k
  assertEquals(
    await signatureOf("k", "1700000000", '{"a":1}'),
    "sha256=1b6ad1bc9bf48c52ce01939866d5877c6cc4e87ddad27e16673cb8c4964394a3",
  );
});
