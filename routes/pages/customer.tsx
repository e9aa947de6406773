/** The customer's pages: the chat (`/`), `/login` and `/register`. */
import { isId } from "../../lib/contract/schemas.ts";
import { Hono } from "hono";
import type { AppEnv, Ctx } from "../../lib/http/env.ts";
import type { Services } from "../../lib/server/services.ts";
import { isStaff, publicUser } from "../../lib/store/users.ts";
import type { Conversation, Message } from "../../lib/contract/types.ts";
import ChatApp from "../../islands/ChatApp.tsx";
import AuthForm from "../../islands/AuthForm.tsx";
import SignOut from "../../islands/SignOut.tsx";
import { AuthCard, Shell } from "./layout.tsx";
import { Name } from "../../components/Name.tsx";
import type { Render } from "./mod.tsx";
import { localNext } from "../../lib/next_path.ts";

/** How much history the chat page renders; older messages stay in the store. */
const HISTORY = 200;

const guestNav = (
  <>
    <a href="/help">Help</a>
    <a href="/login">Sign in</a>
    <a class="button small" href="/register">Create account</a>
  </>
);

/** `?next=` if it stays on this site (lib/next_path.ts), for the sign-in forms. */
const nextOf = (c: Ctx) => localNext(c.req.query("next"), new URL(c.req.url).origin) ?? undefined;

/** The customer's latest open conversation and its recent messages, if any. */
type CustomerDeps = Pick<Services, "chat" | "store" | "config">;

async function currentConversation(
  c: Ctx,
  { chat, store }: CustomerDeps,
): Promise<{ conversation: Conversation | null; messages: Message[] }> {
  const user = c.var.principal?.user;
  if (!user || isStaff(user.role)) return { conversation: null, messages: [] };
  // `?conversation=<id>`: the link in an email (lib/outbox/mailer.ts) opens that one, if theirs.
  const asked = c.req.query("conversation") ?? "";
  const linked = isId(asked) ? await chat.visible(user, asked).catch(() => null) : null;
  const page = linked ? null : await chat.list(user, { status: "open" }, 1);
  const open = linked ?? page?.conversations[0] ?? null;
  if (!open) return { conversation: null, messages: [] };
  const messages = await store.conversations.messages(
    open.id,
    Math.max(0, open.lastSeq - HISTORY),
    HISTORY,
  );
  return { conversation: open, messages };
}

export function customerPages(render: Render, deps: CustomerDeps) {
  const { config } = deps;
  return new Hono<AppEnv>()
    .get("/", async (c) => {
      const record = c.var.principal?.user ?? null;
      if (record && isStaff(record.role)) {
        return render(
          c,
          `${config.businessName} support`,
          <Shell nav={<a href="/agent">Agent console</a>} layout="page narrow">
            <h1>
              You're signed in as <Name name={record.name} />
            </h1>
            <p>
              Agents answer customers from the{" "}
              <a href="/agent">agent console</a>. To try the customer chat, open this page in a
              private window.
            </p>
          </Shell>,
        );
      }
      const { conversation, messages } = await currentConversation(c, deps);
      const customer = record && record.role === "customer" ? record : null;
      return render(
        c,
        `${config.businessName} support`,
        <Shell
          layout="chat-page"
          nav={customer
            ? (
              <>
                <a href="/help">Help</a>
                <span class="who">{customer.name}</span>
                <SignOut />
              </>
            )
            : guestNav}
        >
          <h1 class="chat-title">
            {config.businessName} support
          </h1>
          <ChatApp
            user={record ? publicUser(record) : null}
            conversation={conversation}
            messages={messages}
            botName={config.botName}
            businessName={config.businessName}
          />
        </Shell>,
      );
    })
    .get("/login", (c) =>
      render(
        c,
        "Sign in · Parley",
        <Shell layout="page auth">
          <AuthCard
            title="Sign in"
            intro="Your current chat comes with you."
            footer={
              <>
                New here? <a href="/register">Create an account</a> ·{" "}
                <a href="/">Back to the chat</a>
              </>
            }
          >
            <AuthForm kind="login" next={nextOf(c)} />
          </AuthCard>
        </Shell>,
      ))
    .get("/register", (c) =>
      render(
        c,
        "Create an account · Parley",
        <Shell layout="page auth">
          <AuthCard
            title="Create an account"
            intro="Keep your conversations and pick them up from any device. Your current chat comes with you."
            footer={
              <>
                Have an account? <a href="/login">Sign in</a> · <a href="/">Back to the chat</a>
              </>
            }
          >
            <AuthForm kind="register" next={nextOf(c)} />
          </AuthCard>
        </Shell>,
      ));
}
