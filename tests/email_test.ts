/**
 * Email through a real SMTP server started here (smtp-server), parsed with mailparser: an agent's
 * reply the customer has not read goes to their address with a link back and Reply-To; the
 * customer asks for a transcript; without an address, 409.
 */
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { withTestServer } from "./helpers.ts";
import { until } from "./wait.ts";
import { SmtpReceiver } from "./smtp_receiver.ts";
import { createStore } from "../lib/store/mod.ts";
import { OutboxLoop } from "../lib/outbox/loop.ts";
import { createLogger } from "../lib/log.ts";
import { idGenerator } from "../lib/ids.ts";

Deno.test("email: an unread agent reply and a transcript reach the customer", async () => {
  const smtp = await new SmtpReceiver().listen();
  try {
    await withTestServer(async (s) => {
      const admin = await s.admin();
      const agent = await s.api.agent(admin, "Dana", "dana@example.com", "available");
      const customer = await s.api.register("Casey", "casey@example.com");
      const conv = await s.api.start(customer);
      const handoff = await s.api.request("POST", `/api/conversations/${conv.id}/handoff`, {
        token: customer.token,
      });
      assertEquals(handoff.status, 200);
      // The customer has left (no socket, nothing read): Dana's reply goes by email.
      const sent = await s.api.request("POST", `/api/conversations/${conv.id}/messages`, {
        token: agent.token,
        body: { text: "Your refund <b>is</b> on its way." },
      });
      assertEquals(sent.status, 201);
      await until(() => smtp.mails.length >= 1, "the reply email");
      const reply = smtp.mails[0];
      assertEquals(reply.to && "text" in reply.to ? reply.to.text : "", "casey@example.com");
      assertEquals(reply.from?.value[0].address, "support@parley.test");
      assertEquals(reply.replyTo?.text, "help@parley.test");
      assertMatch(reply.subject ?? "", /Dana replied/);
      assert(reply.text?.includes("Your refund <b>is</b> on its way."), "the text, as text");
      assert(
        reply.text?.includes(`https://chat.parley.test/?conversation=${conv.id}`),
        "a link back",
      );
      assertEquals(reply.html, false, "plain text only");

      const asked = await s.api.request("POST", `/api/conversations/${conv.id}/transcript`, {
        token: customer.token,
      });
      assertEquals(asked.status, 202);
      assertEquals(asked.body.to, "casey@example.com");
      await until(() => smtp.mails.length >= 2, "the transcript email");
      const transcript = smtp.mails[1];
      assertMatch(transcript.subject ?? "", /Your conversation with/);
      assert(transcript.text?.includes("Dana: Your refund <b>is</b> on its way."));
      assertEquals(transcript.replyTo?.text, "help@parley.test");

      // An agent can't ask for it; a guest without an address gets 409; someone else's: 404.
      const byAgent = await s.api.request("POST", `/api/conversations/${conv.id}/transcript`, {
        token: agent.token,
      });
      assertEquals(byAgent.status, 403);
      const guest = await s.api.guest("Gus");
      const gconv = await s.api.start(guest);
      const noAddress = await s.api.request("POST", `/api/conversations/${gconv.id}/transcript`, {
        token: guest.token,
      });
      assertEquals(noAddress.status, 409);
      const notTheirs = await s.api.request("POST", `/api/conversations/${conv.id}/transcript`, {
        token: guest.token,
      });
      assertEquals(notTheirs.status, 404);
      // Both emails show among the deliveries, delivered.
      const list = await s.api.request("GET", "/api/webhooks/deliveries", { token: admin.token });
      const emails = list.body.deliveries.filter((d: { kind: string }) => d.kind === "email");
      assertEquals(emails.map((d: { status: string }) => d.status), ["delivered", "delivered"]);
    }, {
      SMTP_URL: smtp.url,
      MAIL_FROM: "Parley Support <support@parley.test>",
      MAIL_REPLY_TO: "help@parley.test",
      EMAIL_DELAY_SECONDS: "0",
      OUTBOX_POLL_MS: "20",
      PUBLIC_URL: "https://chat.parley.test",
    });
  } finally {
    await smtp.close();
  }
});

Deno.test("email: a reply the customer read in time is not emailed (time injected)", async () => {
  const smtp = await new SmtpReceiver().listen();
  const kv = await Deno.openKv(":memory:");
  const store = createStore(kv);
  let now = Date.parse("2026-01-05T10:00:00Z");
  const clock = { now: () => now };
  const loop = new OutboxLoop({
    store,
    clock,
    log: createLogger("error"),
    businessName: "Parley",
    newId: idGenerator(clock),
    settings: {
      allowPrivate: false,
      timeoutMs: 5000,
      pollMs: 1000,
      retryBaseMs: 1000,
      publicUrl: "https://chat.example",
      mail: { smtpUrl: smtp.url, from: "a@b.test", replyTo: "r@b.test", delayMs: 60_000 },
    },
  });
  try {
    const customer = await store.users.create({
      name: "Casey",
      role: "customer",
      email: "casey@example.com",
    });
    const { conversation } = await store.conversations.create(customer, {
      name: "Bot",
      text: "Hi",
    });
    const reply = (text: string) =>
      store.conversations.append({
        conversationId: conversation.id,
        sender: "agent",
        authorId: "agent-1",
        authorName: "Dana",
        text,
      }, () => {});
    const first = await reply("Seen in time");
    await loop.tick();
    const [pending] = await store.deliveries.recent(10);
    assertEquals(pending.status, "pending", "due in a minute");
    // The customer reads it within the minute: no email.
    await store.reads.mark(conversation.id, customer.id, first.message.seq);
    now += 61_000;
    await loop.tick();
    assertEquals((await store.deliveries.get(pending.id)).value?.status, "skipped");
    // The next reply stays unread: emailed once due.
    await reply("Not seen");
    await loop.tick();
    assertEquals(smtp.mails.length, 0);
    now += 61_000;
    await loop.tick();
    await until(() => smtp.mails.length === 1, "the email");
    assert(smtp.mails[0].text?.includes("Not seen"));
    assertEquals(
      (await store.deliveries.recent(10)).map((d) => d.status),
      ["delivered", "skipped"],
    );
  } finally {
    await loop.stop();
    store.close();
    await smtp.close();
  }
});
