/**
 * /api/webhooks: admins register, list and delete webhooks (the secret is shown once, at
 * creation), list recent deliveries (webhooks and email) and redeliver one. Deliveries are sent by
 * lib/outbox/loop.ts.
 */
import { Hono } from "hono";
import type { AppEnv } from "../../lib/http/env.ts";
import { principal } from "../../lib/http/authenticate.ts";
import { idParam, readBody, readQuery } from "../../lib/http/parse.ts";
import {
  deliveriesQuery,
  type DeliverySummary,
  type Webhook,
  webhookBody,
} from "../../lib/contract/operations.ts";
import { badRequest, notFound } from "../../lib/errors.ts";
import { guardUrl, OutboundRefused } from "../../lib/outbox/ssrf.ts";
import { newWebhookSecret } from "../../lib/outbox/signing.ts";
import type { DeliveryRecord, WebhookRecord } from "../../lib/store/deliveries.ts";
import type { Services } from "../../lib/server/services.ts";

export const webhookView = (h: WebhookRecord): Webhook => ({
  id: h.id,
  url: h.url,
  events: h.events,
  includePrivate: h.includePrivate,
  createdAt: h.createdAt,
});

export const deliveryView = (d: DeliveryRecord): DeliverySummary => ({
  id: d.id,
  kind: d.kind,
  event: d.event,
  target: d.kind === "webhook" ? d.url : d.to,
  status: d.status,
  attempts: d.attempts,
  createdAt: d.createdAt,
  lastError: d.lastError,
  lastStatus: d.lastStatus,
});

export function webhookRoutes(
  { store, config, clock, newId }: Pick<Services, "store" | "config" | "clock" | "newId">,
) {
  return new Hono<AppEnv>()
    .post("/", async (c) => {
      const { user } = principal(c, ["admin"]);
      const body = await readBody(c, webhookBody);
      try {
        await guardUrl(body.url, {
          allowPrivate: config.outbox.allowPrivate,
          signal: AbortSignal.timeout(config.outbox.timeoutMs),
        });
      } catch (err) {
        if (err instanceof OutboundRefused) throw badRequest(`url: ${err.message}`);
        throw badRequest("url: its host could not be resolved");
      }
      const hook: WebhookRecord = {
        id: newId(),
        url: new URL(body.url).href,
        events: [...new Set(body.events)],
        includePrivate: body.includePrivate ?? false,
        secret: newWebhookSecret(),
        createdAt: new Date(clock.now()).toISOString(),
        createdBy: user.id,
      };
      await store.deliveries.createWebhook(hook, {
        actorId: user.id,
        action: "webhook.created",
        target: hook.id,
        details: { url: hook.url, events: hook.events, includePrivate: hook.includePrivate },
        at: clock.now(),
      });
      return c.json({ webhook: webhookView(hook), secret: hook.secret }, 201);
    })
    .get("/", async (c) => {
      principal(c, ["admin"]);
      return c.json({ webhooks: (await store.deliveries.webhooks()).map(webhookView) });
    })
    .get("/deliveries", async (c) => {
      principal(c, ["admin"]);
      const { limit } = readQuery(c, deliveriesQuery);
      return c.json({ deliveries: (await store.deliveries.recent(limit)).map(deliveryView) });
    })
    .post("/deliveries/:id/redeliver", idParam("Delivery"), async (c) => {
      const { user } = principal(c, ["admin"]);
      const id = c.req.param("id");
      const d = await store.deliveries.redeliver(id, clock.now(), {
        actorId: user.id,
        action: "delivery.redelivered",
        target: id,
        details: {},
        at: clock.now(),
      });
      if (!d) throw notFound("Delivery");
      return c.json({ delivery: deliveryView(d) });
    })
    .delete("/:id", idParam("Webhook"), async (c) => {
      const { user } = principal(c, ["admin"]);
      const id = c.req.param("id");
      const ok = await store.deliveries.deleteWebhook(id, {
        actorId: user.id,
        action: "webhook.deleted",
        target: id,
        details: {},
        at: clock.now(),
      });
      if (!ok) throw notFound("Webhook");
      return c.body(null, 204);
    });
}
