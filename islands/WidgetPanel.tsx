/**
 * The website widget's panel, the page inside the loader's iframe (/widget/frame). The same chat
 * as `/` — a `log`, a textbox "Message", buttons "Send" and "Talk to a human" — over the same API
 * and socket, for a visitor known by a token in the panel's own storage (lib/client/widget/panel.ts).
 * Around it: the visitor's conversations (newest first) with "New conversation", the pre-chat form
 * an admin may turn on, and an email form when nobody can answer now. It talks to the loader only
 * through lib/client/widget/host_link.ts. Bundled on its own (`standalone`) to stay small.
 */
import { useSignal, useSignalEffect } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { Conversation } from "../lib/contract/types.ts";
import type { PublicWidgetSettings } from "../lib/contract/widget.ts";
import { textOn } from "../lib/contract/widget_rules.ts";
import type { HostMessage } from "../lib/client/widget/protocol.ts";
import { ApiError } from "../lib/client/api.ts";
import { HostLink } from "../lib/client/widget/host_link.ts";
import { WidgetSession } from "../lib/client/widget/panel.ts";
import { KEYS, panelStorage } from "../lib/client/widget/panel_storage.ts";
import { MessageLog } from "../components/MessageLog.tsx";
import { Composer } from "../components/Composer.tsx";
import { RatingForm } from "../components/RatingForm.tsx";
import { AttachFiles } from "../components/Attachments.tsx";
import { ConnectionBanner } from "../components/ConnectionBanner.tsx";
import { PanelHeader } from "../components/widget/PanelHeader.tsx";
import { ConversationPicker } from "../components/widget/ConversationPicker.tsx";
import { ContactForm } from "../components/widget/ContactForm.tsx";
import { OfflineNotice } from "../components/widget/OfflineNotice.tsx";

/** Bundled alone: the frame page loads nothing the other islands share (lib/islands/bundle.ts). */
export const standalone = true;

export interface WidgetPanelProps {
  settings: PublicWidgetSettings;
  /** The site the panel is embedded in (checked by the server against the allowed origins). */
  hostOrigin: string;
  /** The loader's colour option, over the admin's. */
  color: string | null;
}

function statusText(c: Conversation | null, botName: string, position: number | null): string {
  if (!c) return `Ask ${botName} anything, or talk to a person.`;
  if (c.status === "resolved") return "This conversation is resolved.";
  if (c.mode === "waiting") {
    return position === null
      ? "Waiting for a person… you're in the queue."
      : `Waiting for a person… you're number ${position} in line.`;
  }
  if (c.mode === "human") return `You're chatting with ${c.assigneeName ?? "a person"}.`;
  return `You're chatting with ${botName}.`;
}

const message = (e: unknown) =>
  e instanceof ApiError ? e.message : "Something went wrong. Please try again.";

export default function WidgetPanel(props: WidgetPanelProps) {
  const { settings } = props;
  const session = useSignal<WidgetSession | null>(null);
  const link = useSignal<HostLink | null>(null);
  const open = useSignal(false);
  const fullscreen = useSignal(false);
  const visible = useSignal(true);
  const view = useSignal<"chat" | "list">("chat");
  const error = useSignal<string | null>(null);
  const busy = useSignal(false);
  /** After asking for a person with nobody free: whether anyone is online, and the saved email. */
  const offline = useSignal<
    { online: boolean; open: boolean; reopens: string | null; saved?: string } | null
  >(null);
  const preChatDone = useSignal(true);

  useEffect(() => {
    const host = new HostLink(props.hostOrigin);
    const framed = parent !== window;
    open.value = !framed; // opened on its own (not in a frame): always "open"
    panelStorage.connect(
      framed,
      (name, value) => host.post({ parley: 1, type: "store", name, value }),
    );
    panelStorage.ready.then(() => preChatDone.value = panelStorage.get(KEYS.preChat) === "1");
    const s = new WidgetSession((m) =>
      host.post({
        parley: 1,
        type: "message",
        conversationId: m.conversationId,
        sender: m.sender === "bot" ? "bot" : "agent",
        authorName: (m.sender === "bot" ? settings.botName : m.authorName).slice(0, 200),
        createdAt: m.createdAt,
      })
    );
    session.value = s;
    link.value = host;
    const color = props.color ?? settings.color;
    const root = document.documentElement.style;
    root.setProperty("--accent", color);
    root.setProperty("--focus", color);
    root.setProperty("--accent-text", textOn(color));
    const focusComposer = () => {
      if (document.activeElement === document.body) {
        document.querySelector<HTMLElement>(".composer textarea, .wp-form input")?.focus();
      }
    };
    const onVisibility = () => visible.value = document.visibilityState === "visible";
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && framed) host.post({ parley: 1, type: "close" });
    };
    addEventListener("focus", focusComposer);
    document.addEventListener("visibilitychange", onVisibility);
    document.addEventListener("keydown", onKey);
    onVisibility();
    const stopHost = host.start((m) => onHost(s, host, m));
    s.start().catch((e) => error.value = message(e));
    if (document.hasFocus()) focusComposer();
    return () => {
      stopHost();
      s.close();
      removeEventListener("focus", focusComposer);
      document.removeEventListener("visibilitychange", onVisibility);
      document.removeEventListener("keydown", onKey);
    };
  }, []);

  /** The message box (or the form's first field), once it is there. */
  const focusFirst = (tries = 20) => {
    const target = document.querySelector<HTMLElement>(".composer textarea, .wp-form input");
    if (target) target.focus();
    else if (tries > 0) setTimeout(() => focusFirst(tries - 1), 50);
  };

  const onHost = (s: WidgetSession, host: HostLink, m: HostMessage) => {
    if (m.type === "stored") panelStorage.receive(m.values);
    else if (m.type === "focus") focusFirst();
    else if (m.type === "state") {
      open.value = m.open;
      fullscreen.value = m.fullscreen;
    } else if (m.type === "identify") {
      const { parley: _p, type: _t, ...identity } = m;
      s.serial(() => s.identify(identity)).then(
        (user) =>
          host.post({
            parley: 1,
            type: "identity",
            ok: true,
            externalId: user.externalId ?? identity.userId,
            name: user.name.slice(0, 80),
          }),
        (e) =>
          host.post({
            parley: 1,
            type: "identity",
            ok: false,
            code: e instanceof ApiError ? e.code : "internal",
            message: message(e).slice(0, 500),
          }),
      );
    } else {
      view.value = "chat";
      offline.value = null;
      preChatDone.value = false;
      s.serial(() => s.logout()).catch((e) => error.value = message(e));
    }
  };

  // What the loader shows: the unread count, and whether to load the panel on the next page.
  useSignalEffect(() => {
    const s = session.value;
    if (s) s.seen.value = open.value && visible.value && view.value === "chat";
  });
  useSignalEffect(() => {
    const count = session.value?.totalUnread.value;
    if (count !== undefined) link.peek()?.post({ parley: 1, type: "unread", count });
  });
  useSignalEffect(() => {
    const s = session.value;
    if (!s || s.loading.value) return;
    link.peek()?.post({ parley: 1, type: "session", active: s.conversations.value.length > 0 });
  });

  // Waiting for a person (asked for, or the bot handed over): say honestly whether anyone is
  // online, and ask for an email to reply to.
  useSignalEffect(() => {
    const s = session.value;
    const c = s?.current.value?.conversation.value;
    if (!s || c?.status !== "open" || c.mode !== "waiting" || offline.peek()) return;
    s.availability().then(
      (a) => offline.value = { online: a.online, open: a.open, reopens: a.reopensText },
      () => {},
    );
  });

  const run = async (action: () => Promise<void>) => {
    error.value = null;
    busy.value = true;
    try {
      await action();
    } catch (e) {
      error.value = message(e);
    } finally {
      busy.value = false;
    }
  };

  const s = session.value;
  const user = s?.user.value ?? null;
  const model = s?.current.value ?? null;
  const conversations = s?.conversations.value ?? [];
  const conversation = model?.conversation.value ?? null;
  const open_ = conversation?.status === "open";
  const mode = open_ ? conversation!.mode : null;
  const pre = settings.preChat;
  const askName = pre.name !== "off" && (!user || user.name === "Guest");
  const askEmail = pre.email !== "off" && !user?.email;
  const preChat = (askName || askEmail) && !preChatDone.value && !model &&
    conversations.length === 0 && !(s?.loading.value ?? true);
  const close = fullscreen.value && link.value
    ? () => link.peek()!.post({ parley: 1, type: "close" })
    : undefined;
  const status = statusText(conversation, settings.botName, model?.queuePosition.value ?? null);

  if (s && view.value === "list") {
    return (
      <div class="wp">
        <PanelHeader
          title={settings.businessName}
          subtitle={`${conversations.length} conversation${conversations.length === 1 ? "" : "s"}`}
          onClose={close}
        />
        <ConversationPicker
          conversations={conversations}
          unread={s.unread.value}
          botName={settings.botName}
          onNew={() => {
            offline.value = null;
            view.value = "chat";
            void s.select(null);
          }}
          onOpen={(id) =>
            run(async () => {
              offline.value = null;
              await s.select(id);
              view.value = "chat";
            })}
        />
      </div>
    );
  }

  return (
    <div class="wp">
      <PanelHeader
        title={settings.businessName}
        subtitle={<span role="status">{status}</span>}
        onList={s && conversations.length > 0
          ? () => {
            view.value = "list";
            s.refresh().catch(() => {});
          }
          : undefined}
        onClose={close}
      />
      {s?.socket.value && <ConnectionBanner socket={s.socket.value} />}
      {preChat
        ? (
          <ContactForm
            name={askName ? pre.name : "off"}
            email={askEmail ? pre.email : "off"}
            intro={<p class="wp-greeting">{settings.greeting}</p>}
            submitLabel="Start chat"
            onSkip={(askName ? pre.name : "off") !== "required" &&
                (askEmail ? pre.email : "off") !== "required"
              ? () => preChatDone.value = true
              : undefined}
            onSubmit={async ({ name, email }) => {
              await s!.serial(async () => {
                await s!.ensureVisitor(name);
                const changed = email || (name && s!.user.peek()?.name !== name);
                if (changed) await s!.saveContact({ name, email });
              }).catch((e) => Promise.reject(new Error(message(e))));
              panelStorage.set(KEYS.preChat, "1");
              preChatDone.value = true;
            }}
          />
        )
        : (
          <>
            {model
              ? (
                <MessageLog
                  model={model}
                  viewer="customer"
                  botName={settings.botName}
                  token={s?.token ?? null}
                />
              )
              : (
                <div class="log-scroll">
                  <ol role="log" aria-live="polite" aria-label="Messages" class="log">
                    <li class="empty wp-greeting">{settings.greeting}</li>
                  </ol>
                </div>
              )}
            {offline.value && (
              <OfflineNotice
                online={offline.value.online}
                open={offline.value.open}
                reopens={offline.value.reopens}
                email={user?.email ?? offline.value.saved ?? null}
                onSave={async (email) => {
                  await s!.saveContact({ email }).catch((e) =>
                    Promise.reject(new Error(message(e)))
                  );
                  offline.value = { ...offline.value!, saved: email };
                }}
              />
            )}
            {error.value && <p class="form-error" role="alert">{error.value}</p>}
            {conversation?.status === "resolved"
              ? (
                <div class="wp-resolved">
                  <p class="muted">This conversation is resolved; you can read it here.</p>
                  <RatingForm conversationId={conversation.id} token={s?.token ?? null} />
                  <button type="button" class="primary" onClick={() => void s?.select(null)}>
                    New conversation
                  </button>
                </div>
              )
              : (
                <Composer
                  onSend={(text) =>
                    run(async () => {
                      const target = await s!.serial(() => s!.ensureConversation());
                      target.send(text);
                    })}
                  onInput={(text) => model?.inputChanged(text)}
                >
                  <AttachFiles
                    token={s?.token ?? null}
                    disabled={!s}
                    conversationId={async () => (await s!.serial(() => s!.ensureConversation())).id}
                  />
                  <button
                    type="button"
                    class="secondary"
                    disabled={!s || busy.value || mode === "waiting" || mode === "human"}
                    onClick={() => run(async () => void await s!.serial(() => s!.handoff()))}
                  >
                    Talk to a human
                  </button>
                </Composer>
              )}
          </>
        )}
    </div>
  );
}
