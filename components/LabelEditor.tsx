/**
 * The open conversation's labels in the console: chips in the team's colours (the setting
 * "labels", read from GET /api/labels), a **Remove** button on each, and an **Add label** field
 * offering the team's labels. Saves with PUT /api/conversations/:id/labels; the server trims,
 * dedupes and validates, and its answer is what is shown.
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { api, ApiError } from "../lib/client/api.ts";
import type { Conversation } from "../lib/contract/types.ts";
import type { LabelSettings } from "../lib/contract/labels.ts";

let palette: Promise<LabelSettings["labels"]> | null = null;
const loadPalette = () =>
  palette ??= api<LabelSettings>("GET", "/api/labels").then((s) => s.labels)
    .catch(() => (palette = null, []));

export interface LabelEditorProps {
  conversationId: string;
  labels: string[];
  onSaved?(c: Conversation): void;
}

export function LabelEditor({ conversationId, labels, onSaved }: LabelEditorProps) {
  const colours = useSignal<LabelSettings["labels"]>([]);
  const adding = useSignal("");
  const error = useSignal<string | null>(null);
  useEffect(() => {
    loadPalette().then((list) => colours.value = list);
  }, []);
  const colourOf = (name: string) =>
    colours.value.find((l) => l.name.toLowerCase() === name.toLowerCase())?.color;
  const save = async (next: string[]) => {
    error.value = null;
    try {
      const { conversation } = await api<{ conversation: Conversation }>(
        "PUT",
        `/api/conversations/${conversationId}/labels`,
        { labels: next },
      );
      onSaved?.(conversation);
      adding.value = "";
    } catch (e) {
      error.value = e instanceof ApiError ? e.message : "Could not save the labels.";
    }
  };
  return (
    <div class="labels" aria-label="Labels">
      <ul class="label-chips">
        {labels.map((l) => (
          <li
            key={l}
            class="label-chip"
            style={colourOf(l) ? { borderColor: colourOf(l) } : undefined}
          >
            <span
              class="swatch"
              style={{ background: colourOf(l) ?? "transparent" }}
              aria-hidden="true"
            />
            {l}
            <button
              type="button"
              class="link"
              aria-label={`Remove label ${l}`}
              onClick={() => save(labels.filter((x) => x !== l))}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <form
        class="label-add"
        onSubmit={(e) => {
          e.preventDefault();
          if (adding.value.trim()) save([...labels, adding.value]);
        }}
      >
        <input
          aria-label="Add label"
          list={`label-options-${conversationId}`}
          value={adding.value}
          maxLength={40}
          onInput={(e) => adding.value = e.currentTarget.value}
        />
        <datalist id={`label-options-${conversationId}`}>
          {colours.value.map((l) => <option key={l.name} value={l.name} />)}
        </datalist>
        <button type="submit" class="secondary small">Add</button>
      </form>
      {error.value && <p class="field-error" role="alert">{error.value}</p>}
    </div>
  );
}
