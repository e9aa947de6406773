/**
 * The postMessage protocol between the loader on the host page (./loader.ts) and the panel in the
 * iframe (islands/WidgetPanel.tsx). Every message is a plain object tagged `parley: 1`; anything
 * else is ignored. Both sides also check the other's origin and window before looking at a message.
 *
 * This file has no dependencies, so the loader can use it: its validators check each message by
 * hand (exact keys, types, lengths). The panel checks the same shapes with zod
 * (./protocol_schema.ts); protocol_test.ts holds the two to the same answers.
 *
 * Messages about chat carry no message text: every script on the host page can listen to the
 * host window's messages, so the host learns that an agent wrote, not what.
 */
import { MAX_EXTERNAL_ID_LENGTH, USER_HASH_PATTERN } from "../../contract/widget_rules.ts";

/** What the panel may keep in the host page's storage when its own is blocked. */
export const STORE_NAMES = ["token", "conversation", "prechat"] as const;
export type StoreName = typeof STORE_NAMES[number];
export type StoredValues = Record<StoreName, string | null>;

/** Host (loader) → panel. */
export type HostMessage =
  /** The panel's visibility: open or not, and full-screen (phones) or floating. */
  | { parley: 1; type: "state"; open: boolean; fullscreen: boolean }
  | { parley: 1; type: "identify" } & Identity
  | { parley: 1; type: "logout" }
  /** The visitor opened the panel from the launcher: put the keyboard in it. */
  | { parley: 1; type: "focus" }
  /** The values the panel kept in the host page's storage (after `ready`, and on every change). */
  | { parley: 1; type: "stored"; values: StoredValues };

export interface Identity {
  userId: string;
  name?: string;
  email?: string;
  userHash: string;
}

/** Panel → host (loader). */
export type FrameMessage =
  /** Listening: the loader answers with the state and any identify or logout it holds. */
  | { parley: 1; type: "ready" }
  /** Unread agent and bot messages over the visitor's open conversations. */
  | { parley: 1; type: "unread"; count: number }
  /** A new agent or bot message (for `on("message")`, the title and the sound). */
  | {
    parley: 1;
    type: "message";
    conversationId: string;
    sender: "bot" | "agent";
    authorName: string;
    createdAt: string;
  }
  /** The visitor closed the panel from inside (its close button, or Escape). */
  | { parley: 1; type: "close" }
  /** Whether the visitor has conversations: the loader then loads the panel on the next page. */
  | { parley: 1; type: "session"; active: boolean }
  | { parley: 1; type: "identity"; ok: true; externalId: string; name: string }
  | { parley: 1; type: "identity"; ok: false; code: string; message: string }
  /** Keep (or, with null, forget) a value in the host page's storage: the panel's own is blocked. */
  | { parley: 1; type: "store"; name: StoreName; value: string | null };

/** Limits both validators share. */
export const LIMITS = {
  name: 80,
  email: 254,
  id: 64,
  authorName: 200,
  time: 40,
  code: 40,
  message: 500,
  unread: 100_000,
  stored: 300,
} as const;

type Plain = Record<string, unknown>;

const isPlain = (value: unknown): value is Plain => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

const text = (value: unknown, max: number, min = 0) =>
  typeof value === "string" && value.length >= min && value.length <= max;

/** Exactly these keys: all of `required`, and no key outside `required` + `optional`. */
function keys(value: Plain, required: string[], optional: string[] = []): boolean {
  const names = Object.keys(value);
  return required.every((k) => names.includes(k)) &&
    names.every((k) => required.includes(k) || optional.includes(k));
}

/** An identify argument as the host page passes it (`Parley("identify", {...})`), or null. */
export function parseIdentity(value: unknown): Identity | null {
  if (!isPlain(value) || !keys(value, ["userId", "userHash"], ["name", "email"])) return null;
  const { userId, userHash, name, email } = value;
  if (!text(userId, MAX_EXTERNAL_ID_LENGTH, 1)) return null;
  if (typeof userHash !== "string" || !USER_HASH_PATTERN.test(userHash)) return null;
  if (name !== undefined && !text(name, LIMITS.name, 1)) return null;
  if (email !== undefined && !text(email, LIMITS.email, 3)) return null;
  const identity: Identity = { userId: userId as string, userHash };
  if (name !== undefined) identity.name = name as string;
  if (email !== undefined) identity.email = email as string;
  return identity;
}

/** A message from the loader, checked by hand, or null. */
export function parseHostMessage(data: unknown): HostMessage | null {
  if (!isPlain(data) || data.parley !== 1) return null;
  switch (data.type) {
    case "state":
      return keys(data, ["parley", "type", "open", "fullscreen"]) &&
          typeof data.open === "boolean" && typeof data.fullscreen === "boolean"
        ? { parley: 1, type: "state", open: data.open, fullscreen: data.fullscreen }
        : null;
    case "identify": {
      const { parley: _p, type: _t, ...rest } = data;
      const identity = parseIdentity(rest);
      return identity ? { parley: 1, type: "identify", ...identity } : null;
    }
    case "logout":
    case "focus":
      return keys(data, ["parley", "type"]) ? { parley: 1, type: data.type } : null;
    case "stored": {
      const { values } = data;
      if (!keys(data, ["parley", "type", "values"]) || !isPlain(values)) return null;
      if (!keys(values, [...STORE_NAMES]) || !STORE_NAMES.every((n) => storable(values[n]))) {
        return null;
      }
      return { parley: 1, type: "stored", values: { ...values } as StoredValues };
    }
    default:
      return null;
  }
}

const storable = (value: unknown) => value === null || text(value, LIMITS.stored);

/** A message from the panel, checked by hand, or null. */
export function parseFrameMessage(data: unknown): FrameMessage | null {
  if (!isPlain(data) || data.parley !== 1) return null;
  const only = (...names: string[]) => keys(data, ["parley", "type", ...names]);
  switch (data.type) {
    case "ready":
    case "close":
      return only() ? { parley: 1, type: data.type } : null;
    case "unread": {
      const { count } = data;
      return only("count") && Number.isInteger(count) && (count as number) >= 0 &&
          (count as number) <= LIMITS.unread
        ? { parley: 1, type: "unread", count: count as number }
        : null;
    }
    case "message": {
      const { conversationId, sender, authorName, createdAt } = data;
      return only("conversationId", "sender", "authorName", "createdAt") &&
          text(conversationId, LIMITS.id, 1) && (sender === "bot" || sender === "agent") &&
          text(authorName, LIMITS.authorName) && text(createdAt, LIMITS.time)
        ? {
          parley: 1,
          type: "message",
          conversationId: conversationId as string,
          sender,
          authorName: authorName as string,
          createdAt: createdAt as string,
        }
        : null;
    }
    case "session":
      return only("active") && typeof data.active === "boolean"
        ? { parley: 1, type: "session", active: data.active }
        : null;
    case "identity": {
      if (data.ok === true) {
        return only("ok", "externalId", "name") &&
            text(data.externalId, MAX_EXTERNAL_ID_LENGTH, 1) && text(data.name, LIMITS.name)
          ? {
            parley: 1,
            type: "identity",
            ok: true,
            externalId: data.externalId as string,
            name: data.name as string,
          }
          : null;
      }
      return data.ok === false && only("ok", "code", "message") && text(data.code, LIMITS.code) &&
          text(data.message, LIMITS.message)
        ? {
          parley: 1,
          type: "identity",
          ok: false,
          code: data.code as string,
          message: data.message as string,
        }
        : null;
    }
    case "store":
      return only("name", "value") && STORE_NAMES.includes(data.name as StoreName) &&
          storable(data.value)
        ? {
          parley: 1,
          type: "store",
          name: data.name as StoreName,
          value: data.value as string | null,
        }
        : null;
    default:
      return null;
  }
}
