/**
 * The agent console's keyboard shortcuts and the `?` sheet that lists them. Keys fire only when
 * focus is not in a text field (input, textarea, select, contenteditable) and no Ctrl/Alt/Meta is
 * held, so typing a message never triggers one; Escape leaves a text field or closes the sheet.
 */
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";

export interface ShortcutActions {
  next(): void;
  previous(): void;
  reply(): void;
  note(): void;
  resolve(): void;
  assignToMe(): void;
}

export const SHORTCUTS: { keys: string[]; what: string; action: keyof ShortcutActions | null }[] = [
  { keys: ["j", "↓"], what: "Next conversation", action: "next" },
  { keys: ["k", "↑"], what: "Previous conversation", action: "previous" },
  { keys: ["r"], what: "Reply (focus the message box)", action: "reply" },
  { keys: ["n"], what: "Write a private note", action: "note" },
  { keys: ["e"], what: "Resolve the conversation", action: "resolve" },
  { keys: ["a"], what: "Assign to me (take over)", action: "assignToMe" },
  { keys: ["?"], what: "Show or hide this list", action: null },
  { keys: ["Esc"], what: "Leave the message box, close this list", action: null },
];

const KEY_ACTIONS: Record<string, keyof ShortcutActions> = {
  j: "next",
  ArrowDown: "next",
  k: "previous",
  ArrowUp: "previous",
  r: "reply",
  n: "note",
  e: "resolve",
  a: "assignToMe",
};

/** Whether a key event comes from somewhere that takes text. */
export function inTextField(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  const tag = el.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable) return true;
  if (tag !== "INPUT") return false;
  const type = (el as HTMLInputElement).type;
  return !["button", "checkbox", "radio", "submit", "reset", "file", "range"].includes(type);
}

/** Listens for the shortcuts while mounted; returns the sheet's open state. */
export function ShortcutKeys({ actions }: { actions: ShortcutActions }) {
  const sheet = useSignal(false);
  const latest = useRef(actions);
  latest.current = actions;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
      if (inTextField(e.target)) {
        if (e.key === "Escape") (e.target as HTMLElement).blur();
        return;
      }
      if (e.key === "?") {
        e.preventDefault();
        sheet.value = !sheet.value;
        return;
      }
      if (e.key === "Escape" && sheet.value) {
        sheet.value = false;
        return;
      }
      const action = KEY_ACTIONS[e.key];
      if (!action || sheet.value) return;
      // Arrows only when nothing else wants them (a list or a button has no use for j/k).
      e.preventDefault();
      latest.current[action]();
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, []);
  if (!sheet.value) return null;
  return (
    <div class="shortcut-sheet-backdrop" onClick={() => sheet.value = false}>
      <div
        class="shortcut-sheet"
        role="dialog"
        aria-modal="true"
        aria-labelledby="shortcuts-title"
        onClick={(e) => e.stopPropagation()}
      >
        <h2 id="shortcuts-title">Keyboard shortcuts</h2>
        <table>
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.what}>
                <td>
                  {s.keys.map((k, i) => (
                    <>
                      {i > 0 && " or "}
                      <kbd>{k}</kbd>
                    </>
                  ))}
                </td>
                <td>{s.what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <button type="button" class="secondary" onClick={() => sheet.value = false}>
          Close
        </button>
      </div>
    </div>
  );
}
