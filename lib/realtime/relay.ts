/**
 * The relay: events committed in KV reach every socket that follows them.
 *
 * Publishing delivers to this isolate's listeners at once and posts the event on a
 * BroadcastChannel for the other isolates of this process (the fast path). Cross-instance
 * delivery does not rely on it: commits bump watched signal keys (lib/store/signals.ts), and
 * listeners of the conversations that moved re-read from KV after the last seq they delivered
 * (`#signalled`, `onCommitted`). What messages can't carry (conversation changes for the inbox,
 * agents' state, queue moves, typing, reads, sign-outs) rides on the feed (./feed.ts), read on
 * every wake-up (`onWake`). Typing, read and sign-out events get an `id` (their feed key) so a copy
 * that arrives both ways is delivered once. With KV in a local file, the signal keys are polled
 * instead of watched (./signal_poll.ts): a watch there hears only this process's commits, which its
 * isolates publish themselves, while the poll also hears other processes on the same file — and a
 * watch costs a read and a wake-up on every commit (issue 16: about a tenth of the CPU per message
 * at 1,000 msgs/s).
 */
import { ListenerIndex } from "./listeners.ts";
import {
  type EphemeralEvent,
  isEphemeral,
  type Listener,
  type RelayEvent,
  wants,
} from "./events.ts";
import { SIGNAL_SHARDS } from "../store/signals.ts";
import { keys } from "../store/keys.ts";
import { GET_MANY_LIMIT } from "../store/batch.ts";
import type { OwnSignals } from "./own_signals.ts";
import { SignalPoller } from "./signal_poll.ts";
import type { Logger } from "../log.ts";

/** How long an ephemeral event's id is remembered (longer than the feed's read-back window). */
const RECENT_MS = 30_000;

export interface RelayOptions {
  /** Post events to the other isolates of this process (BroadcastChannel). */
  broadcast: boolean;
  channelName?: string;
  /** This instance's own commits (the store reports them): their wake-ups are skipped. */
  ownSignals: OwnSignals;
  /** Writes typing, read and sign-out events to the feed, for other instances (./feed.ts). */
  writeFeed?: (event: EphemeralEvent & { id: string }) => Promise<void>;
  /** Ids for ephemeral events (the feed's ids, so that copies can be recognised). */
  newId?: () => string;
  /** The `lastSeq` of the conversations of `ids` that exist (lib/store/conversations.ts). */
  lastSeqs?: (ids: string[]) => Promise<Map<string, number>>;
  /** Also read the signal keys this often (ms): KV in a local file, see ./signal_poll.ts. */
  pollMs?: number;
  log: Logger;
}

export class Relay {
  #listeners = new ListenerIndex();
  #channel: BroadcastChannel | null;
  #watchAbort = new AbortController();
  #poller: SignalPoller | null = null;
  #wakeHooks: (() => void)[] = [];
  #wakeScheduled = false;
  /** Shards signalled by other instances, not yet caught up (`#signalled`). */
  #pendingShards = new Set<number>();
  #catchingUp = false;
  #recent = new Map<string, number>();
  readonly #opts: RelayOptions;
  readonly #newId: () => string;

  constructor(private kv: Deno.Kv, opts: RelayOptions) {
    this.#opts = opts;
    this.#newId = opts.newId ?? (() => crypto.randomUUID());
    this.#channel = opts.broadcast
      ? new BroadcastChannel(opts.channelName ?? "parley-events")
      : null;
    if (this.#channel) {
      this.#channel.onmessage = (e: MessageEvent<RelayEvent>) => this.deliverRemote(e.data);
    }
  }

  add(listener: Listener): () => void {
    this.#listeners.add(listener);
    this.#poller?.resume();
    return () => this.#listeners.remove(listener);
  }

  /** A listener now follows a conversation (its messages, typing, state, queue place). */
  follow(listener: Listener, conversationId: string): void {
    this.#listeners.follow(listener, conversationId);
  }

  unfollow(listener: Listener, conversationId: string): void {
    this.#listeners.unfollow(listener, conversationId);
  }

  /** A listener saw a conversation it follows enter or leave the queue (./queue_frames.ts). */
  markWaiting(listener: Listener, conversationId: string, waiting: boolean): void {
    this.#listeners.markWaiting(listener, conversationId, waiting);
  }

  /** Followed conversations here that are waiting: whose places ./queue_frames.ts computes. */
  waitingHere(): string[] {
    return [...this.#listeners.waiting()];
  }

  /** A listener now gets every conversation and agent change (agents' inbox). */
  joinInbox(listener: Listener): void {
    this.#listeners.joinInbox(listener);
  }

  get size() {
    return this.#listeners.all.size;
  }

  /** All current listeners (the periodic session check walks them). */
  listeners(): Iterable<Listener> {
    return this.#listeners.all;
  }

  /** Called after every foreign wake-up of the signal watch (the feed reads what others did). */
  onWake(hook: () => void): void {
    this.#wakeHooks.push(hook);
  }

  /** Runs the wake hooks once for all the foreign wake-ups of this turn (own ones need none). */
  #wakeSoon(): void {
    if (this.#wakeScheduled) return;
    this.#wakeScheduled = true;
    queueMicrotask(() => {
      this.#wakeScheduled = false;
      for (const hook of this.#wakeHooks) hook();
    });
  }

  /**
   * Delivers here, posts to the other isolates of this process and, for typing, read and sign-out
   * events, writes them to the feed for other instances (the returned promise settles then).
   */
  publish(event: RelayEvent): Promise<void> {
    if (isEphemeral(event)) {
      const withId = { ...event, id: event.id ?? this.#newId() };
      this.#remember(withId.id);
      this.#dispatch(withId);
      this.#channel?.postMessage(withId);
      return this.#opts.writeFeed?.(withId) ?? Promise.resolve();
    }
    this.#dispatch(event);
    this.#channel?.postMessage(event);
    return Promise.resolve();
  }

  /** An event from another isolate or instance: delivered here once, never re-posted. */
  deliverRemote(event: RelayEvent): void {
    if (isEphemeral(event)) {
      if (event.id) {
        if (this.#recent.has(event.id)) return;
        this.#remember(event.id);
      }
      if (event.type === "typing" || event.type === "read") event = { ...event, origin: undefined };
    }
    this.#dispatch(event);
  }

  /** An event meant for this isolate's listeners only. */
  deliverHere(event: RelayEvent): void {
    this.#dispatch(event);
  }

  #remember(id: string) {
    const now = Date.now();
    this.#recent.set(id, now);
    if (this.#recent.size % 256 === 0) {
      for (const [k, t] of this.#recent) if (now - t > RECENT_MS) this.#recent.delete(k);
    }
  }

  #dispatch(event: RelayEvent): void {
    for (const l of this.#listeners.recipients(event)) {
      try {
        if (wants(l, event)) l.onEvent(event);
      } catch (err) {
        this.#opts.log.error("listener failed", { event: event.type, err: String(err) });
      }
    }
  }

  /**
   * Watches the signal keys (one `kv.watch` of SIGNAL_SHARDS keys) and tells every listener which
   * shards changed because of another instance's commits (own commits were published already).
   * Against a remote KV (and in memory) this carries other instances' commits; with a local file
   * (`pollMs` set) the poll reads the same keys instead, and its readings are judged the same way.
   */
  startWatch(): void {
    const signalKeys = Array.from({ length: SIGNAL_SHARDS }, (_, i) => keys.signal(i));
    const reading = (shard: number, entry: Deno.KvEntryMaybe<unknown>) => {
      this.#opts.ownSignals.reading(shard, entry, () => {
        this.#signalled(shard);
        this.#wakeSoon();
      });
    };
    const run = async () => {
      const stream = this.kv.watch(signalKeys);
      const reader = stream.getReader();
      this.#watchAbort.signal.addEventListener("abort", () => reader.cancel().catch(() => {}));
      while (!this.#watchAbort.signal.aborted) {
        const { value, done } = await reader.read();
        if (done || !value) break;
        value.forEach((entry, shard) => reading(shard, entry));
      }
    };
    if (!this.#opts.pollMs) {
      run().catch((err) => {
        if (!this.#watchAbort.signal.aborted) {
          this.#opts.log.error("kv watch ended", { err: String(err) });
        }
      });
    } else {
      this.#poller = new SignalPoller(this.kv, signalKeys, {
        intervalMs: this.#opts.pollMs,
        onChange: reading,
        active: () => this.size > 0,
        onError: (err) => this.#opts.log.warn("signal poll failed", { err: String(err) }),
      });
      this.#poller.start();
    }
  }

  /**
   * A shard moved because of another instance: once for all the shards signalled meanwhile, the
   * `lastSeq` of every conversation followed here in them is read (one `getMany` per 10, shared by
   * all sockets), and each follower is told, so that a socket re-reads messages only of the
   * conversations that moved past what it delivered. Reads start after the signal was seen, so
   * they see its commit; signals that arrive during a pass get a pass of their own.
   */
  #signalled(shard: number): void {
    this.#pendingShards.add(shard);
    if (this.#catchingUp) return;
    this.#catchingUp = true;
    queueMicrotask(() => void this.#catchUp());
  }

  async #catchUp(): Promise<void> {
    try {
      while (this.#pendingShards.size) {
        const ids = this.#listeners.followedIn(this.#pendingShards);
        this.#pendingShards.clear();
        if (!ids.length) continue;
        let lastSeqs: Map<string, number> | null = null;
        // Read only when it saves reads: with as many catch-ups as getMany calls (one socket
        // following one conversation of these shards), the catch-up read itself is the check.
        let pairs = 0;
        for (const id of ids) pairs += this.#listeners.followerCount(id);
        const worth = pairs > Math.ceil(ids.length / GET_MANY_LIMIT);
        try {
          if (this.#opts.lastSeqs && worth) lastSeqs = await this.#opts.lastSeqs(ids);
        } catch (err) {
          if (this.#watchAbort.signal.aborted) return; // closing: the KV may be closed already
          // Unknown: every follower re-reads, as if each had moved.
          this.#opts.log.warn("signal catch-up read failed", { err: String(err) });
        }
        for (const id of ids) {
          const lastSeq = lastSeqs ? lastSeqs.get(id) ?? null : null;
          for (const l of this.#listeners.followers(id)) {
            try {
              l.onCommitted(id, lastSeq);
            } catch (err) {
              this.#opts.log.error("listener failed", { event: "committed", err: String(err) });
            }
          }
        }
      }
    } finally {
      this.#catchingUp = false;
    }
  }

  close(): void {
    this.#watchAbort.abort();
    this.#poller?.stop();
    this.#channel?.close();
    for (const l of [...this.#listeners.all]) this.#listeners.remove(l);
  }
}
