/**
 * The store: every Deno KV key (./keys.ts) and every commit. Opened once at start-up and passed
 * in; tests open ":memory:" or a temporary file.
 */
import { Users } from "./users.ts";
import { Conversations, type ConversationsOptions } from "./conversations.ts";
import { Reads } from "./reads.ts";
import { ConversationLists } from "./list_query.ts";
import { Throttles } from "./throttle.ts";
import { keys } from "./keys.ts";
import { HelpArticles } from "./help.ts";
import { BotStats } from "./bot_stats.ts";
import { Visitors } from "./visitors.ts";
import { Settings } from "./settings.ts";
import { Outbox } from "./outbox.ts";
import { Deliveries } from "./deliveries.ts";
import { ApiTokens } from "./api_tokens.ts";
import { AuditLog } from "./audit.ts";
import { Ratings } from "./ratings.ts";
import { Reports } from "./reports.ts";
import { Eraser } from "./erase.ts";
import { Leases } from "./leases.ts";
import { Attachments } from "./attachments.ts";
import { SearchIndex } from "./search.ts";
import { CannedReplies } from "./canned.ts";
import { type Clock, systemClock } from "../clock.ts";
import { idGenerator } from "../ids.ts";
import { retryWhenBusy } from "./busy.ts";
import type { CommitObserver } from "./signals.ts";
import type { Measure } from "./report_counters.ts";

export interface Store {
  kv: Deno.Kv;
  users: Users;
  conversations: Conversations;
  /** Pages of conversations and the filter counts (./list_query.ts). */
  lists: ConversationLists;
  /** Read positions (./reads.ts). */
  reads: Reads;
  /** Sign-in throttling records (./throttle.ts). */
  throttles: Throttles;
  /** Writes a small record that expires (the write path's health check); throws when it fails. */
  probeWrite(): Promise<void>;
  /** Help-center articles (./help.ts) and bot metrics (./bot_stats.ts). */
  help: HelpArticles;
  botStats: BotStats;
  /** The website widget's verified customers and visitors' contact details (./visitors.ts). */
  visitors: Visitors;
  /** Run-time settings an admin changes (./settings.ts). */
  settings: Settings;
  /** Events waiting for fan-out (./outbox.ts), webhooks and deliveries (./deliveries.ts). */
  outbox: Outbox;
  deliveries: Deliveries;
  /** API tokens (./api_tokens.ts) and the audit log (./audit.ts). */
  apiTokens: ApiTokens;
  audit: AuditLog;
  /** CSAT ratings (./ratings.ts) and the report counters' reader (./reports.ts). */
  ratings: Ratings;
  reports: Reports;
  /** Deleting conversations and customers with what belongs to them (./erase.ts). */
  eraser: Eraser;
  /** Leases for periodic work (./leases.ts). */
  leases: Leases;
  /** Files uploaded to conversations, in chunks (./attachments.ts). */
  attachments: Attachments;
  /** The search index (./search.ts) and canned replies (./canned.ts). */
  search: SearchIndex;
  canned: CannedReplies;
  close(): void;
}

export interface StoreOptions {
  clock?: Clock;
  /** Checks per commit the KV allows (see `checkLimitFor`); 10 works everywhere. */
  maxChecks?: number;
  /** Told of every commit that bumps signal keys (./signals.ts). */
  onCommit?: CommitObserver;
  /** More rows in each message's commit (./conversations.ts `ConversationsOptions`). */
  messageWrites?: ConversationsOptions["messageWrites"];
  /** A stored setting no longer passes its schema (./settings.ts). */
  onInvalidSetting?(name: string, problem: string): void;
  /** How report durations are measured (default: wall-clock time). */
  measure?: Measure;
  /** Told of each message once committed (./conversations.ts `ConversationsOptions`). */
  onMessage?: ConversationsOptions["onMessage"];
}

/** Resolves KV_PATH: unset → ./data/parley.sqlite (folder created); else as given. */
export async function openKv(kvPath: string | undefined): Promise<Deno.Kv> {
  if (kvPath === undefined) {
    if (Deno.env.get("DENO_DEPLOYMENT_ID")) return await Deno.openKv();
    await Deno.mkdir("./data", { recursive: true });
    return retryWhenBusy(await Deno.openKv("./data/parley.sqlite"));
  }
  const kv = await Deno.openKv(kvPath);
  // Local files may be shared by several isolates of this process (WORKERS=N): see ./busy.ts.
  return kvPath === ":memory:" || /^https?:/.test(kvPath) ? kv : retryWhenBusy(kv);
}

export function createStore(kv: Deno.Kv, opts: StoreOptions = {}): Store {
  const clock = opts.clock ?? systemClock;
  const newId = idGenerator(clock);
  const attachments = new Attachments(kv, clock);
  return {
    kv,
    users: new Users(kv, clock, newId, opts.onCommit),
    conversations: new Conversations(kv, clock, newId, opts),
    lists: new ConversationLists(kv),
    reads: new Reads(kv),
    throttles: new Throttles(kv, clock),
    probeWrite: async () => {
      await kv.set(keys.health(), clock.now(), { expireIn: 60_000 });
    },
    help: new HelpArticles(kv, clock, newId),
    botStats: new BotStats(kv, clock, newId),
    visitors: new Visitors(kv, clock, newId),
    settings: new Settings(kv, { clock, onInvalid: opts.onInvalidSetting }),
    outbox: new Outbox(kv),
    deliveries: new Deliveries(kv),
    apiTokens: new ApiTokens(kv),
    audit: new AuditLog(kv),
    ratings: new Ratings(kv),
    reports: new Reports(kv),
    eraser: new Eraser(kv, () => new Date(clock.now()).toISOString(), attachments),
    leases: new Leases(kv, clock),
    attachments,
    search: new SearchIndex(kv),
    canned: new CannedReplies(kv, clock, newId),
    close: () => kv.close(),
  };
}
