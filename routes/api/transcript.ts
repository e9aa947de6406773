/**
 * POST /api/conversations/:id/transcript: the conversation's customer asks for its transcript by
 * email, to the address Parley knows for them. Queued as a delivery in the outbox (durable,
 * retried: lib/outbox/loop.ts); private notes are never in it.
 */
import { Hono } from "hono";
import type { AppEnv } from "../../lib/http/env.ts";
import { principal } from "../../lib/http/authenticate.ts";
import { idParam } from "../../lib/http/parse.ts";
import { conflict, notFound } from "../../lib/errors.ts";
import { transcriptDelivery } from "../../lib/outbox/loop.ts";
import type { Services } from "../../lib/server/services.ts";

export function transcriptRoutes(
  { chat, store, config, clock, newId }: Pick<
    Services,
    "chat" | "store" | "config" | "clock" | "newId"
  >,
) {
  return new Hono<AppEnv>().post("/:id/transcript", idParam("Conversation"), async (c) => {
    const { user } = principal(c, ["guest", "customer"]);
    const conversation = await chat.visible(user, c.req.param("id"));
    if (conversation.customerId !== user.id) throw notFound("Conversation");
    if (!config.outbox.mail) throw conflict("Email is not set up on this Parley (SMTP_URL).");
    const fresh = await store.users.get(user.id);
    if (!fresh?.email) {
      throw conflict("We don't have your email address yet: add it first, then ask again.");
    }
    const delivery = transcriptDelivery(
      newId(),
      conversation.id,
      user.id,
      fresh.email,
      clock.now(),
    );
    const op = store.kv.atomic();
    store.deliveries.add(op, delivery);
    await op.commit();
    return c.json({ queued: true, to: fresh.email }, 202);
  });
}
