/**
 * Builds every service from the config and an open KV, in dependency order. main.ts and the tests
 * call `createServices`; nothing here runs at import time.
 */
import type { Config } from "../config.ts";
import { createStore, type Store } from "../store/mod.ts";
import { checkLimitFor } from "../store/group_commit.ts";
import { Relay } from "../realtime/relay.ts";
import { Auth } from "../auth/auth.ts";
import { Router } from "../assignment/assigner.ts";
import { Presence } from "../assignment/presence.ts";
import { BotRunner, type FactsSource, profileFacts } from "../bot/runner.ts";
import { Chat } from "../chat/chat.ts";
import { ReadState } from "../chat/read_state.ts";
import type { Bot } from "../bot/types.ts";
import { type Clock, systemClock } from "../ids.ts";
import { createLogger, type Logger } from "../log.ts";
import { Feed } from "../realtime/feed.ts";
import { Limits } from "../ws/limits.ts";
import { AgentFrames } from "../realtime/agent_frames.ts";
import { QueueFrames } from "../realtime/queue_frames.ts";

export interface Services {
  config: Config;
  store: Store;
  relay: Relay;
  /** Cross-instance feed: inbox, typing, reads, sign-outs (started by startServer). */
  feed: Feed;
  /** Rate limits, socket caps and the open-socket registry (lib/limits.ts). */
  limits: Limits;
  /** `agent` frames to inbox sockets (lib/agent_frames.ts). */
  agentFrames: AgentFrames;
  /** `queue` frames to waiting customers (lib/queue_frames.ts). */
  queueFrames: QueueFrames;
  auth: Auth;
  router: Router;
  presence: Presence;
  bots: BotRunner;
  chat: Chat;
  /** Read positions and `unread` (lib/read_state.ts). */
  reads: ReadState;
  log: Logger;
  clock: Clock;
  close(): Promise<void>;
}

export interface ServiceOptions {
  bot: Bot;
  facts?: FactsSource;
  clock?: Clock;
}

export function createServices(config: Config, kv: Deno.Kv, opts: ServiceOptions): Services {
  const log = createLogger(config.logLevel);
  const store = createStore(kv, opts.clock ?? systemClock, {
    maxChecks: checkLimitFor(config.kvPath),
  });
  const relay = new Relay(kv, { broadcast: config.broadcast });
  const agentFrames = new AgentFrames(store.users, relay, config.agentCapacity);
  const queueFrames = new QueueFrames(store.conversations, relay, log);
  const feed = new Feed(kv, relay, store.conversations, log, {
    live: {
      agents: (ids) => agentFrames.deliverCurrent(ids),
      queueMoved: () => void queueFrames.moved(),
    },
  });
  store.conversations.commits = relay.commits;
  store.users.commits = relay.commits;
  const auth = new Auth(store, config, relay);
  const bots = new BotRunner(store, relay, opts.bot, opts.facts ?? profileFacts, log.write);
  const holder: { chat?: Chat } = {};
  const clock = opts.clock ?? systemClock;
  const router = new Router(store, config, (r) => holder.chat!.publishChanged(r), clock);
  const presence = new Presence(store, router, config, {
    clock,
    onError: (err) => log.error("presence failed", { err: String(err) }),
  });
  router.agentsChanged = (ids) => agentFrames.publishCurrent(ids);
  bots.router = router;
  const chat = holder.chat = new Chat(store, relay, router, bots, { agentFrames, queueFrames });
  return {
    config,
    store,
    relay,
    feed,
    limits: new Limits(config.limits, opts.clock ?? systemClock),
    agentFrames,
    queueFrames,
    auth,
    router,
    presence,
    bots,
    chat,
    reads: new ReadState(chat, store.reads, relay),
    log,
    clock,
    async close() {
      await presence.stop();
      await bots.idle();
      feed.close();
      relay.close();
      store.close();
    },
  };
}
