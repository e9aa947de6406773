/**
 * One conversation in the agent console: who and what state, the actions (Take over, Hand back to
 * bot, Resolve, transfer), the whole history as a live log, and the composer.
 */
import { useSignal } from "@preact/signals";
import type { ConversationModel } from "../lib/client/conversation.ts";
import type { User } from "../lib/contract/types.ts";
import { MessageLog } from "./MessageLog.tsx";
import { Composer } from "./Composer.tsx";
import { modeLabel } from "./ConversationList.tsx";
import { CustomerCard } from "./CustomerCard.tsx";

export type Action = "takeover" | "handback" | "resolve" | "transfer";

export interface ConversationPaneProps {
  model: ConversationModel;
  self: User;
  agents: User[];
  busy: boolean;
  error: string | null;
  onAction(action: Action, body?: { agentId: string }): void;
  /** The transfer list is about to be used: a cue to refresh the agents' status and load. */
  onTransferFocus?(): void;
  onBack(): void;
}

export function ConversationPane(props: ConversationPaneProps) {
  const { model, self, agents, busy } = props;
  const c = model.conversation.value;
  const transferTo = useSignal("");
  const open = c.status === "open";
  const mine = c.mode === "human" && c.assigneeId === self.id;
  const holder = mine || self.role === "admin";
  const others = agents.filter((a) => a.id !== self.id && a.id !== c.assigneeId);
  return (
    <section class="pane" aria-labelledby="pane-title">
      <div class="pane-head">
        <button type="button" class="link back" onClick={props.onBack}>
          ← Conversations
        </button>
        <div class="pane-who">
          <h2 id="pane-title">{c.customerName}</h2>
          <span class={`mode-pill mode-${open ? c.mode : "resolved"}`}>{modeLabel(c)}</span>
        </div>
        <CustomerCard customerId={c.customerId} />
        <div class="actions">
          <button
            type="button"
            class="primary"
            disabled={busy || !open || mine}
            onClick={() => props.onAction("takeover")}
          >
            Take over
          </button>
          <button
            type="button"
            class="secondary"
            disabled={busy || !open || c.mode === "bot" || !holder}
            onClick={() => props.onAction("handback")}
          >
            Hand back to bot
          </button>
          <button
            type="button"
            class="secondary"
            disabled={busy || !open}
            onClick={() => props.onAction("resolve")}
          >
            Resolve
          </button>
        </div>
        {open && holder && others.length > 0 && (
          <form
            class="transfer"
            onSubmit={(e) => {
              e.preventDefault();
              if (transferTo.value) props.onAction("transfer", { agentId: transferTo.value });
            }}
          >
            <label for="transfer-to">Transfer to</label>
            <select
              id="transfer-to"
              value={transferTo.value}
              onFocus={props.onTransferFocus}
              onChange={(e) => transferTo.value = e.currentTarget.value}
            >
              <option value="">Choose an agent…</option>
              {others.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name} ({a.status}, {a.activeConversations ?? 0} open)
                </option>
              ))}
            </select>
            <button type="submit" class="secondary small" disabled={busy || !transferTo.value}>
              Transfer
            </button>
          </form>
        )}
        {props.error && <p class="form-error" role="alert">{props.error}</p>}
      </div>
      <MessageLog model={model} viewer="staff" selfId={self.id} />
      <Composer
        disabled={!open}
        placeholder={open
          ? (mine ? "Reply to the customer…" : "Writing here takes the conversation over…")
          : "This conversation is resolved."}
        onSend={(text) => model.send(text)}
        onInput={(text) => model.inputChanged(text)}
      />
    </section>
  );
}
