/**
 * The admin's team table: each member's effective status and load ("2 / 5"), and controls for the
 * status they are set to and their capacity override (`PUT /api/agents/:id`). Rows come from the
 * admin panel, which keeps them live from `agent` frames; a control keeps what the admin is
 * editing or saving until that is done, then follows the row again.
 */
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import type { AgentStatus, User } from "../lib/contract/types.ts";
import { api, ApiError } from "../lib/client/api.ts";
import { isolateName } from "../lib/contract/text.ts";
import { Name } from "./Name.tsx";

export interface TeamTableProps {
  agents: User[];
  /** `AGENT_CAPACITY`: what an empty capacity means, shown as the placeholder. */
  defaultCapacity: number;
  /** A member as the server answered a change (applied like an `agent` frame). */
  onSaved: (user: User) => void;
}

const STATUSES: AgentStatus[] = ["available", "busy", "offline"];
const CAPACITY_HINT = "Use a whole number from 1 to 1000, or leave it empty for the default.";

export function TeamTable({ agents, defaultCapacity, onSaved }: TeamTableProps) {
  return (
    <table class="team">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Email</th>
          <th scope="col">Role</th>
          <th scope="col">Status now</th>
          <th scope="col">Load</th>
          <th scope="col">Set status</th>
          <th scope="col">Capacity</th>
        </tr>
      </thead>
      <tbody>
        {agents.map((a) => (
          <TeamRow key={a.id} agent={a} defaultCapacity={defaultCapacity} onSaved={onSaved} />
        ))}
      </tbody>
    </table>
  );
}

interface TeamRowProps {
  agent: User;
  defaultCapacity: number;
  onSaved: (user: User) => void;
}

/**
 * The override as the input shows it: empty for the default. (The User object carries the
 * effective capacity only, so an override equal to the default shows as the default.)
 */
const overrideText = (agent: User, defaultCapacity: number) =>
  agent.capacity === undefined || agent.capacity === defaultCapacity ? "" : String(agent.capacity);

function TeamRow({ agent, defaultCapacity, onSaved }: TeamRowProps) {
  const chosen = agent.chosenStatus ?? agent.status ?? "offline";
  const saved = overrideText(agent, defaultCapacity);
  const status = useSignal<AgentStatus>(chosen);
  const capacity = useSignal(saved);
  /** The last change that failed, and why (shown under the row). */
  const failure = useSignal<{ field: "status" | "capacity"; text: string } | null>(null);
  /** Requests in flight: the row's live updates don't move the controls meanwhile. */
  const saving = useSignal(0);
  const capacityInput = useRef<HTMLInputElement>(null);

  // Follow the live row, except in a control being edited or saved.
  useEffect(() => {
    if (saving.peek() === 0) status.value = chosen;
  }, [chosen]);
  useEffect(() => {
    if (saving.peek() === 0 && document.activeElement !== capacityInput.current) {
      capacity.value = saved;
    }
  }, [saved]);

  const save = async (patch: { status?: AgentStatus; capacity?: number | null }) => {
    failure.value = null;
    saving.value++;
    try {
      const { user } = await api<{ user: User }>("PUT", `/api/agents/${agent.id}`, patch);
      onSaved(user);
      if (saving.peek() === 1) {
        status.value = user.chosenStatus ?? user.status ?? status.peek();
        capacity.value = overrideText(user, defaultCapacity);
      }
    } catch (e) {
      const field = patch.status !== undefined ? "status" : "capacity";
      let reason = e instanceof ApiError ? e.message : "Could not save the change.";
      if (field === "capacity" && e instanceof ApiError && e.status === 400) {
        reason += `. ${CAPACITY_HINT}`;
      }
      failure.value = { field, text: `${isolateName(agent.name)}: ${reason}` };
      if (field === "status") status.value = chosen;
    } finally {
      saving.value--;
    }
  };

  const changeCapacity = (input: HTMLInputElement) => {
    failure.value = null;
    if (input.validity.badInput) {
      const text = `${isolateName(agent.name)}: capacity must be a number. ${CAPACITY_HINT}`;
      failure.value = { field: "capacity", text };
      return;
    }
    const text = input.value.trim();
    capacity.value = text;
    if (text === saved) return;
    save({ capacity: text === "" ? null : Number(text) });
  };

  const errorId = `team-error-${agent.id}`;
  return (
    <>
      <tr>
        <td>
          <Name name={agent.name} />
        </td>
        <td>{agent.email}</td>
        <td>{agent.role}</td>
        <td>
          <span class={`dot ${agent.status}`} aria-hidden="true" /> {agent.status}
        </td>
        <td>{agent.activeConversations ?? 0} / {agent.capacity ?? defaultCapacity}</td>
        <td>
          <select
            aria-label={`Status for ${agent.name}`}
            value={status.value}
            aria-invalid={failure.value?.field === "status" ? "true" : undefined}
            aria-describedby={failure.value?.field === "status" ? errorId : undefined}
            onChange={(e) => {
              const next = e.currentTarget.value as AgentStatus;
              status.value = next;
              save({ status: next });
            }}
          >
            {STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </td>
        <td>
          <input
            ref={capacityInput}
            class="capacity"
            type="number"
            inputMode="numeric"
            min={1}
            max={1000}
            step={1}
            aria-label={`Capacity for ${agent.name}`}
            placeholder={String(defaultCapacity)}
            value={capacity.value}
            aria-invalid={failure.value?.field === "capacity" ? "true" : undefined}
            aria-describedby={failure.value?.field === "capacity" ? errorId : undefined}
            // Typed text is state at once, so a live update that renders the row keeps it.
            onInput={(e) => capacity.value = e.currentTarget.value}
            onChange={(e) => changeCapacity(e.currentTarget)}
          />
        </td>
      </tr>
      {failure.value && (
        <tr class="row-error">
          <td colSpan={7}>
            <p class="form-error" role="alert" id={errorId}>{failure.value.text}</p>
          </td>
        </tr>
      )}
    </>
  );
}
