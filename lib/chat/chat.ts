/**
 * The conversation service: every action of the contract (start, send, handoff, takeover,
 * handback, transfer, resolve), authorized here, committed through the store, then published.
 * Routes and the socket are thin layers over this.
 */
import type { Store } from "../store/mod.ts";
import { type AgentState, isStaff, type UserRecord } from "../store/users.ts";
import type { Appended, Changed, Decision } from "../store/conversations.ts";
import type { Counts, ListFilter as StoreFilter, Page } from "../store/list_query.ts";
import type { Publisher } from "../realtime/publisher.ts";
import type { Assigner } from "../assignment/assigner.ts";
import type { BotRunner } from "../bot/runner.ts";
import type { BotMetrics } from "../bot/metrics.ts";
import type {
  Conversation,
  ConversationMode,
  ConversationStatus,
  Message,
} from "../contract/types.ts";
import {
  isolateName,
  longerThan,
  MAX_MESSAGE_LENGTH,
  MAX_MESSAGE_UNITS,
} from "../contract/text.ts";
import type { Mentions } from "./mentions.ts";
import { customerView } from "../contract/labels.ts";
import { badRequest, conflict, forbidden, notFound, tooLarge } from "../errors.ts";

export interface ListFilter {
  status?: ConversationStatus | "snoozed";
  mode?: ConversationMode;
  /** "me" or an agent id. */
  assignee?: string;
  label?: string;
}

/** A page of a list; staff also get the filter counts. */
export type ListPage = Page & { counts?: Counts };

/** Another agent holds `c` (open, human, assigned to someone else than `user`). */
const heldByOther = (c: Conversation, user: UserRecord) =>
  c.status === "open" && c.mode === "human" && c.assigneeId !== null &&
  c.assigneeId !== user.id;

/** Who held the conversation and who moved it (`Conversation.handover`). */
function handover(kind: "takeover" | "transfer", c: Conversation, by: UserRecord) {
  return {
    kind,
    fromId: c.assigneeId!,
    fromName: c.assigneeName ?? "",
    byId: by.id,
    byName: by.name,
    seq: c.lastSeq + 1,
  };
}

const resolvedError = () =>
  conflict("This conversation is resolved. Start a new conversation to talk to us again.");

/** Open conversations one customer may have at once (MAX_OPEN_CONVERSATIONS_*). */
export interface OpenLimits {
  maxOpenGuest: number;
  maxOpenCustomer: number;
}

export class Chat {
  constructor(
    private store: Store,
    private publisher: Publisher,
    private assigner: Assigner,
    private bot: BotRunner,
    private limits: OpenLimits = { maxOpenGuest: Infinity, maxOpenCustomer: Infinity },
    private botMetrics?: BotMetrics,
    private mentions?: Mentions,
    /** Told when the customer's request moves a conversation from the bot to a person. */
    private handoffNotes?: { after(conversationId: string): void },
  ) {}

  /** The conversation, if `user` may see it: its customer, or any agent or admin. Else 404. */
  async visible(user: UserRecord, id: string): Promise<Conversation> {
    const conv = await this.store.conversations.get(id);
    if (!conv || (!isStaff(user.role) && conv.customerId !== user.id)) {
      throw notFound("Conversation");
    }
    return conv;
  }

  async start(user: UserRecord): Promise<Conversation> {
    if (isStaff(user.role)) throw forbidden("Only customers and guests start conversations.");
    const maxOpen = user.role === "guest" ? this.limits.maxOpenGuest : this.limits.maxOpenCustomer;
    const appended = await this.store.conversations.create(user, this.bot.greeting(user), maxOpen);
    this.publisher.appended(appended);
    this.botMetrics?.started();
    return appended.conversation;
  }

  /**
   * A page of the conversations `user` may list, newest activity first: customers their own
   * (`status` and `mode` apply), staff the whole store with every filter, and the filter counts.
   */
  async list(
    user: UserRecord,
    filter: ListFilter,
    limit: number,
    cursor?: string,
  ): Promise<ListPage> {
    const { lists } = this.store;
    if (!isStaff(user.role)) {
      const own = { customer: user.id, status: filter.status, mode: filter.mode };
      const page = await lists.page(own, limit, cursor);
      return { ...page, conversations: page.conversations.map(customerView) };
    }
    const query = this.#staffFilter(user, filter);
    const [page, counts] = await Promise.all([
      lists.page(query, limit, cursor),
      lists.counts(user.id, query),
    ]);
    return { ...page, counts };
  }

  /** The filter counts (staff): open by mode, resolved, the reader's, and the filter's. */
  async counts(user: UserRecord, filter: ListFilter): Promise<Counts> {
    if (!isStaff(user.role)) throw forbidden("Only agents and admins see the counts.");
    return await this.store.lists.counts(user.id, this.#staffFilter(user, filter));
  }

  #staffFilter(user: UserRecord, filter: ListFilter): StoreFilter {
    const assignee = filter.assignee === "me" ? user.id : filter.assignee;
    return { status: filter.status, mode: filter.mode, assignee, label: filter.label };
  }

  async messages(user: UserRecord, id: string, after: number, limit: number): Promise<Message[]> {
    await this.visible(user, id);
    // Private notes are for agents and admins only.
    return await this.store.conversations.messages(id, after, limit, {
      notes: isStaff(user.role),
    });
  }

  /**
   * Persists a message, then publishes it. A customer's message wakes the bot unless a human
   * holds the conversation; an agent writing to a conversation the bot holds takes it over first.
   * A private note (`opts.private`, agents and admins only) changes nothing but the notes: no
   * takeover, no bot, and its `@Name` mentions notify those colleagues (./mentions.ts).
   */
  async send(
    user: UserRecord,
    id: string,
    text: string,
    clientId?: string,
    opts: { private?: boolean; attachmentIds?: string[] } = {},
  ): Promise<Appended> {
    const note = opts.private === true;
    const { attachmentIds } = opts;
    if (note && !isStaff(user.role)) {
      throw forbidden("Only agents and admins write private notes.");
    }
    // A file is served to the conversation's customer too, so it never rides in a note.
    if (note && attachmentIds?.length) {
      throw badRequest("attachmentIds: files can't be attached to a private note.");
    }
    // Characters as people count them (an emoji is one), within what a 16 KiB frame carries.
    if (text.length > MAX_MESSAGE_UNITS || longerThan(text, MAX_MESSAGE_LENGTH)) {
      throw tooLarge(
        `text: messages are at most ${MAX_MESSAGE_LENGTH.toLocaleString("en")} characters; ` +
          "split it into several messages.",
      );
    }
    const staff = isStaff(user.role);
    // For a customer the last known state will do (append re-checks it against KV); a cached record
    // that names someone else may predate a claim (lib/auth/claim.ts), so that case reads afresh. Staff
    // decide on a takeover from a fresh read.
    let conv = staff ? await this.visible(user, id) : await this.store.conversations.getCached(id);
    if (conv && !staff && conv.customerId !== user.id) {
      conv = await this.store.conversations.get(id);
    }
    if (!conv || (!staff && conv.customerId !== user.id)) throw notFound("Conversation");
    // Staff: writing to the bot's or the queue's conversation takes it over. Writing to another
    // agent's conversation posts the message and leaves it theirs: taking it is explicit
    // (`takeover`, which the console confirms), never a side effect of a reply.
    if (staff && !note && conv.status === "open" && conv.mode !== "human") {
      await this.takeover(user, id);
    }
    const appended = await this.store.conversations.append({
      conversationId: id,
      sender: staff ? "agent" : "customer",
      authorId: user.id,
      authorName: user.name,
      text,
      clientId,
      attachmentIds,
      ...(note ? { private: true } : {}),
    }, (c) => {
      if (!staff && c.customerId !== user.id) throw notFound("Conversation");
      if (c.status === "resolved") throw resolvedError();
      // The customer's message ends a snooze, in the message's own commit (./snooze.ts).
      if (!staff && c.snoozedUntil) return { snoozedUntil: null };
    });
    if (appended.duplicate) return appended;
    this.publisher.appended(appended);
    if (note) await this.mentions?.notify(user, appended.message);
    // A file alone asks the bot nothing: it answers text.
    else if (!staff && appended.conversation.mode !== "human" && text.trim() !== "") {
      this.bot.answer(appended.conversation, appended.message, user);
    }
    return appended;
  }

  /** The customer asks for a person. */
  async handoff(user: UserRecord, id: string): Promise<Conversation> {
    const conv = await this.visible(user, id);
    if (conv.customerId !== user.id) throw forbidden("Only the customer can ask for a person.");
    const result = await this.assigner.requestHuman(id);
    this.botMetrics?.customerHandoff(conv);
    if (conv.mode === "bot" && result.mode !== "bot") this.handoffNotes?.after(id);
    return customerView(result);
  }

  /**
   * An agent takes the conversation: the bot goes quiet at once. Agents stay within their
   * capacity (409 otherwise); admins may go past it. Taking it from another agent is said in the
   * conversation ("Ann took over from Bob.") and recorded in `handover`, which tells the previous
   * holder's console (the inbox's conversation frame).
   */
  async takeover(user: UserRecord, id: string): Promise<Conversation> {
    if (!isStaff(user.role)) throw forbidden("Only agents can take over a conversation.");
    await this.visible(user, id);
    // Capacity holds when taking a conversation from another agent (unless an admin does it); a
    // conversation taken from the bot or the queue is the agent's explicit choice, as before.
    let fromAgent = false;
    const capacity = user.role === "admin"
      ? undefined
      : (agentId: string, state: AgentState) =>
        fromAgent ? this.assigner.takeoverCapacity(agentId, state) : Number.POSITIVE_INFINITY;
    const result = await this.store.conversations.change(id, (c) => {
      fromAgent = heldByOther(c, user);
      if (c.status === "resolved") throw resolvedError();
      if (c.mode === "human" && c.assigneeId === user.id) return null;
      const next: Conversation = {
        ...c,
        mode: "human",
        assigneeId: user.id,
        assigneeName: user.name,
      };
      if (c.mode !== "human" || !c.assigneeId) {
        return { next, system: `${isolateName(user.name)} joined the conversation.` };
      }
      const from = c.assigneeName ?? "another agent";
      next.handover = handover("takeover", c, user);
      return { next, system: `${isolateName(user.name)} took over from ${isolateName(from)}.` };
    }, capacity);
    if (!result) {
      throw conflict(
        "You're at your capacity of open conversations. Resolve or hand one back first, " +
          "or ask an admin to take this one.",
      );
    }
    this.publisher.changed(result);
    if (result.changed) await this.assigner.drainQueue();
    this.bot.stop(id);
    return result.conversation;
  }

  /** Back to the bot, which answers the customer's next message. */
  async handback(user: UserRecord, id: string): Promise<Conversation> {
    const conv = await this.visible(user, id);
    this.#assertHolder(user, conv);
    const result = await this.#change(id, (c) => {
      if (c.status === "resolved") throw resolvedError();
      if (c.mode === "bot") return null;
      return {
        next: { ...c, mode: "bot", assigneeId: null, assigneeName: null, botMisses: 0 },
        system: "You're back with the assistant.",
      };
    });
    return result.conversation;
  }

  async transfer(user: UserRecord, id: string, agentId: string): Promise<Conversation> {
    const conv = await this.visible(user, id);
    this.#assertHolder(user, conv);
    const target = await this.store.users.get(agentId);
    if (!target || !isStaff(target.role)) throw badRequest("agentId: no agent with that id.");
    const force = user.role === "admin";
    const result = await this.store.conversations.change(id, (c) => {
      if (c.status === "resolved") throw resolvedError();
      if (c.mode === "human" && c.assigneeId === target.id) return null;
      const next: Conversation = {
        ...c,
        mode: "human",
        assigneeId: target.id,
        assigneeName: target.name,
      };
      if (c.mode === "human" && c.assigneeId) next.handover = handover("transfer", c, user);
      return {
        next,
        system: `${isolateName(user.name)} transferred the conversation to ${
          isolateName(target.name)
        }.`,
      };
    }, force ? undefined : this.assigner.transferCapacity);
    if (!result) {
      throw conflict(`${isolateName(target.name)} is offline or at capacity; try another agent.`);
    }
    this.publisher.changed(result);
    await this.assigner.drainQueue();
    return result.conversation;
  }

  async resolve(user: UserRecord, id: string): Promise<Conversation> {
    await this.visible(user, id);
    const result = await this.#change(id, (c) =>
      c.status === "resolved" ? null : {
        next: { ...c, status: "resolved" },
        system: `${isolateName(user.name)} resolved the conversation.`,
      });
    this.bot.stop(id);
    if (result.changed) this.botMetrics?.resolved(result.conversation);
    return isStaff(user.role) ? result.conversation : customerView(result.conversation);
  }

  /**
   * Resolves a conversation without a message, before its customer's data is erased
   * (./privacy.ts): agents' load, the queue and the live consoles follow as for any resolve.
   */
  async closeForErasure(id: string): Promise<void> {
    await this.#change(id, (c) =>
      c.status === "resolved" ? null : {
        next: { ...c, status: "resolved" },
      });
    this.bot.stop(id);
  }

  /** Only the assignee or an admin may hand back or transfer. */
  #assertHolder(user: UserRecord, conv: Conversation) {
    if (user.role === "admin") return;
    if (!isStaff(user.role) || conv.assigneeId !== user.id) {
      throw forbidden("Only the assigned agent or an admin can do that.");
    }
  }

  async #change(id: string, decide: (c: Conversation) => Decision): Promise<Changed> {
    const result = (await this.store.conversations.change(id, decide))!;
    this.publisher.changed(result);
    if (result.changed) await this.assigner.drainQueue();
    return result;
  }
}
