/**
 * Every SESSION_CHECK_MS, re-validates the sessions of this isolate's open sockets in one batched
 * read, and closes the sockets of sessions that are gone (signed out elsewhere, or expired). A
 * sign-out normally reaches every instance through the feed at once; this catches a missed one.
 */
import type { Relay } from "../realtime/relay.ts";
import type { Users } from "../store/users.ts";
import type { Logger } from "../log.ts";

export const SESSION_CHECK_MS = 30_000;

export class SessionCheck {
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private relay: Relay,
    private users: Users,
    private log: Logger,
    private intervalMs = SESSION_CHECK_MS,
  ) {}

  start(): void {
    this.#timer = setInterval(() => void this.run(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Closes sockets whose session is gone. */
  async run(): Promise<void> {
    const hashes = [...new Set([...this.relay.listeners()].map((l) => l.tokenHash))]
      .filter((h): h is string => h !== null);
    if (!hashes.length) return;
    try {
      for (const tokenHash of await this.users.deadSessions(hashes)) {
        this.relay.deliverRemote({ type: "session_revoked", tokenHash });
      }
    } catch (err) {
      this.log.warn("session check failed", { err: String(err) });
    }
  }
}
