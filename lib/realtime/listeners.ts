/**
 * Who gets an event, without asking every listener: listeners indexed by the conversations they
 * follow, the inbox, and their session. The relay looks up an event's recipients here, so
 * delivering a message costs O(its followers), not O(every open socket). It also knows which
 * followed conversations are waiting in the queue (their places are computed for those only).
 */
import type { Listener, RelayEvent } from "./events.ts";
import { signalShard } from "../store/signals.ts";

export class ListenerIndex {
  readonly all = new Set<Listener>();
  #following = new Map<string, Set<Listener>>();
  /** The followed conversations of each signal shard (what a wake-up of that shard concerns). */
  #byShard = new Map<number, Set<string>>();
  #followed = new Map<Listener, Set<string>>();
  #inbox = new Set<Listener>();
  #byToken = new Map<string, Set<Listener>>();
  #byUser = new Map<string, Set<Listener>>();
  /** Followed conversations that their followers last saw waiting. */
  #waiting = new Map<string, Set<Listener>>();

  add(l: Listener): void {
    this.all.add(l);
    if (l.tokenHash) addTo(this.#byToken, l.tokenHash, l);
    if (l.userId) addTo(this.#byUser, l.userId, l);
  }

  remove(l: Listener): void {
    this.all.delete(l);
    this.#inbox.delete(l);
    if (l.tokenHash) removeFrom(this.#byToken, l.tokenHash, l);
    if (l.userId) removeFrom(this.#byUser, l.userId, l);
    for (const id of this.#followed.get(l) ?? []) {
      this.#unfollowing(id, l);
      removeFrom(this.#waiting, id, l);
    }
    this.#followed.delete(l);
  }

  follow(l: Listener, conversationId: string): void {
    if (!this.all.has(l)) return;
    if (!this.#following.has(conversationId)) {
      addTo(this.#byShard, signalShard(conversationId), conversationId);
    }
    addTo(this.#following, conversationId, l);
    addTo(this.#followed, l, conversationId);
  }

  unfollow(l: Listener, conversationId: string): void {
    this.#unfollowing(conversationId, l);
    removeFrom(this.#followed, l, conversationId);
    removeFrom(this.#waiting, conversationId, l);
  }

  #unfollowing(conversationId: string, l: Listener) {
    removeFrom(this.#following, conversationId, l);
    if (!this.#following.has(conversationId)) {
      removeFrom(this.#byShard, signalShard(conversationId), conversationId);
    }
  }

  /** The followed conversations whose commits bump one of `shards`' signal keys. */
  followedIn(shards: Iterable<number>): string[] {
    const out: string[] = [];
    for (const shard of shards) out.push(...this.#byShard.get(shard) ?? []);
    return out;
  }

  followerCount(conversationId: string): number {
    return this.#following.get(conversationId)?.size ?? 0;
  }

  /** The listeners following a conversation. */
  followers(conversationId: string): Iterable<Listener> {
    return this.#following.get(conversationId) ?? [];
  }

  /** `l` saw a conversation it follows enter (`waiting`) or leave the queue. */
  markWaiting(l: Listener, conversationId: string, waiting: boolean): void {
    if (waiting && this.#followed.get(l)?.has(conversationId)) {
      addTo(this.#waiting, conversationId, l);
    } else removeFrom(this.#waiting, conversationId, l);
  }

  /** Ids of the followed conversations seen waiting. */
  waiting(): Iterable<string> {
    return this.#waiting.keys();
  }

  joinInbox(l: Listener): void {
    if (this.all.has(l)) this.#inbox.add(l);
  }

  /** The listeners an event may concern (each still decides with `wants`). */
  recipients(e: RelayEvent): Iterable<Listener> {
    const none: Listener[] = [];
    switch (e.type) {
      case "message":
        return this.#following.get(e.message.conversationId) ?? none;
      case "conversation": {
        const followers = e.reason === "message"
          ? undefined
          : this.#following.get(e.conversation.id);
        return followers?.size ? new Set([...this.#inbox, ...followers]) : this.#inbox;
      }
      case "draft":
      case "typing":
      case "read":
      case "colleague":
        return this.#following.get(e.conversationId) ?? none;
      case "session_revoked":
        return this.#byToken.get(e.tokenHash) ?? none;
      case "mention":
        return this.#byUser.get(e.userId) ?? none;
      case "agent":
        return this.#inbox;
      case "queue": {
        const out = new Set<Listener>();
        for (const id of e.positions.keys()) {
          for (const l of this.#following.get(id) ?? []) out.add(l);
        }
        return out;
      }
    }
  }
}

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V) {
  const set = map.get(key);
  if (set) set.add(value);
  else map.set(key, new Set([value]));
}

function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V) {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (!set.size) map.delete(key);
}
