/**
 * Starts one isolate's server: KV, services, the bot, the app, and `Deno.serve`. Used by main.ts
 * (and each worker of WORKERS=N) and by the tests.
 */
import type { Config } from "../config.ts";
import { openKv } from "../store/mod.ts";
import { createServices, type Services } from "./services.ts";
import { createApp } from "./app.ts";
import { createFactsSource } from "../bot/facts.ts";
import { createLogger } from "../log.ts";
import { drain } from "./shutdown.ts";
import type { IslandBuild } from "../islands/render.ts";
import { loadIslands } from "../islands/prebuilt.ts";
import { ephemeralKvWarning } from "../store/ephemeral.ts";

/** The islands are loaded once per process and setting (the bundles don't change while it runs). */
const islandBuilds = new Map<string, Promise<IslandBuild>>();

function islandsFor(settings: Config["islands"]): Promise<IslandBuild> {
  const key = JSON.stringify(settings);
  let build = islandBuilds.get(key);
  if (!build) {
    islandBuilds.set(key, build = loadIslands(settings));
    build.catch(() => islandBuilds.delete(key));
  }
  return build;
}

export interface RunningServer {
  services: Services;
  url: string;
  port: number;
  /** Stops accepting, closes sockets with 1012, waits for commits and bot replies, closes KV. */
  shutdown(): Promise<void>;
  finished: Promise<void>;
}

export interface StartOptions {
  kv?: Deno.Kv;
  reusePort?: boolean;
  onListen?: (url: string) => void;
  bootstrapAdmin?: boolean;
}

export async function startServer(config: Config, opts: StartOptions = {}): Promise<RunningServer> {
  const islands = await islandsFor(config.islands); // first: a bad ISLANDS setting opens nothing
  const kv = opts.kv ?? await openKv(config.kvPath);
  // Before anything is written: an empty store at start is part of the evidence.
  const kvWarning = await ephemeralKvWarning(kv, config.kv);
  const log = createLogger(config.logLevel);
  if (kvWarning) {
    // An error line, so that it shows at every LOG_LEVEL; admins also see it on /admin.
    log.error(kvWarning.message, {
      event: "kv_ephemeral",
      reason: kvWarning.reason,
      emptyAtStart: kvWarning.emptyAtStart,
    });
  }
  const facts = createFactsSource(config.customerApi, log);
  const services = createServices(config, kv, { facts, log, kvWarning });
  // KNOWLEDGE_DIR is imported into KV on the very first start only; then KV is the help center.
  await services.help.open(config.knowledgeDir);
  if (opts.bootstrapAdmin !== false) {
    await services.auth.bootstrapAdmin((line) => console.log(line));
  }
  services.start();
  const app = createApp(services, { islands, knowledge: services.help });
  const ac = new AbortController();
  let resolveUrl: (url: string) => void;
  const listening = new Promise<string>((r) => resolveUrl = r);
  const server = Deno.serve({
    port: config.port,
    hostname: config.host,
    reusePort: opts.reusePort,
    signal: ac.signal,
    onListen: ({ hostname, port }) => {
      const host = hostname === "0.0.0.0" || hostname === "::" ? "127.0.0.1" : hostname;
      resolveUrl(`http://${host}:${port}/`);
    },
  }, app.fetch);
  const url = await listening;
  opts.onListen?.(url);
  return {
    services,
    url,
    port: server.addr.port,
    finished: server.finished,
    shutdown: () => drain(services, () => ac.abort(), server.finished),
  };
}
