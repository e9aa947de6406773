/**
 * The widget panel's header: the business and who is answering, a way to the visitor's other
 * conversations, and (full-screen on a phone, where the launcher is hidden) a close button.
 */
import type { ComponentChildren } from "preact";

export interface PanelHeaderProps {
  title: string;
  subtitle: ComponentChildren;
  /** Shows "All conversations" (the chat view of a visitor with conversations). */
  onList?: () => void;
  /** Shows "Close chat" (full-screen only). */
  onClose?: () => void;
}

export function PanelHeader({ title, subtitle, onList, onClose }: PanelHeaderProps) {
  return (
    <header class="wp-head">
      {onList && (
        <button type="button" class="wp-icon" aria-label="All conversations" onClick={onList}>
          <svg viewBox="0 0 24 24" aria-hidden="true">
            <path d="M15 5l-7 7 7 7" />
          </svg>
        </button>
      )}
      <div class="wp-title">
        <h1>{title}</h1>
        <p>{subtitle}</p>
      </div>
      {onClose && (
        <button type="button" class="wp-icon" aria-label="Close chat" onClick={onClose}>
          <svg viewBox="0 0 24 24" aria-hidden="true">
            <path d="M6 6l12 12M18 6L6 18" />
          </svg>
        </button>
      )}
    </header>
  );
}
