/**
 * Builds every service from the config and an open KV, in dependency order. main.ts and the tests
 * call `createServices`; nothing here runs at import time.
 */
import type { Config } from "./config.ts";
import { createStore, type Store } from "./store/mod.ts";
import { checkLimitFor } from "./store/group_commit.ts";
import { Relay } from "./realtime.ts";
import { Auth } from "./auth.ts";
import { Router } from "./routing.ts";
import { BotRunner, type FactsSource, profileFacts } from "./bot_runner.ts";
import { Chat } from "./chat.ts";
import type { Bot } from "./bot/types.ts";
import { type Clock, systemClock } from "./ids.ts";
import { createLogger, type Logger } from "./log.ts";

export interface Services {
  config: Config;
  store: Store;
  relay: Relay;
  auth: Auth;
  router: Router;
  bots: BotRunner;
  chat: Chat;
  log: Logger;
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
  store.conversations.commits = relay.commits;
  const auth = new Auth(store, config, relay);
  const bots = new BotRunner(store, relay, opts.bot, opts.facts ?? profileFacts, log.write);
  const holder: { chat?: Chat } = {};
  const router = new Router(store, config, (result) => holder.chat!.publishChanged(result));
  bots.router = router;
  const chat = holder.chat = new Chat(store, relay, router, bots);
  return {
    config,
    store,
    relay,
    auth,
    router,
    bots,
    chat,
    log,
    async close() {
      await bots.idle();
      relay.close();
      store.close();
    },
  };
}
