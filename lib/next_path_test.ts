/** `next` after sign-in stays on the site, whatever it is written as. */
import { assertEquals } from "../tests/assert.ts";
import { localNext } from "./next_path.ts";

const ORIGIN = "http://parley.test:8000";

Deno.test("next: local paths are kept", () => {
  for (
    const [next, want] of [
      ["/agent", "/agent"],
      ["/help/refunds?x=1#top", "/help/refunds?x=1#top"],
      ["help", "/help"],
      [`${ORIGIN}/admin`, "/admin"],
      ["/a/../admin", "/admin"],
    ]
  ) assertEquals(localNext(next, ORIGIN), want, next);
});

Deno.test("next: anything that leaves the origin is dropped", () => {
  for (
    const next of [
      "/\\evil.example/x", // what /login?next=/%5Cevil.example/x decodes to
      "/\t/evil.example/x", // /login?next=/%09/evil.example/x
      "//evil.example/x",
      "\\\\evil.example",
      "/\n/evil.example",
      " //evil.example",
      "https://evil.example/",
      "http://parley.test:8001/",
      "https://parley.test:8000/",
      "javascript:alert(1)",
      "data:text/html,hi",
      `${ORIGIN}//evil.example/x`, // same origin, but "//evil.example/x" as a path leaves it
      "http://[::1",
      "",
      null,
      undefined,
    ]
  ) assertEquals(localNext(next, ORIGIN), null, JSON.stringify(next));
});
