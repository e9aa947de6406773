/**
 * One conversation in the agent console: who and what state, the actions (Take over, Hand back to
 * bot, Resolve, transfer), the whole history as a live log, and the composer. Taking a
 * conversation another agent holds asks for confirmation first, naming them; while someone else
 * holds it, the composer is off (the server refuses such messages too).
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { ConversationModel } from "../lib/client/conversation.ts";
import type { Conversation, User } from "../lib/contract/types.ts";
import { MessageLog } from "./MessageLog.tsx";
import { AttachFiles } from "./Attachments.tsx";
import { AgentComposer } from "./AgentComposer.tsx";
import { modeLabel } from "./ConversationList.tsx";
import { SuggestReply } from "./SuggestReply.tsx";
import { Name } from "./Name.tsx";
import { isolateName } from "../lib/contract/text.ts";
import { CustomerCard } from "./CustomerCard.tsx";
import { RatingNote } from "./RatingNote.tsx";
import { ColleaguesBar, useColleagues } from "./ColleaguesBar.tsx";
import { LabelEditor } from "./LabelEditor.tsx";

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
  /** The conversation changed here (its labels): the list shows the new state. */
  onUpdated?(c: Conversation): void;
}

export function ConversationPane(props: ConversationPaneProps) {
  const { model, self, agents, busy } = props;
  const c = model.conversation.value;
  const transferTo = useSignal("");
  const draft = useSignal("");
  /** "Take over" was pressed on a conversation someone else holds: asking to confirm. */
  const confirming = useSignal(false);
  useEffect(() => {
    confirming.value = false;
  }, [model.id]);
  const open = c.status === "open";
  const mine = c.mode === "human" && c.assigneeId === self.id;
  /** Another agent holds it: taking it is explicit. */
  const heldBy = open && c.mode === "human" && c.assigneeId && !mine
    ? (c.assigneeName ?? "Another agent")
    : null;
  const holder = mine || self.role === "admin";
  const others = agents.filter((a) => a.id !== self.id && a.id !== c.assigneeId);
  const colleagues = useColleagues(c.id, self.id);
  return (
    <section class="pane" aria-labelledby="pane-title">
      <div class="pane-head">
        <button type="button" class="link back" onClick={props.onBack}>
          ← Conversations
        </button>
        <div class="pane-who">
          <h2 id="pane-title">
            <Name name={c.customerName} />
          </h2>
          <span class={`mode-pill mode-${open ? c.mode : "resolved"}`}>{modeLabel(c)}</span>
        </div>
        <CustomerCard customerId={c.customerId} />
        <LabelEditor conversationId={c.id} labels={c.labels ?? []} onSaved={props.onUpdated} />
        <div class="actions">
          <button
            type="button"
            class="primary"
            disabled={busy || !open || mine || (confirming.value && heldBy !== null)}
            aria-expanded={heldBy ? confirming.value : undefined}
            aria-controls={heldBy ? "takeover-confirm" : undefined}
            onClick={() => {
              if (heldBy) confirming.value = true;
              else props.onAction("takeover");
            }}
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
                  {isolateName(a.name)} ({a.status}, {a.activeConversations ?? 0} open)
                </option>
              ))}
            </select>
            <button type="submit" class="secondary small" disabled={busy || !transferTo.value}>
              Transfer
            </button>
          </form>
        )}
        {heldBy && confirming.value && (
          <div
            id="takeover-confirm"
            class="confirm"
            role="alertdialog"
            aria-labelledby="takeover-question"
          >
            <p id="takeover-question">
              <Name name={heldBy} /> is handling this conversation. Take it over from them?{" "}
              They will be told.
            </p>
            <button
              type="button"
              class="primary small"
              disabled={busy}
              onClick={() => {
                confirming.value = false;
                props.onAction("takeover");
              }}
            >
              Take over from {isolateName(heldBy)}
            </button>
            <button
              type="button"
              class="secondary small"
              onClick={() => confirming.value = false}
            >
              Cancel
            </button>
          </div>
        )}
        {props.error && <p class="form-error" role="alert">{props.error}</p>}
      </div>
      <RatingNote conversationId={c.id} resolved={!open} />
      <ColleaguesBar colleagues={colleagues} />
      <MessageLog model={model} viewer="staff" selfId={self.id} />
      <AgentComposer
        conversationId={c.id}
        customerId={c.customerId}
        customerName={c.customerName}
        self={self}
        disabled={!open}
        placeholder={!open
          ? "This conversation is resolved."
          : heldBy
          ? `${isolateName(heldBy)} is handling this conversation; a reply here leaves it theirs.`
          : mine
          ? "Reply to the customer…"
          : "Writing here takes the conversation over…"}
        onReply={(text) => model.send(text)}
        onInput={(text) => model.inputChanged(text)}
        onNoteInput={(typing) => colleagues.typingNote(typing)}
        text={draft}
        attach={<AttachFiles conversationId={() => Promise.resolve(c.id)} disabled={!open} />}
      >
        <SuggestReply
          conversationId={c.id}
          disabled={!open}
          onDraft={(text) => draft.value = text}
        />
      </AgentComposer>
    </section>
  );
}
