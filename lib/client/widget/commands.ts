/**
 * The host page's API, `window.Parley(command, ...args)`, without the DOM: parsing a call into a
 * command, and replacing the snippet's queueing stub with the real function. Calls made before the
 * loader ran sit in the stub's queue (`Parley.q`, each an `arguments` object); they run first, in
 * order, then every later call runs at once. Used by ./loader.ts; tested in commands_test.ts.
 */
import { type Identity, parseIdentity } from "./protocol.ts";

export const EVENTS = ["message", "open", "close", "unread"] as const;
export type EventName = typeof EVENTS[number];
// deno-lint-ignore no-explicit-any
export type Listener = (...args: any[]) => void;

export type Command =
  | { name: "open" | "close" | "toggle" | "logout" }
  | { name: "identify"; identity: Identity }
  | { name: "on"; event: EventName; listener: Listener };

/** A call's arguments → a command, or a message saying what is wrong with it. */
export function parseCommand(args: ArrayLike<unknown>): Command | { error: string } {
  const [name, first, second] = Array.from(args);
  switch (name) {
    case "open":
    case "close":
    case "toggle":
    case "logout":
      return { name };
    case "identify": {
      const identity = parseIdentity(first);
      return identity ? { name, identity } : {
        error:
          "identify needs {userId, userHash, name?, email?}: userId a non-empty string of at " +
          "most 200 characters, userHash the 64 hex digits of HMAC-SHA256(WIDGET_SECRET, userId) " +
          "computed on your server, name and email strings. The visitor stays a guest.",
      };
    }
    case "on":
      if (!EVENTS.includes(first as EventName) || typeof second !== "function") {
        return { error: `on needs an event (${EVENTS.join(", ")}) and a function` };
      }
      return { name, event: first as EventName, listener: second as Listener };
    default:
      return {
        error: `unknown command ${JSON.stringify(String(name))}; try open, close, toggle, ` +
          "identify, logout or on",
      };
  }
}

/** What the snippet leaves on `window` (and what the loader puts there). */
export interface ParleyFunction {
  (...args: unknown[]): void;
  /** The stub's queue of calls made before the loader ran. */
  q?: ArrayLike<unknown>[];
  /** Set on the loader's own function, so a second copy of the loader does nothing. */
  loaded?: true;
}

/**
 * Puts the real `Parley` on `host`, then runs the stub's queued calls in order. Returns false (and
 * changes nothing) when a loader already did. Bad calls go to `warn`, never throw at the page.
 */
export function installApi(
  host: { Parley?: ParleyFunction },
  run: (command: Command) => void,
  warn: (message: string) => void,
): boolean {
  const stub = host.Parley;
  if (stub?.loaded) return false;
  const call = (args: ArrayLike<unknown>) => {
    const command = parseCommand(args);
    if ("error" in command) warn(`Parley: ${command.error}.`);
    else run(command);
  };
  const api: ParleyFunction = function Parley(...args: unknown[]) {
    call(args);
  };
  api.loaded = true;
  host.Parley = api;
  const queued = Array.isArray(stub?.q) ? stub.q : [];
  for (const args of queued) if (args && typeof args.length === "number") call(args);
  return true;
}
