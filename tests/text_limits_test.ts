/**
 * Lengths as people count them, end to end: 2,001 emoji (4,002 UTF-16 units) are one message over
 * HTTP and over the socket, 4,001 are too long; the 16 KiB frame cap and the 64 KiB body cap still
 * hold. Messages and names made only of invisible characters get 400 naming the field.
 */
import { assert, assertEquals } from "./assert.ts";
import { withServerAndSockets } from "./helpers.ts";

const EMOJI = "😀";
const FAMILY = "👨‍👩‍👧‍👦"; // one character, 11 UTF-16 units, 25 UTF-8 bytes
const INVISIBLE = "\u200b\u200d\u202e\u2066\ufeff \u3164";

Deno.test("lengths in characters; invisible-only text and names refused", async (t) => {
  await withServerAndSockets(async (server, open) => {
    const { api } = server;
    const guest = await api.guest("Emma");
    const conv = await api.start(guest);
    const post = (text: string) =>
      api.request("POST", `/api/conversations/${conv.id}/messages`, {
        token: guest.token,
        body: { text },
      });
    const ws = await open(server.wsUrl, guest.token);

    await t.step("2,001 emoji are accepted over HTTP and the socket", async () => {
      const text = EMOJI.repeat(2001);
      const res = await post(text);
      assertEquals(res.status, 201, JSON.stringify(res.body).slice(0, 200));
      assertEquals(res.body.message.text, text);
      ws.send({ type: "send", conversationId: conv.id, text, clientId: "e1" });
      const ack = await ws.next((f) => f.clientId === "e1");
      assertEquals(ack.type, "ack", JSON.stringify(ack).slice(0, 200));
    });

    await t.step("4,000 characters fit; 4,001 are too long (413, saying what to do)", async () => {
      assertEquals((await post("é".normalize("NFD").repeat(4000))).status, 201);
      const over = await post(EMOJI.repeat(4001));
      assertEquals(over.status, 413);
      assertEquals(over.body.error.code, "too_large");
      assert(/at most 4,000 characters/.test(over.body.error.message));
      ws.send({ type: "send", conversationId: conv.id, text: "x".repeat(4001), clientId: "e2" });
      assertEquals((await ws.next((f) => f.clientId === "e2")).code, "too_large");
    });

    await t.step("the 64 KiB body cap and the 16 KiB frame cap still hold", async () => {
      // 2,700 family emoji: 2,700 characters, but about 67 KB of JSON.
      const body = await post(FAMILY.repeat(2700));
      assertEquals(body.status, 413);
      assertEquals(body.body.error.code, "too_large");
      const closing = await open(server.wsUrl, guest.token);
      closing.send({
        type: "send",
        conversationId: conv.id,
        text: FAMILY.repeat(700),
        clientId: "f",
      });
      assertEquals((await closing.closed).code, 1009);
    });

    await t.step("invisible-only messages: 400 naming text, nothing stored", async () => {
      const before = (await api.messages(guest, conv.id)).length;
      const res = await post(INVISIBLE);
      assertEquals(res.status, 400);
      assertEquals(res.body.error.code, "bad_request");
      assert(/^text: /.test(res.body.error.message), res.body.error.message);
      ws.send({ type: "send", conversationId: conv.id, text: "\u200b\u200b", clientId: "i1" });
      const refused = await ws.next((f) => f.clientId === "i1");
      assertEquals(refused.code, "bad_request");
      assert(/text/.test(refused.message));
      assertEquals((await api.messages(guest, conv.id)).length, before);
      assertEquals((await post(`\u200b${"ok"}`)).status, 201, "visible text with a ZWSP is fine");
    });

    await t.step("names: invisible-only refused, 80 characters as people count them", async () => {
      const guestNamed = (name: string) =>
        api.request("POST", "/api/auth/guest", { body: { name } });
      const blank = await guestNamed("\u200b\u202e");
      assertEquals(blank.status, 400);
      assert(/^name: /.test(blank.body.error.message), blank.body.error.message);
      const register = await api.request("POST", "/api/auth/register", {
        body: { name: INVISIBLE, email: "x@example.com", password: "password-123" },
      });
      assertEquals(register.status, 400);
      assert(/name/.test(register.body.error.message));
      assertEquals((await guestNamed(EMOJI.repeat(80))).status, 201);
      assertEquals((await guestNamed(EMOJI.repeat(81))).status, 400);
    });
  });
});
