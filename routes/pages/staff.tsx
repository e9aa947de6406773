/** Staff pages: `/agent/login`, the agent console (`/agent`) and the admin page (`/admin`). */
import { Hono } from "hono";
import type { AppEnv, Ctx } from "../../lib/http/env.ts";
import type { Services } from "../../lib/server/services.ts";
import { isStaff, publicUser } from "../../lib/store/users.ts";
import AgentConsole from "../../islands/AgentConsole.tsx";
import AdminPanel from "../../islands/AdminPanel.tsx";
import OperationsPanel from "../../islands/OperationsPanel.tsx";
import BotPanel from "../../islands/BotPanel.tsx";
import HelpEditor from "../../islands/HelpEditor.tsx";
import AuthForm from "../../islands/AuthForm.tsx";
import SignOut from "../../islands/SignOut.tsx";
import { AuthCard, Shell } from "./layout.tsx";
import { Name } from "../../components/Name.tsx";
import { ReportCharts } from "../../components/ReportCharts.tsx";
import type { Render } from "./mod.tsx";
import type { ListFilter } from "../../lib/chat/chat.ts";
import { localNext } from "../../lib/next_path.ts";

type StaffDeps = Pick<
  Services,
  "chat" | "store" | "config" | "reads" | "auth" | "help" | "kvWarning" | "reports"
>;

/** The first page of `filter`'s list (with counts and unread), the team, and the reader. */
async function staffData(
  c: Ctx,
  { chat, store, config, reads, auth }: StaffDeps,
  filter: ListFilter,
) {
  const user = c.var.principal!.user;
  const [page, staff, me] = await Promise.all([
    chat.list(user, filter, FIRST_PAGE).then(async (page) => ({
      ...page,
      conversations: await reads.annotate(user, page.conversations),
    })),
    store.users.listStaff(),
    auth.publicUser(user),
  ]);
  const agents = staff.map((s) => publicUser(s.record, s.state, config.agentCapacity));
  return { me, page, agents };
}

/** Conversations rendered with the page; more load as the list scrolls. */
const FIRST_PAGE = 50;

const staffNav = (name: string, admin: boolean) => (
  <>
    <a href="/agent">Console</a>
    {admin && <a href="/admin">Admin</a>}
    <a href="/help">Help center</a>
    <span class="who">
      <Name name={name} />
    </span>
    <SignOut to="/agent/login" />
  </>
);

const loginUrl = (next: string) => `/agent/login?next=${encodeURIComponent(next)}`;

export function staffPages(render: Render, deps: StaffDeps) {
  return new Hono<AppEnv>()
    .get("/agent/login", (c) =>
      render(
        c,
        "Agent sign-in · Parley",
        <Shell layout="page auth">
          <AuthCard
            title="Agent sign-in"
            intro="For the support team. Customers chat at the home page."
          >
            <AuthForm
              kind="agent"
              next={localNext(c.req.query("next"), new URL(c.req.url).origin) ?? undefined}
            />
          </AuthCard>
        </Shell>,
      ))
    .get("/agent", async (c) => {
      const user = c.var.principal?.user;
      if (!user || !isStaff(user.role)) return c.redirect(loginUrl("/agent"));
      const { me, page, agents } = await staffData(c, deps, { status: "open", mode: "waiting" });
      return render(
        c,
        "Agent console · Parley",
        <Shell layout="console-page" nav={staffNav(user.name, user.role === "admin")}>
          <AgentConsole user={me} waiting={page} agents={agents} />
        </Shell>,
      );
    })
    .get("/admin", async (c) => {
      const user = c.var.principal?.user;
      if (!user) return c.redirect(loginUrl("/admin"));
      if (user.role !== "admin") {
        return render(
          c,
          "Admins only · Parley",
          <Shell layout="page narrow" nav={staffNav(user.name, false)}>
            <h1>Admins only</h1>
            <p>
              This page is for admins. Ask an admin for access, or go back to the{" "}
              {isStaff(user.role) ? <a href="/agent">agent console</a> : <a href="/">chat</a>}.
            </p>
          </Shell>,
          403,
        );
      }
      const [{ page, agents }, report] = await Promise.all([
        staffData(c, deps, {}),
        deps.reports.report(),
      ]);
      const defaultCapacity = deps.config.agentCapacity;
      return render(
        c,
        "Admin · Parley",
        <Shell layout="page wide" nav={staffNav(user.name, true)}>
          <h1>Admin</h1>
          {deps.kvWarning && (
            <p class="alert-banner" role="alert" data-warning="kv_ephemeral">
              <strong>Data may be lost.</strong> {deps.kvWarning.message}
            </p>
          )}
          <AdminPanel
            agents={agents}
            conversations={page}
            defaultCapacity={defaultCapacity}
          />
          <OperationsPanel />
          <ReportCharts report={report} />
          <BotPanel />
          <HelpEditor
            articles={deps.help.summaries()}
            question={c.req.query("question")?.slice(0, 500) ?? null}
          />
        </Shell>,
      );
    });
}
