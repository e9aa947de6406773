/** /api/conversations: start, list, read, send, and the state changes of the contract. */
import { Hono } from "hono";
import type { AppEnv } from "../../lib/http/env.ts";
import { principal } from "../../lib/http/authenticate.ts";
import { idParam, readBody, readQuery } from "../../lib/http/parse.ts";
import {
  listFilterQuery,
  listQuery,
  messagesQuery,
  readReceiptBody,
  sendBody,
  snoozeBody,
  transferBody,
} from "../../lib/contract/schemas.ts";
import type { Services } from "../../lib/server/services.ts";

export function conversationRoutes(
  { chat, reads, auth, snoozer }: Pick<Services, "chat" | "reads" | "auth" | "snoozer">,
) {
  const conversationId = idParam("Conversation");
  return new Hono<AppEnv>()
    // Before the id check of "/:id" (which "counts" would fail): it answers and stops there.
    .get("/counts", async (c) => {
      const { user } = principal(c, ["agent", "admin"]);
      return c.json({ counts: await chat.counts(user, readQuery(c, listFilterQuery)) });
    })
    .use("/:id", conversationId)
    .use("/:id/*", conversationId)
    .post("/", async (c) => {
      const who = principal(c, ["guest", "customer"]);
      const conversation = await chat.start(who.user);
      await auth.keepGuest(who); // a guest with a conversation keeps a full session
      return c.json({ conversation }, 201);
    })
    .get("/", async (c) => {
      const { user } = principal(c);
      const { limit, cursor, ...filter } = readQuery(c, listQuery);
      const page = await chat.list(user, filter, limit, cursor);
      const conversations = await reads.annotate(user, page.conversations);
      return c.json({ ...page, conversations });
    })
    .get("/:id", async (c) => {
      const { user } = principal(c);
      const conversation = await chat.visible(user, c.req.param("id"));
      return c.json({ conversation: await reads.one(user, conversation) });
    })
    .post("/:id/read", async (c) => {
      const { user } = principal(c);
      const { seq } = await readBody(c, readReceiptBody);
      return c.json({ conversation: await reads.mark(user, c.req.param("id"), seq) });
    })
    .get("/:id/messages", async (c) => {
      const { user } = principal(c);
      const { after, limit } = readQuery(c, messagesQuery);
      const messages = await chat.messages(user, c.req.param("id"), after, limit);
      return c.json({ messages });
    })
    .post("/:id/messages", async (c) => {
      const { user } = principal(c);
      const body = await readBody(c, sendBody);
      const { message } = await chat.send(
        user,
        c.req.param("id"),
        body.text,
        body.clientId,
        { private: body.private, attachmentIds: body.attachmentIds },
      );
      return c.json({ message }, 201);
    })
    .post("/:id/handoff", async (c) => {
      const { user } = principal(c);
      return c.json({ conversation: await chat.handoff(user, c.req.param("id")) });
    })
    .post("/:id/takeover", async (c) => {
      const { user } = principal(c, ["agent", "admin"]);
      return c.json({ conversation: await chat.takeover(user, c.req.param("id")) });
    })
    .post("/:id/handback", async (c) => {
      const { user } = principal(c, ["agent", "admin"]);
      return c.json({ conversation: await chat.handback(user, c.req.param("id")) });
    })
    .post("/:id/transfer", async (c) => {
      const { user } = principal(c, ["agent", "admin"]);
      const { agentId } = await readBody(c, transferBody);
      const conversation = await chat.transfer(user, c.req.param("id"), agentId);
      return c.json({ conversation });
    })
    .post("/:id/snooze", async (c) => {
      const { user } = principal(c, ["agent", "admin"]);
      const { until } = await readBody(c, snoozeBody);
      return c.json({ conversation: await snoozer.snooze(user, c.req.param("id"), until) });
    })
    .delete("/:id/snooze", async (c) => {
      const { user } = principal(c, ["agent", "admin"]);
      return c.json({ conversation: await snoozer.wake(user, c.req.param("id")) });
    })
    .post("/:id/resolve", async (c) => {
      const { user } = principal(c);
      return c.json({ conversation: await chat.resolve(user, c.req.param("id")) });
    });
}
