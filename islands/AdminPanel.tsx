/**
 * The admin page's live part: the last 7 days' figures, the staff list with status and load (and
 * each member's status and capacity to set), creating agents and admins, and every conversation
 * (a paged list, newest activity first, loaded on scroll). Both lists are live: `agent` frames
 * update the staff, the inbox's `conversation` frames the conversations; both are refetched
 * after each reconnect.
 */
import { useSignal } from "@preact/signals";
import { useEffect, useMemo, useRef } from "preact/hooks";
import { createAgentBody } from "../lib/contract/schemas.ts";
import type { User } from "../lib/contract/types.ts";
import { api, ApiError } from "../lib/client/api.ts";
import { sharedSocket } from "../lib/client/chat_socket.ts";
import { type ListResponse, PagedList } from "../lib/client/paged_list.ts";
import { modeLabel } from "../components/ConversationList.tsx";
import { LoadMore } from "../components/LoadMore.tsx";
import { MetricsPanel } from "../components/MetricsPanel.tsx";
import { TeamTable } from "../components/TeamTable.tsx";
import { Name } from "../components/Name.tsx";
import { isolateName } from "../lib/contract/text.ts";
import { WidgetSettingsForm } from "../components/WidgetSettingsForm.tsx";
import { BusinessHoursForm } from "../components/BusinessHoursForm.tsx";
import { LabelSettingsForm } from "../components/LabelSettingsForm.tsx";

export interface AdminPanelProps {
  agents: User[];
  /** The first page of all conversations. */
  conversations: ListResponse;
  /** `AGENT_CAPACITY`, for members without an override. */
  defaultCapacity: number;
}

export default function AdminPanel(props: AdminPanelProps) {
  const agents = useSignal(props.agents);
  const all = useMemo(() => new PagedList("", () => true, props.conversations), []);
  const failure = useSignal<string | null>(null);
  const notice = useSignal<string | null>(null);
  const busy = useSignal(false);

  /** Per refresh on its way, the members updated live (or saved here) meanwhile: newer news. */
  const refreshing = useRef(new Set<Map<string, User>>());

  const applyAgent = (agent: User) => {
    for (const updated of refreshing.current) updated.set(agent.id, agent);
    const list = agents.peek();
    agents.value = list.some((a) => a.id === agent.id)
      ? list.map((a) => a.id === agent.id ? agent : a)
      : [...list, agent];
  };

  const refresh = async () => {
    const updated = new Map<string, User>();
    refreshing.current.add(updated);
    try {
      const [staff] = await Promise.all([
        api<{ agents: User[] }>("GET", "/api/agents"),
        all.reload(),
      ]);
      // The list may have been read before an update that already reached the table: keep that.
      agents.value = staff.agents.map((a) => updated.get(a.id) ?? a);
    } finally {
      refreshing.current.delete(updated);
    }
  };

  useEffect(() => {
    const socket = sharedSocket();
    const stopInbox = socket.subscribeInbox((c) => all.apply(c));
    const stopAgents = socket.onAgent(applyAgent);
    const stopReady = socket.onReady(() => refresh().catch(() => {}));
    return () => {
      stopInbox();
      stopAgents();
      stopReady();
    };
  }, []);

  const create = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = Object.fromEntries(new FormData(form));
    const parsed = createAgentBody.safeParse(data);
    failure.value = notice.value = null;
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      failure.value = `${String(issue.path[0] ?? "form")}: ${issue.message}.`;
      return;
    }
    busy.value = true;
    try {
      const { user } = await api<{ user: User }>("POST", "/api/agents", parsed.data);
      notice.value = `${isolateName(user.name)} can now sign in at /agent/login as ${user.email}.`;
      form.reset();
      await refresh();
    } catch (e) {
      failure.value = e instanceof ApiError ? e.message : "Could not create the account.";
    } finally {
      busy.value = false;
    }
  };

  return (
    <div class="admin">
      <MetricsPanel />
      <section class="card" aria-labelledby="team">
        <h2 id="team">Team</h2>
        <TeamTable
          agents={agents.value}
          defaultCapacity={props.defaultCapacity}
          onSaved={applyAgent}
        />
      </section>
      <section class="card" aria-labelledby="new-agent">
        <h2 id="new-agent">Add a team member</h2>
        <form class="grid-form" method="post" onSubmit={create} noValidate>
          <div class="field">
            <label for="a-name">Name</label>
            <input id="a-name" name="name" required autocomplete="off" />
          </div>
          <div class="field">
            <label for="a-email">Email</label>
            <input id="a-email" name="email" type="email" required autocomplete="off" />
          </div>
          <div class="field">
            <label for="a-password">Password</label>
            <input id="a-password" name="password" type="password" autocomplete="new-password" />
          </div>
          <div class="field">
            <label for="a-role">Role</label>
            <select id="a-role" name="role">
              <option value="agent">Agent</option>
              <option value="admin">Admin</option>
            </select>
          </div>
          <button type="submit" class="primary" disabled={busy.value}>Create account</button>
        </form>
        {failure.value && <p class="form-error" role="alert">{failure.value}</p>}
        {notice.value && <p class="form-notice" role="status">{notice.value}</p>}
      </section>
      <WidgetSettingsForm />
      <section class="card" aria-labelledby="business-hours">
        <h2 id="business-hours">Business hours</h2>
        <BusinessHoursForm />
      </section>
      <LabelSettingsForm />
      <section class="card" aria-labelledby="all-conversations">
        <h2 id="all-conversations">All conversations</h2>
        {all.items.value.length === 0 ? <p class="muted">No conversations yet.</p> : (
          <table>
            <thead>
              <tr>
                <th scope="col">Customer</th>
                <th scope="col">State</th>
                <th scope="col">Last message</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {all.items.value.map((c) => (
                <tr key={c.id}>
                  <td>
                    <a href={`/agent#c=${c.id}`}>
                      <Name name={c.customerName} />
                    </a>
                  </td>
                  <td>{modeLabel(c)}</td>
                  <td class="preview">{c.lastMessage?.text ?? ""}</td>
                  <td>
                    <time dateTime={c.updatedAt}>{new Date(c.updatedAt).toLocaleString()}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <LoadMore
          hasMore={all.next.value !== null}
          loading={all.loading.value}
          error={all.error.value}
          onMore={() => all.loadMore()}
        />
      </section>
    </div>
  );
}
