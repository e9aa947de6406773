/**
 * The agent console (`/agent`): the conversation list (one paged list per filter tab, loaded on
 * scroll, kept live by the inbox subscription and reloaded after every reconnect), the tabs'
 * counts (the server's counters, fetched again shortly after any change of state), the open
 * conversation, the agent's Status and the agents' loads (live through `agent` frames, so a
 * change made elsewhere, by an admin say, shows at once), and unread counts. What an agent has
 * read is the server's (read frames store it; lists carry `unread`), so two browsers of one agent
 * agree; the title shows how many loaded waiting conversations have unread messages. When another
 * agent takes one of ours (or an admin transfers it), a notice says so: the conversation frame
 * carries its `handover`.
 */
import { batch, useSignal, useSignalEffect } from "@preact/signals";
import { useEffect, useMemo } from "preact/hooks";
import type {
  AgentStatus,
  Conversation,
  ConversationCounts,
  Message,
  User,
} from "../lib/contract/types.ts";
import { api, ApiError } from "../lib/client/api.ts";
import { type ChatSocket, sharedSocket } from "../lib/client/chat_socket.ts";
import { ConversationModel } from "../lib/client/conversation.ts";
import { type Listed, type ListResponse, PagedList } from "../lib/client/paged_list.ts";
import { SearchBox } from "../components/SearchBox.tsx";
import { ConnectionBanner } from "../components/ConnectionBanner.tsx";
import {
  ConversationList,
  type Filter,
  FILTER_QUERIES,
  matches,
} from "../components/ConversationList.tsx";
import { type Action, ConversationPane } from "../components/ConversationPane.tsx";
import { CustomerPanel } from "../components/CustomerPanel.tsx";
import { type ShortcutActions, ShortcutKeys } from "../components/Shortcuts.tsx";
import { isolateName } from "../lib/contract/text.ts";

/** Read positions from a list carrying `unread` (a newer local one, not yet stored, stays). */
function readPositions(seen: Record<string, number>, list: Listed[]): Record<string, number> {
  const next = { ...seen };
  for (const c of list) {
    if (c.unread !== undefined) next[c.id] = Math.max(next[c.id] ?? 0, c.lastSeq - c.unread);
  }
  return next;
}

export interface AgentConsoleProps {
  user: User;
  /** The first page of the Waiting tab, with the counts. */
  waiting: ListResponse;
  agents: User[];
}

/** What moves the counts: a conversation's state, not its messages. */
const stateOf = (c: Conversation) =>
  `${c.status} ${c.mode} ${c.assigneeId} ${(c.labels ?? []).join(",")}`;
/** Conversations remembered to tell state changes from messages, and handovers already told. */
const MAX_KNOWN = 5000;
const COUNTS_DELAY_MS = 300;

export default function AgentConsole(props: AgentConsoleProps) {
  const self = props.user;
  const lists = useMemo(() => {
    const match = (f: Filter) => (c: Conversation) => matches(f, c, self.id);
    return new Map<Filter, PagedList>([
      ["waiting", new PagedList(FILTER_QUERIES.waiting, match("waiting"), props.waiting)],
    ]);
  }, []);
  const newList = (f: Filter) => new PagedList(FILTER_QUERIES[f], (c) => matches(f, c, self.id));
  const listFor = (f: Filter): PagedList => {
    let list = lists.get(f);
    if (!list) {
      lists.set(f, list = newList(f));
      reload(list);
    }
    return list;
  };
  const counts = useSignal<ConversationCounts | null>(props.waiting.counts ?? null);
  const agents = useSignal(props.agents);
  const filter = useSignal<Filter>("waiting");
  const model = useSignal<ConversationModel | null>(null);
  /** The seq we have read up to, per conversation (as stored by the server, or sent to it). */
  const seen = useSignal<Record<string, number>>(
    readPositions({}, props.waiting.conversations),
  );
  // The agent's own choice (their effective status shows "busy" at capacity).
  const status = useSignal<AgentStatus>(self.chosenStatus ?? self.status ?? "offline");
  /** Status changes of ours still in flight: `agent` frames don't move the select meanwhile. */
  const statusChanges = useSignal(0);
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  // Opened in the browser only (never while rendering on the server).
  const socketRef = useSignal<ChatSocket | null>(null);

  /** The last state seen of each conversation (its counts and handover notices compare). */
  const known = useMemo(() => new Map<string, Conversation>(), []);
  const remember = (c: Conversation) => {
    if (known.size >= MAX_KNOWN) known.clear();
    known.set(c.id, c);
  };
  /** A page arrived: its read positions, states and counts. */
  const took = (page: ListResponse | null) => {
    if (!page) return;
    seen.value = readPositions(seen.peek(), page.conversations);
    for (const c of page.conversations) remember(c);
    if (page.counts) counts.value = page.counts;
  };
  const reload = (list: PagedList) => list.reload().then(took);
  const loadMore = () => listFor(filter.peek()).loadMore().then(took);

  /** "Ann took over your conversation with Carol.": one per handover, until dismissed. */
  const notices = useSignal<{ key: string; conversationId: string; text: string }[]>([]);
  const noticeOf = (c: Conversation, prior: Conversation | undefined) => {
    const h = c.handover;
    if (!h || h.fromId !== self.id || h.byId === self.id || prior?.handover?.seq === h.seq) return;
    if (c.assigneeId === self.id) return; // back with us since
    const key = `${c.id}:${h.seq}`;
    if (notices.peek().some((n) => n.key === key)) return;
    const customer = isolateName(c.customerName), by = isolateName(h.byName);
    const text = h.kind === "takeover"
      ? `${by} took over your conversation with ${customer}.`
      : `${by} transferred your conversation with ${customer} to ${
        isolateName(c.assigneeName ?? "another agent")
      }.`;
    notices.value = [...notices.peek(), { key, conversationId: c.id, text }];
  };

  // The counts, fetched again shortly after a change of state (one fetch for a burst).
  const countsTimer = useMemo(() => ({ id: null as ReturnType<typeof setTimeout> | null }), []);
  const countsSoon = () => {
    if (countsTimer.id !== null) return;
    countsTimer.id = setTimeout(() => {
      countsTimer.id = null;
      api<{ counts: ConversationCounts }>("GET", "/api/conversations/counts")
        .then((r) => counts.value = r.counts).catch(() => {});
    }, COUNTS_DELAY_MS);
  };
  /** A conversation's new state (frame or action): every tab's list, and the counts if moved. */
  const upsert = (c: Conversation) => {
    const before = known.get(c.id);
    if (before && before.updatedAt > c.updatedAt) return;
    batch(() => {
      for (const list of lists.values()) list.apply(c);
    });
    if (before) noticeOf(c, before);
    remember(c);
    if (!before || stateOf(before) !== stateOf(c)) countsSoon();
  };
  const refresh = async () => {
    // Other tabs load again when shown; the shown one, Waiting (the title's count) and Mine now.
    // (Mine: a handover notice compares with the state before it.)
    const kept = new Set<Filter>([filter.peek(), "waiting", "mine"]);
    for (const f of lists.keys()) if (!kept.has(f)) lists.delete(f);
    if (!lists.has("mine")) lists.set("mine", newList("mine"));
    const [staff] = await Promise.all([
      api<{ agents: User[] }>("GET", "/api/agents"),
      ...[...lists.values()].map(reload),
    ]);
    batch(() => {
      agents.value = staff.agents;
      const me = staff.agents.find((a) => a.id === self.id);
      if (me && statusChanges.peek() === 0) {
        status.value = me.chosenStatus ?? me.status ?? "offline";
      }
    });
  };

  /** The agents to transfer to, with their current status and load (they change all the time). */
  const refreshAgents = () =>
    api<{ agents: User[] }>("GET", "/api/agents").then((staff) => agents.value = staff.agents)
      .catch(() => {});

  const open = async (id: string) => {
    if (model.peek()?.id === id) return;
    error.value = null;
    refreshAgents();
    try {
      const [{ conversation }, { messages }] = await Promise.all([
        api<{ conversation: Conversation }>("GET", `/api/conversations/${id}`),
        api<{ messages: Message[] }>("GET", `/api/conversations/${id}/messages?limit=1000`),
      ]);
      model.value = new ConversationModel(sharedSocket, conversation, messages, () => self.id);
      history.replaceState(null, "", `#c=${id}`);
    } catch (e) {
      error.value = e instanceof ApiError ? e.message : "Could not open that conversation.";
    }
  };

  useEffect(() => {
    const socket = socketRef.value = sharedSocket();
    for (const c of props.waiting.conversations) remember(c);
    const stopInbox = socket.subscribeInbox(upsert);
    // Status and load, live: the transfer list's loads, and our Status when an admin changes it.
    const stopAgents = socket.onAgent((agent) => {
      const list = agents.peek();
      const known = list.some((a) => a.id === agent.id);
      batch(() => {
        agents.value = known ? list.map((a) => a.id === agent.id ? agent : a) : [...list, agent];
        if (agent.id === self.id && statusChanges.peek() === 0) {
          status.value = agent.chosenStatus ?? agent.status ?? status.peek();
        }
      });
    });
    // Also on the first connection: what changed between rendering the page and the inbox
    // subscription (a customer asking for a human meanwhile) reached no socket of ours.
    // A read frame sent while offline was dropped: say it again (the server keeps the highest).
    const stopReady = socket.onReady(() => {
      refresh().catch(() => {});
      if (document.visibilityState === "visible") model.peek()?.markRead();
    });
    // A colleague's private note mentioned us: a notice that opens the conversation.
    const stopMentions = socket.onMention((m) => {
      const key = `mention:${m.conversationId}:${m.seq}`;
      if (notices.peek().some((n) => n.key === key)) return;
      const text = `${m.byName} mentioned you in a note: “${m.text.slice(0, 80)}”`;
      notices.value = [...notices.peek(), { key, conversationId: m.conversationId, text }];
    });
    const fromHash = /^#c=([\w-]+)$/.exec(location.hash)?.[1];
    if (fromHash) open(fromHash);
    return () => {
      stopInbox();
      stopAgents();
      stopReady();
      stopMentions();
      if (countsTimer.id !== null) clearTimeout(countsTimer.id);
    };
  }, []);

  useSignalEffect(() => {
    const current = model.value;
    if (!current) return;
    return current.attach();
  });

  // The open conversation, while the page is visible, is read up to its last message: a read
  // frame tells the server (which stores it) and the customer.
  const visibility = useSignal(0);
  useEffect(() => {
    const onChange = () => visibility.value++;
    document.addEventListener("visibilitychange", onChange);
    return () => document.removeEventListener("visibilitychange", onChange);
  }, []);
  useSignalEffect(() => {
    visibility.value;
    const current = model.value;
    const last = current?.messages.value.at(-1)?.seq;
    if (!current || last === undefined || (seen.peek()[current.id] ?? 0) >= last) return;
    if (document.visibilityState !== "visible") return;
    seen.value = { ...seen.peek(), [current.id]: last };
    current.markRead();
  });

  const unread = (c: Conversation) =>
    model.value?.id === c.id ? 0 : Math.max(0, c.lastSeq - (seen.value[c.id] ?? 0));
  const shown = listFor(filter.value);
  const waitingUnread = listFor("waiting").items.value
    .filter((c) => unread(c) > 0).length;

  useEffect(() => {
    document.title = `${waitingUnread > 0 ? `(${waitingUnread}) ` : ""}Agent console · Parley`;
  }, [waitingUnread]);

  const act = async (action: Action, body?: { agentId: string }) => {
    const current = model.peek();
    if (!current) return;
    busy.value = true;
    error.value = null;
    try {
      const { conversation } = await api<{ conversation: Conversation }>(
        "POST",
        `/api/conversations/${current.id}/${action}`,
        body,
      );
      current.conversation.value = conversation;
      upsert(conversation);
      if (action === "transfer") refreshAgents();
    } catch (e) {
      error.value = e instanceof ApiError ? e.message : "That didn't work. Please try again.";
    } finally {
      busy.value = false;
    }
  };

  /** The keyboard (components/Shortcuts.tsx): the list shown now, the open conversation. */
  const step = (by: number) => {
    const items = shown.items.peek();
    if (!items.length) return;
    const at = items.findIndex((c) => c.id === model.peek()?.id);
    const next = at < 0 ? 0 : Math.min(items.length - 1, Math.max(0, at + by));
    void open(items[next].id);
  };
  const inPane = (selector: string) =>
    document.querySelector<HTMLElement>(`.console .pane ${selector}`);
  const shortcuts: ShortcutActions = {
    next: () => step(1),
    previous: () => step(-1),
    reply: () => inPane('textarea[name="message"]')?.focus(),
    // The note box is tagged data-shortcut="note" by whoever renders it.
    note: () => {
      const el = inPane('[data-shortcut="note"]');
      if (el instanceof HTMLInputElement && el.type === "checkbox") {
        if (!el.checked) el.click(); // the composer's Private note switch
        inPane('textarea[name="message"]')?.focus();
      } else if (el?.tagName === "BUTTON") el.click();
      else el?.focus();
    },
    resolve: () => {
      if (model.peek()?.conversation.peek().status === "open") void act("resolve");
    },
    // Through the button: a conversation another agent holds asks to confirm first.
    assignToMe: () =>
      [...document.querySelectorAll<HTMLButtonElement>(".console .pane .actions button")]
        .find((b) => b.textContent?.trim() === "Take over" && !b.disabled)?.click(),
  };

  const changeStatus = async (next: AgentStatus) => {
    const previous = status.peek();
    status.value = next;
    statusChanges.value++;
    try {
      const { user } = await api<{ user: User }>("PUT", "/api/agents/me/status", { status: next });
      if (statusChanges.peek() === 1) status.value = user.chosenStatus ?? user.status ?? next;
    } catch (e) {
      status.value = previous;
      error.value = e instanceof ApiError ? e.message : "Could not change your status.";
    } finally {
      statusChanges.value--;
    }
  };

  const none = { open: 0, resolved: 0, bot: 0, waiting: 0, human: 0, mine: 0 };
  const { open: openCount, resolved, bot, waiting, mine } = counts.value ?? none;
  const tabCounts: Record<Filter, number> = { waiting, mine, bot, open: openCount, resolved };
  return (
    <div class={`console ${model.value ? "has-selection" : ""}`}>
      {socketRef.value && <ConnectionBanner socket={socketRef.value} />}
      <div class="notices" role="status" aria-live="polite">
        {notices.value.map((n) => (
          <p key={n.key} class="notice">
            <a
              href={`#c=${n.conversationId}`}
              onClick={(e) => {
                e.preventDefault();
                open(n.conversationId);
              }}
            >
              {n.text}
            </a>{" "}
            <button
              type="button"
              class="link"
              onClick={() => notices.value = notices.peek().filter((x) => x.key !== n.key)}
            >
              Dismiss
            </button>
          </p>
        ))}
      </div>
      <div class="console-bar">
        <h1>
          Conversations
          {waitingUnread > 0 && (
            <span class="badge-count" aria-label={`${waitingUnread} waiting with unread messages`}>
              {waitingUnread}
            </span>
          )}
        </h1>
        <SearchBox onOpen={open} />
        <label class="status-select">
          <span>Status</span>
          <select
            value={status.value}
            onChange={(e) => changeStatus(e.currentTarget.value as AgentStatus)}
          >
            <option value="available">Available</option>
            <option value="busy">Busy</option>
            <option value="offline">Offline</option>
          </select>
        </label>
      </div>
      <div class="console-body">
        <ConversationList
          conversations={shown.items.value}
          counts={tabCounts}
          filter={filter.value}
          selected={model.value?.id ?? null}
          unread={unread}
          hasMore={shown.next.value !== null}
          loading={shown.loading.value}
          error={shown.error.value}
          onFilter={(f) => filter.value = f}
          onOpen={open}
          onMore={loadMore}
        />
        {model.value
          ? (
            <ConversationPane
              model={model.value}
              self={self}
              agents={agents.value}
              busy={busy.value}
              error={error.value}
              onAction={act}
              onTransferFocus={refreshAgents}
              onUpdated={(c) => {
                model.peek()!.conversation.value = c;
                upsert(c);
              }}
              onBack={() => {
                model.value = null;
                history.replaceState(null, "", location.pathname);
              }}
            />
          )
          : (
            <section class="pane pane-empty">
              {error.value && <p class="form-error" role="alert">{error.value}</p>}
              <p class="muted">Pick a conversation to see its history and reply.</p>
            </section>
          )}
        {model.value && (
          <CustomerPanel conversation={model.value.conversation.value} onOpen={open} />
        )}
        <ShortcutKeys actions={shortcuts} />
      </div>
    </div>
  );
}
