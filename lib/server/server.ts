/**
 * Starts one isolate's server: KV, services, the bot, the app, and `Deno.serve` (./listen.ts,
 * which survives accept failures). Used by main.ts (and each worker of WORKERS=N) and by the
 * tests. A KV that can't be opened or written stops start-up with a StartupError (one line).
 */
import type { Config } from "../config.ts";
import type { Clock } from "../clock.ts";
import { openKv } from "../store/mod.ts";
import { migrate } from "../store/migrations.ts";
import { createServices, type Services } from "./services.ts";
import { createApp } from "./app.ts";
import { createFactsSource } from "../bot/facts.ts";
import { createLogger } from "../log.ts";
import { drain } from "./shutdown.ts";
import type { IslandBuild } from "../islands/render.ts";
import { loadIslands } from "../islands/prebuilt.ts";
import { StartupError } from "../errors.ts";
import { listen } from "./listen.ts";
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
  /** Time for every service (tests move it forward: lockouts, expiries). */
  clock?: Clock;
}

export async function startServer(config: Config, opts: StartOptions = {}): Promise<RunningServer> {
  const islands = await islandsFor(config.islands); // first: a bad ISLANDS setting opens nothing
  const kv = opts.kv ?? await openStore(config.kvPath);
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
  const services = createServices(config, kv, { facts, log, clock: opts.clock, kvWarning });
  try {
    await services.store.probeWrite();
  } catch (err) {
    await services.close();
    throw storeError("Cannot write to", config.kvPath, err, "or free some disk space");
  }
  // Before anything serves or writes: indexes for what older versions wrote (resumable).
  let logged = 0;
  const migrated = await migrate(kv, {
    onBatch: (step, n) => {
      if (n - logged >= 10_000) {
        log.info("migrating the store", { step, conversations: logged = n });
      }
    },
  }).catch(async (err) => {
    await services.close();
    throw err;
  });
  if (migrated) log.info("store migrated", { conversations: migrated });
  // KNOWLEDGE_DIR is imported into KV on the very first start only; then KV is the help center.
  await services.help.open(config.knowledgeDir);
  if (opts.bootstrapAdmin !== false) {
    await services.auth.bootstrapAdmin((line) => console.log(line));
  }
  services.start();
  const app = createApp(services, { islands, knowledge: services.help });
  let server;
  try {
    server = await listen(
      { port: config.port, hostname: config.host, reusePort: opts.reusePort },
      app.fetch,
      log,
    );
  } catch (err) {
    await services.close();
    throw err;
  }
  const { hostname, port } = server;
  const host = hostname === "0.0.0.0" || hostname === "::" ? "127.0.0.1" : hostname;
  const url = `http://${host}:${port}/`;
  opts.onListen?.(url);
  return {
    services,
    url,
    port,
    finished: server.finished,
    shutdown: () => drain(services, () => server.stop(), server.finished),
  };
}

const storeName = (kvPath: string | undefined) => kvPath ?? "./data/parley.sqlite";
const errorText = (err: unknown) =>
  (err instanceof Error ? err.message : String(err)).replace(/\.$/, "");

/** Opens KV_PATH; a file that is not a KV store (or can't be opened) is a StartupError. */
async function openStore(kvPath: string | undefined): Promise<Deno.Kv> {
  try {
    return await openKv(kvPath);
  } catch (err) {
    throw storeError(
      "Cannot open",
      kvPath,
      err,
      "point KV_PATH at a Deno KV file (or a new path), or restore it from a backup",
    );
  }
}

/** One line saying what is wrong with the store and what to do. */
function storeError(failed: string, kvPath: string | undefined, err: unknown, advice: string) {
  const where = `${storeName(kvPath)} (KV_PATH)`;
  const reason = errorText(err);
  if (/read-?only/i.test(reason)) {
    return new StartupError(
      `The KV store at ${where} is read-only (${reason}): make the file and its folder writable by this user.`,
    );
  }
  return new StartupError(`${failed} the KV store at ${where}: ${reason}; ${advice}.`);
}
