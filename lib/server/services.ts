/**
 * The composition root: builds every service from the settings and an open KV, in dependency
 * order, each given only what it uses. Nothing is patched after construction and nothing runs at
 * import time; `start()` starts the background work (KV watch, feed, presence, session checks).
 * main.ts (through ./server.ts) and the tests call `createServices`.
 */
import type { Config } from "../config.ts";
import { type Clock, systemClock } from "../clock.ts";
import { createLogger, type Logger } from "../log.ts";
import { BucketMap } from "../token_bucket.ts";
import { createStore, type Store } from "../store/mod.ts";
import { checkLimitFor } from "../store/group_commit.ts";
import { SearchIndexer } from "../store/search_indexer.ts";
import type { CommitObserver } from "../store/signals.ts";
import { newFeedId } from "../store/feed.ts";
import { OwnSignals } from "../realtime/own_signals.ts";
import { Relay } from "../realtime/relay.ts";
import { FeedReader, FeedWriter } from "../realtime/feed.ts";
import { AgentFrames } from "../realtime/agent_frames.ts";
import { QueueFrames } from "../realtime/queue_frames.ts";
import { Publisher } from "../realtime/publisher.ts";
import { Auth } from "../auth/auth.ts";
import { HashPool } from "../auth/hash_pool.ts";
import { SignInLimits } from "../auth/signin_limits.ts";
import { SessionCheck } from "../auth/session_check.ts";
import { Assigner } from "../assignment/assigner.ts";
import { Presence } from "../assignment/presence.ts";
import { BotRunner } from "../bot/runner.ts";
import { type FactsSource, profileFacts } from "../bot/facts.ts";
import type { Bot } from "../bot/types.ts";
import { createAssistant, createBot } from "../bot/mod.ts";
import type { Assistant } from "../bot/assist.ts";
import { BotTools } from "../chat/bot_tools.ts";
import { BotMetrics } from "../bot/metrics.ts";
import { HelpCenter } from "../help/help_center.ts";
import type { Knowledge } from "../help/knowledge.ts";
import { Chat } from "../chat/chat.ts";
import { ReadState } from "../chat/read_state.ts";
import { Csat } from "../chat/csat.ts";
import { Privacy } from "../chat/privacy.ts";
import { Retention } from "../chat/retention.ts";
import { ReportService } from "../chat/reports.ts";
import { INSTANCE_ID } from "../store/feed.ts";
import {
  BUSINESS_HOURS,
  BusinessCalendar,
  BusinessHoursService,
} from "../assignment/business_hours.ts";
import { Mentions } from "../chat/mentions.ts";
import { HandoffNotes } from "../chat/handoff_note.ts";
import { ConversationLabels, LABEL_SETTINGS } from "../chat/labels.ts";
import { CannedReplyService } from "../chat/canned.ts";
import { Search } from "../chat/search.ts";
import { SocketRegistry } from "../ws/registry.ts";
import { SocketGuards } from "../ws/guard.ts";
import type { SocketDeps } from "../ws/client_socket.ts";
import type { SettingDefinition } from "../store/settings.ts";
import { claimGuestSession } from "../auth/claim.ts";
import { AllowedOrigins } from "../widget/origins.ts";
import { WidgetIdentity } from "../widget/identity.ts";
import { WIDGET_SETTINGS } from "../widget/settings.ts";
import {
  type ClientAddress,
  clientAddressResolver,
  httpsResolver,
  type RequestIsHttps,
} from "../http/client_ip.ts";
import type { EphemeralKvWarning } from "../store/ephemeral.ts";
import { OutboxLoop } from "../outbox/loop.ts";
import { addOutboxEvent, conversationData } from "../store/outbox.ts";
import { idGenerator } from "../ids.ts";
import { Files } from "../files/files.ts";
import { Snoozer } from "../chat/snooze.ts";

export interface Services {
  config: Config;
  clock: Clock;
  log: Logger;
  store: Store;
  relay: Relay;
  publisher: Publisher;
  agentFrames: AgentFrames;
  queueFrames: QueueFrames;
  /** Reads what other instances did (started by `start`). */
  feed: FeedReader;
  sessionCheck: SessionCheck;
  /** Password hashing off the main thread (lib/auth/hash_pool.ts). */
  passwords: HashPool;
  /** Sign-in limits per address and account, in KV (lib/auth/signin_limits.ts). */
  signInLimits: SignInLimits;
  auth: Auth;
  assigner: Assigner;
  presence: Presence;
  botRunner: BotRunner;
  /** The help center, editable in KV, followed by every instance (lib/help/help_center.ts). */
  help: HelpCenter;
  /** Bot metrics kept as events happen (lib/bot/metrics.ts). */
  botMetrics: BotMetrics;
  /** Customers' votes on bot answers; the agent's suggested reply and handoff summary. */
  botTools: BotTools;
  /** What the bot and the console know about a customer (lib/bot/facts.ts). */
  facts: FactsSource;
  chat: Chat;
  reads: ReadState;
  /** CSAT ratings (lib/chat/csat.ts); `rating.created` seam: its hooks. */
  csat: Csat;
  /** GDPR export and erasure (lib/chat/privacy.ts); audit seam: its hooks. */
  privacy: Privacy;
  /** Deletes old resolved conversations (RETENTION_DAYS) and finishes interrupted erasures. */
  retention: Retention;
  /** Reports from the counters kept as events happen (lib/chat/reports.ts). */
  reports: ReportService;
  /** Business hours: open now, when back (lib/assignment/business_hours.ts). */
  businessHours: BusinessHoursService;
  /** Files uploaded to conversations and their sweeper (lib/files/files.ts). */
  files: Files;
  /** Snoozes and their waker (lib/chat/snooze.ts). */
  snoozer: Snoozer;
  /** Labels on conversations and the team's colours (lib/chat/labels.ts). */
  labels: ConversationLabels;
  /** Canned replies (lib/chat/canned.ts) and search (lib/chat/search.ts). */
  canned: CannedReplyService;
  search: Search;
  /** Writes the search index off the message path, one instance at a time (lease). */
  searchIndexer: SearchIndexer;
  /**
   * Rate-limit buckets, per isolate: frames and HTTP messages per address, conversations started
   * and handoffs asked for per user and per address. (Sign-in limits are in KV: `signInLimits`.)
   */
  buckets: {
    ipFrames: BucketMap;
    conversations: BucketMap;
    ipConversations: BucketMap;
    handoffs: BucketMap;
    ipHandoffs: BucketMap;
    /** File uploads per user (RATE_UPLOADS_PER_HOUR). */
    uploads: BucketMap;
  };
  /** Open sockets and the work their frames started (graceful shutdown). */
  sockets: SocketRegistry;
  /** What each WebSocket needs (lib/ws/client_socket.ts). */
  socketDeps: SocketDeps;
  /** A request's client address (per-address limits, logs), per TRUST_PROXY. */
  clientAddress: ClientAddress;
  /** ALLOWED_ORIGINS plus the sites an admin added (lib/widget/origins.ts). */
  origins: AllowedOrigins;
  /** The website widget's verified identify (lib/widget/identity.ts). */
  identity: WidgetIdentity;
  /** The run-time settings admins may read and write at /api/settings/:name. */
  settingDefinitions: SettingDefinition<unknown>[];
  /** Whether a request came over HTTPS (Secure cookie, HSTS), per TRUST_PROXY. */
  isHttps: RequestIsHttps;
  /** Set when the store may be ephemeral (Deno Deploy without KV): /admin shows it. */
  kvWarning: EphemeralKvWarning | null;
  /** Fans out the outbox and sends webhooks and email (lib/outbox/loop.ts). */
  outboxLoop: OutboxLoop;
  /** Ids for records made outside the store's own classes (webhooks, tokens, deliveries). */
  newId: () => string;
  /**
   * Starts the KV watch, the feed reader, presence, the session check, the search indexer and
   * the sweepers (outbox, retention, files, snoozes).
   */
  start(): void;
  close(): Promise<void>;
}

export interface ServiceOptions {
  /** The bot, or how to make it from the help center; default: from the settings (lib/bot/mod.ts). */
  bot?: Bot | ((knowledge: Knowledge) => Bot);
  /** The agent's assistant; default: from the settings (lib/bot/mod.ts). */
  assistant?: Assistant;
  facts?: FactsSource;
  clock?: Clock;
  /** Default: a logger at the configured level. */
  log?: Logger;
  /** What the start-up check found (lib/store/ephemeral.ts); default none. */
  kvWarning?: EphemeralKvWarning | null;
}

export function createServices(config: Config, kv: Deno.Kv, opts: ServiceOptions): Services {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? createLogger(config.logLevel);
  const ownSignals = new OwnSignals();
  // The current business hours, for the report durations the store measures in its commits.
  const calendar = new BusinessCalendar();
  const searchIndexer = new SearchIndexer(kv, {
    clock,
    onError: (err) => log.warn("search indexer failed", { err: String(err) }),
  });
  // After each of this instance's signalled commits (messages among them): the indexer looks.
  const onCommit: CommitObserver = {
    start() {
      const done = ownSignals.start();
      return (versionstamp, shards) => {
        done(versionstamp, shards);
        if (versionstamp) searchIndexer.wake();
      };
    },
  };
  const store = createStore(kv, {
    measure: calendar.measure,
    clock,
    maxChecks: checkLimitFor(config.kvPath),
    onCommit,
    onMessage: (m) => searchIndexer.remember(m),
    onInvalidSetting: (name, problem) => log.warn("stored setting unreadable", { name, problem }),
  });
  const feedWriter = new FeedWriter(kv, ownSignals, log);
  const relay = new Relay(kv, {
    broadcast: config.broadcast,
    ownSignals,
    writeFeed: feedWriter.write,
    newId: newFeedId,
    pollMs: config.kv.pollMs,
    lastSeqs: (ids) => store.conversations.lastSeqs(ids),
    log,
  });
  const agentFrames = new AgentFrames(store.users, relay, config.agentCapacity);
  const queueFrames = new QueueFrames(store.conversations, relay, log);
  const publisher = new Publisher(relay, agentFrames, queueFrames);
  const feed = new FeedReader(kv, relay, store.conversations, {
    agents: (ids) => agentFrames.deliverCurrent(ids),
    queueMoved: () => void queueFrames.moved(),
  }, log);
  const sessionCheck = new SessionCheck(relay, store.users, log);
  const passwords = new HashPool(config.hashing, log);
  const signInLimits = new SignInLimits(
    store.throttles,
    { ...config.signIn, authPerMinute: config.limits.authPerMinute },
    clock,
  );
  const auth = new Auth(
    store.users,
    config,
    relay,
    { passwords, limits: signInLimits },
    store.apiTokens,
  );
  const businessHours = new BusinessHoursService(store.settings, calendar, clock);
  const assigner = new Assigner(
    store,
    config.agentCapacity,
    publisher,
    clock,
    () => businessHours.status(),
  );
  const presence = new Presence(store, assigner, {
    graceMs: config.presenceGraceMs,
    clock,
    onError: (err) => log.error("presence failed", { err: String(err) }),
  });
  const facts = opts.facts ?? profileFacts;
  const help = new HelpCenter(store.help, { log });
  const bot = typeof opts.bot === "function"
    ? opts.bot(help)
    : opts.bot ?? createBot(config, help, log);
  const botMetrics = new BotMetrics(store.botStats, log);
  const canned = new CannedReplyService(store.canned);
  const assistant = opts.assistant ?? createAssistant(config, help, log, canned.suggest);
  // The handoff summary, posted as a private note once a person is asked for (lib/chat/handoff_note.ts).
  const handoffNotes = new HandoffNotes({
    store,
    publisher,
    assistant,
    facts,
    botName: bot.name,
    log,
  });
  const { limits } = config;
  const perHour = (n: number) => new BucketMap(n / 3600, n, clock);
  const buckets = {
    ipFrames: new BucketMap(limits.ipFramesPerSecond, limits.ipFramesBurst, clock),
    conversations: perHour(limits.conversationsPerHour),
    ipConversations: perHour(limits.ipConversationsPerHour),
    handoffs: perHour(limits.handoffsPerHour),
    ipHandoffs: perHour(limits.ipHandoffsPerHour),
    uploads: perHour(config.attachments.uploadsPerHour),
  };
  const botRunner = new BotRunner({
    store,
    relay,
    publisher,
    requestHuman: (id) => assigner.requestHuman(id),
    handoff: async (id, say) => {
      const handed = await assigner.botHandoff(id, say);
      if (handed && config.handoffNote) handoffNotes.after(id);
      return handed;
    },
    // A customer asking the bot for a person spends the same budget as the button.
    mayRequestHuman: (customerId) => buckets.handoffs.get(customerId).take(),
    bot,
    facts,
    metrics: botMetrics,
    log,
  });
  const mentions = new Mentions(store.users, relay);
  const chat = new Chat(
    store,
    publisher,
    assigner,
    botRunner,
    limits,
    botMetrics,
    mentions,
    config.handoffNote ? handoffNotes : undefined,
  );
  const reads = new ReadState(chat, store.reads, relay);
  // A rating is a webhook event, recorded in the rating's own commit (the outbox).
  const csat = new Csat(store, clock, {
    inCommit: (op, rating, conversation) =>
      addOutboxEvent(op, "rating.created", {
        rating,
        ...conversationData(conversation),
      }, new Date(clock.now())),
  });
  // Exports and erasures are admin actions: the audit log records them.
  const privacy = new Privacy(store, (id) => chat.closeForErasure(id), clock, log, {
    exported: (by, customerId) =>
      store.audit.record({
        actorId: by.id,
        action: "customer.exported",
        target: customerId,
        details: {},
        at: clock.now(),
      }),
    erased: (by, customerId, conversations) =>
      store.audit.record({
        actorId: by.id,
        action: "customer.erased",
        target: customerId,
        details: { conversations },
        at: clock.now(),
      }),
  });
  const retention = new Retention(store, privacy, {
    days: config.retentionDays,
    clock,
    log,
    owner: INSTANCE_ID,
  });
  const reports = new ReportService(store, clock);
  // Keeps the calendar current on every instance (the setting is cached 2 s).
  let hoursTimer: ReturnType<typeof setInterval> | undefined;
  const files = new Files(store, { maxBytes: config.attachments.maxBytes, clock, log });
  const snoozer = new Snoozer(store, publisher, { clock, log });
  const labels = new ConversationLabels(store, publisher);
  const search = new Search(store);
  const botTools = new BotTools(chat, store, assistant, facts);
  const origins = new AllowedOrigins(config.allowedOrigins, store.settings);
  const identity = new WidgetIdentity({
    secret: config.widgetSecret,
    visitors: store.visitors,
    auth,
    claim: (customer, guest) => claimGuestSession({ auth, kv, relay }, customer, guest),
  });
  const newId = idGenerator(clock);
  const outboxLoop = new OutboxLoop({
    store,
    clock,
    log,
    settings: config.outbox,
    businessName: config.businessName,
    newId,
  });
  const sockets = new SocketRegistry();
  const socketDeps: SocketDeps = {
    auth,
    chat,
    reads,
    presence,
    delivery: {
      relay,
      messages: (id, after, limit, opts) => store.conversations.messages(id, after, limit, opts),
      queueMoved: () => void queueFrames.moved(),
      log,
    },
    guards: new SocketGuards(limits, buckets.ipFrames, clock),
    registry: sockets,
    log,
    maxBufferedBytes: config.maxBufferedBytes,
  };
  return {
    config,
    clock,
    log,
    store,
    relay,
    publisher,
    agentFrames,
    queueFrames,
    feed,
    sessionCheck,
    passwords,
    signInLimits,
    auth,
    assigner,
    presence,
    botRunner,
    help,
    botMetrics,
    botTools,
    facts,
    chat,
    reads,
    csat,
    privacy,
    retention,
    reports,
    businessHours,
    files,
    snoozer,
    labels,
    canned,
    search,
    searchIndexer,
    buckets,
    sockets,
    socketDeps,
    origins,
    identity,
    settingDefinitions: [
      WIDGET_SETTINGS as SettingDefinition<unknown>,
      BUSINESS_HOURS as SettingDefinition<unknown>,
      LABEL_SETTINGS as SettingDefinition<unknown>,
    ],
    clientAddress: clientAddressResolver(config.trustProxy),
    isHttps: httpsResolver(config.trustProxy),
    kvWarning: opts.kvWarning ?? null,
    outboxLoop,
    newId,
    start() {
      outboxLoop.start();
      relay.startWatch();
      presence.start();
      feed.start();
      sessionCheck.start();
      help.start();
      retention.start();
      void businessHours.hours().catch(() => {});
      hoursTimer = setInterval(() => void businessHours.hours().catch(() => {}), 5_000);
      files.start();
      snoozer.start();
      searchIndexer.start();
    },
    async close() {
      await outboxLoop.stop();
      clearInterval(hoursTimer);
      await presence.stop();
      await retention.stop();
      await files.stop();
      await snoozer.stop();
      await searchIndexer.stop();
      await botRunner.idle();
      await handoffNotes.idle();
      sessionCheck.stop();
      help.stop();
      passwords.close();
      relay.close();
      store.close();
    },
  };
}
