/**
 * Settings, read once at start from the environment and validated. A bad value stops start-up with
 * one line naming the setting (see `loadConfig`).
 */
import { z } from "zod";
import ipaddr from "ipaddr.js";

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const url = z.url({ protocol: /^https?$/ });
const blankIsUnset = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

const schema = z.object({
  PORT: port.default(8000),
  HOST: z.string().min(1).default("0.0.0.0"),
  /** unset: ./data/parley.sqlite; ":memory:"; an http(s) URL for KV Connect. */
  KV_PATH: z.preprocess(blankIsUnset, z.string().optional()),
  /** With KV in a local file: how often (ms) to read the signal keys, so that the commits of other
   * processes on the same file are seen (a watch hears only its own process, and costs a read on
   * every commit); 0: watch them instead, hearing this process alone. */
  KV_POLL_MS: z.coerce.number().int().max(60_000)
    .refine((ms) => ms === 0 || ms >= 10, "0 (off) or at least 10").default(100),
  /** On Deno Deploy: "1" says a KV database is attached to the app (silences the warning), "0"
   * that none is (see lib/store/ephemeral.ts). */
  KV_ATTACHED: z.preprocess(blankIsUnset, z.enum(["0", "1"]).optional()),
  WORKERS: positiveInt.max(64).default(1),
  ADMIN_EMAIL: z.preprocess(blankIsUnset, z.email().optional()),
  ADMIN_PASSWORD: z.preprocess(blankIsUnset, z.string().min(8).optional()),
  GEMINI_API_KEY: z.preprocess(blankIsUnset, z.string().optional()),
  GEMINI_MODEL: z.string().min(1).default("gemini-2.5-flash"),
  /** Tried once when GEMINI_MODEL fails or times out, before the built-in bot answers. */
  GEMINI_FALLBACK_MODEL: z.preprocess(blankIsUnset, z.string().min(1).optional()),
  GEMINI_BASE_URL: z.preprocess(blankIsUnset, url.optional()),
  /** How long one Gemini call may take before the built-in bot answers instead. */
  GEMINI_TIMEOUT_MS: positiveInt.default(20_000),
  KNOWLEDGE_DIR: z.preprocess(blankIsUnset, z.string().optional()),
  CUSTOMER_API_URL: z.preprocess(blankIsUnset, url.optional()),
  CUSTOMER_API_TIMEOUT_MS: positiveInt.default(2_000),
  ALLOWED_ORIGINS: z.preprocess(blankIsUnset, z.string().optional()),
  /** The website widget's identity verification: userHash = hex HMAC-SHA256(secret, userId). */
  WIDGET_SECRET: z.preprocess(
    blankIsUnset,
    z.string().min(16, "must be at least 16 characters (use a long random string)").optional(),
  ),
  /** The business's name and the bot's name and tone, used in greetings and the Gemini instruction. */
  BUSINESS_NAME: z.string().min(1).default("Parley"),
  BOT_NAME: z.string().min(1).default("Parley Assistant"),
  BOT_TONE: z.string().min(1).default("friendly, concise and precise"),
  /** The handoff summary posted as a private note when a person is asked for: on or off. */
  HANDOFF_NOTE: z.preprocess(blankIsUnset, z.enum(["on", "off"]).default("on")),
  /** Session lifetime in hours. */
  SESSION_TTL_HOURS: positiveInt.default(24 * 30),
  /** Default maximum number of open human conversations per agent. */
  AGENT_CAPACITY: positiveInt.max(1000).default(5),
  /** Seconds after an agent's last socket closes before they count as offline. */
  PRESENCE_GRACE_SECONDS: z.coerce.number().int().min(0).default(60),
  RETENTION_DAYS: z.preprocess(blankIsUnset, z.coerce.number().int().min(1).max(36500).optional()),
  /** The BroadcastChannel fast path between isolates: "1" on, "0" off (delivery then rides on KV
   * watch); unset, on only with WORKERS > 1. */
  BROADCAST: z.preprocess(blankIsUnset, z.enum(["0", "1"]).optional()),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  /** Abuse limits: WebSocket frames per connection and per IP, auth per IP. */
  RATE_FRAMES_PER_SEC: positiveInt.default(20),
  RATE_FRAMES_BURST: positiveInt.default(60),
  RATE_IP_FRAMES_PER_SEC: positiveInt.default(200),
  RATE_IP_FRAMES_BURST: positiveInt.default(600),
  RATE_AUTH_PER_MIN: positiveInt.default(120),
  MAX_SOCKETS_PER_USER: positiveInt.default(20),
  /** Open WebSockets per client address, and those of them not yet authenticated (per isolate). */
  MAX_SOCKETS_PER_ADDRESS: positiveInt.default(100),
  MAX_UNAUTH_SOCKETS_PER_ADDRESS: positiveInt.default(10),
  /** Unauthenticated WebSockets in all (per isolate). */
  MAX_UNAUTH_SOCKETS: positiveInt.default(500),
  /** Sign-in lockout per account: after this many failures in a row... */
  SIGNIN_LOCK_AFTER: positiveInt.default(5),
  /** ...locked this long, doubling with each further lockout... */
  SIGNIN_LOCK_SECONDS: positiveInt.default(60),
  /** ...up to this long. */
  SIGNIN_LOCK_MAX_SECONDS: positiveInt.default(900),
  /** Password-hashing Workers per isolate; 0 hashes on the main thread. Unset: from the cores. */
  HASH_WORKERS: z.preprocess(blankIsUnset, z.coerce.number().int().min(0).max(32).optional()),
  /** Sign-ins waiting for a hashing Worker before the next one gets 503. */
  HASH_QUEUE: z.coerce.number().int().min(0).max(10_000).default(32),
  /** Unset: the peer is the client. A hop count, or comma-separated CIDRs of trusted proxies. */
  TRUST_PROXY: z.preprocess(blankIsUnset, z.string().optional()),
  /** Conversations started and handoffs asked for: per user and per address, an hour. */
  RATE_CONVERSATIONS_PER_HOUR: positiveInt.default(20),
  RATE_IP_CONVERSATIONS_PER_HOUR: positiveInt.default(200),
  RATE_HANDOFFS_PER_HOUR: positiveInt.default(20),
  RATE_IP_HANDOFFS_PER_HOUR: positiveInt.default(200),
  /** Open conversations one guest, or one signed-in customer, may have at once. */
  MAX_OPEN_CONVERSATIONS_GUEST: positiveInt.default(3),
  MAX_OPEN_CONVERSATIONS_CUSTOMER: positiveInt.default(10),
  /** A guest who starts no conversation within this many hours is forgotten (record, session). */
  GUEST_TTL_HOURS: positiveInt.default(24),
  /** A socket whose unsent output passes this many KiB is a slow consumer and is closed (4408). */
  MAX_BUFFERED_KIB: positiveInt.default(1024),
  /** Files: at most this many MiB each (lib/files/), and uploads per user an hour. */
  ATTACHMENT_MAX_MB: positiveInt.max(100).default(10),
  RATE_UPLOADS_PER_HOUR: positiveInt.default(60),
  /**
   * "build": bundle the islands at start (esbuild); "prebuilt": serve what `deno task build` wrote
   * to ISLANDS_DIR. Unset: "build", except on Deno Deploy when ISLANDS_DIR has a manifest.
   */
  ISLANDS: z.preprocess(blankIsUnset, z.enum(["build", "prebuilt"]).optional()),
  ISLANDS_DIR: z.preprocess(blankIsUnset, z.string().optional()),
  /** Webhooks and email (lib/outbox/): see OutboxSettings. */
  WEBHOOK_ALLOW_PRIVATE: z.preprocess(blankIsUnset, z.enum(["0", "1"]).optional()),
  WEBHOOK_TIMEOUT_MS: positiveInt.max(120_000).default(10_000),
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  OUTBOX_RETRY_BASE_MS: positiveInt.default(10_000),
  SMTP_URL: z.preprocess(blankIsUnset, z.url({ protocol: /^smtps?$/ }).optional()),
  MAIL_FROM: z.preprocess(blankIsUnset, z.string().min(3).optional()),
  MAIL_REPLY_TO: z.preprocess(blankIsUnset, z.string().min(3).optional()),
  EMAIL_DELAY_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
  PUBLIC_URL: z.preprocess(blankIsUnset, url.optional()),
});

/** Webhooks and email, sent from the outbox (lib/outbox/). */
export interface OutboxSettings {
  /** WEBHOOK_ALLOW_PRIVATE=1: webhooks may target private and loopback addresses. */
  allowPrivate: boolean;
  timeoutMs: number;
  pollMs: number;
  /** First retry after this long, doubling (capped at an hour), for 24 h. */
  retryBaseMs: number;
  /** null: no email is sent. */
  mail: MailSettings | null;
  /** Links in emails start with this (PUBLIC_URL, else http://localhost:PORT). */
  publicUrl: string;
}

export interface MailSettings {
  smtpUrl: string;
  from: string;
  replyTo: string;
  /** An agent's reply is emailed when the customer has not read it after this long. */
  delayMs: number;
}

/** Gemini (lib/bot/gemini.ts): the model, then the fallback model, then the built-in bot. */
export interface GeminiSettings {
  apiKey: string;
  model: string;
  fallbackModel: string | null;
  baseUrl: string | undefined;
  timeoutMs: number;
}

/** The customer-data API (lib/bot/customer_data.ts). */
export interface CustomerApiSettings {
  /** Base URL without a trailing slash; the user's id is appended as one path segment. */
  url: string;
  timeoutMs: number;
}

/** Abuse limits (lib/ws/guard.ts, lib/http/rate_limit.ts). */
export interface LimitSettings {
  framesPerSecond: number;
  framesBurst: number;
  ipFramesPerSecond: number;
  ipFramesBurst: number;
  authPerMinute: number;
  socketsPerUser: number;
  /** Open WebSockets per client address (per isolate). */
  socketsPerAddress: number;
  /** Unauthenticated WebSockets per client address, and in all (per isolate). */
  unauthSocketsPerAddress: number;
  unauthSockets: number;
  /** Conversations started, per user and per address, an hour (lib/server/app.ts). */
  conversationsPerHour: number;
  ipConversationsPerHour: number;
  /** Handoffs asked for (the button, or the bot on the customer's request), the same way. */
  handoffsPerHour: number;
  ipHandoffsPerHour: number;
  /** Open conversations at once, per guest and per signed-in customer (lib/chat/chat.ts). */
  maxOpenGuest: number;
  maxOpenCustomer: number;
}

/** Proxies whose `X-Forwarded-For` / `Forwarded` entries are believed (lib/http/client_ip.ts). */
export type TrustProxy =
  /** The nearest `hops` proxies, whatever their addresses. */
  | { hops: number }
  /** Proxies whose address is in one of these CIDRs (normalized, e.g. "10.0.0.0/8"). */
  | { cidrs: string[] };

/** The per-account sign-in lockout (lib/auth/signin_limits.ts). */
export interface SignInSettings {
  /** Failures in a row that lock an account (email). */
  lockAfter: number;
  /** The first lockout; each further one doubles, up to `lockMaxMs`. */
  lockMs: number;
  lockMaxMs: number;
}

/** The password-hashing pool (lib/auth/hash_pool.ts). */
export interface HashingSettings {
  /** Workers per isolate; 0 hashes on the main thread. */
  workers: number;
  /** Hashes that may wait for a Worker; beyond, 503 with Retry-After. */
  queue: number;
}

/**
 * Where the store lives: `memory` (":memory:"), `file` (a local SQLite file; also KV_PATH unset
 * off Deno Deploy), `remote` (a KV Connect URL), `deploy` (KV_PATH unset on Deno Deploy: the
 * platform's database if one is attached to the app, else an ephemeral store per instance).
 */
export type KvLocation = "memory" | "file" | "remote" | "deploy";

export function kvLocation(kvPath: string | undefined, onDeploy: boolean): KvLocation {
  if (kvPath === undefined) return onDeploy ? "deploy" : "file";
  if (kvPath === ":memory:") return "memory";
  return /^https?:\/\//.test(kvPath) ? "remote" : "file";
}

export interface Config {
  port: number;
  host: string;
  kvPath: string | undefined;
  kv: {
    location: KvLocation;
    /** Signal-key poll interval in ms; 0 unless the store is a local file (see KV_POLL_MS). */
    pollMs: number;
    /** Deno Deploy has a KV database attached to the app: KV_ATTACHED, or true when Deno's
     * DENO_KV_DEFAULT_PATH is an http(s) URL; undefined when nothing says (lib/store/ephemeral.ts). */
    attached: boolean | undefined;
  };
  /** Deno Deploy's DENO_DEPLOYMENT_ID (undefined off Deploy). */
  deploymentId: string | undefined;
  workers: number;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  gemini: GeminiSettings | null;
  knowledgeDir: string;
  customerApi: CustomerApiSettings | null;
  allowedOrigins: string[];
  /** WIDGET_SECRET: verified `identify` in the website widget; null: identify is off. */
  widgetSecret: string | null;
  businessName: string;
  botName: string;
  botTone: string;
  /** HANDOFF_NOTE: post the handoff summary as a private note (lib/chat/handoff_note.ts). */
  handoffNote: boolean;
  sessionTtlMs: number;
  /** An unused guest (no conversation started) expires after this, with its session. */
  guestTtlMs: number;
  agentCapacity: number;
  presenceGraceMs: number;
  /** RETENTION_DAYS: resolved conversations older than this many days are deleted; null: kept. */
  retentionDays: number | null;
  broadcast: boolean;
  logLevel: "debug" | "info" | "warn" | "error";
  limits: LimitSettings;
  /** null: the socket's peer is the client. */
  trustProxy: TrustProxy | null;
  signIn: SignInSettings;
  hashing: HashingSettings;
  maxBufferedBytes: number;
  /** Files (lib/files/): the size limit in bytes (ATTACHMENT_MAX_MB) and uploads per user an hour. */
  attachments: { maxBytes: number; uploadsPerHour: number };
  islands: IslandsSettings;
  outbox: OutboxSettings;
}

export interface IslandsSettings {
  /** "auto": prebuilt if `dir` has a manifest, else build (ISLANDS unset on Deno Deploy). */
  mode: "build" | "prebuilt" | "auto";
  /** Where `deno task build` writes the bundles and a prebuilt server reads them. */
  dir: string;
}

export const DEFAULT_KNOWLEDGE_DIR = new URL("../help_center/", import.meta.url).pathname;
export const DEFAULT_ISLANDS_DIR = new URL("../_build/islands/", import.meta.url).pathname;

export class ConfigError extends Error {}

/** Parse settings from an environment-like record. Throws ConfigError naming the bad setting. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = schema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = String(issue.path[0] ?? "settings");
    throw new ConfigError(`Invalid setting ${name}: ${issue.message}`);
  }
  const e = result.data;
  if ((e.ADMIN_EMAIL === undefined) !== (e.ADMIN_PASSWORD === undefined)) {
    throw new ConfigError("Invalid setting ADMIN_EMAIL/ADMIN_PASSWORD: set both or neither");
  }
  if (e.WORKERS > 1 && e.KV_PATH === ":memory:") {
    // Each isolate would get a store of its own: they must share a file or a remote KV.
    throw new ConfigError(
      "Invalid setting WORKERS: more than 1 needs a shared KV_PATH, not :memory:",
    );
  }
  const origins = (e.ALLOWED_ORIGINS ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  for (const origin of origins) {
    if (!URL.canParse(origin) || new URL(origin).origin !== origin.replace(/\/$/, "")) {
      throw new ConfigError(`Invalid setting ALLOWED_ORIGINS: "${origin}" is not an origin`);
    }
  }
  const deploymentId = env.DENO_DEPLOYMENT_ID || undefined;
  const location = kvLocation(e.KV_PATH, deploymentId !== undefined);
  return {
    port: e.PORT,
    host: e.HOST,
    kvPath: e.KV_PATH,
    kv: {
      location,
      pollMs: location === "file" ? e.KV_POLL_MS : 0,
      attached: e.KV_ATTACHED === undefined
        ? (/^https?:\/\//.test(env.DENO_KV_DEFAULT_PATH ?? "") || undefined)
        : e.KV_ATTACHED === "1",
    },
    deploymentId,
    workers: e.WORKERS,
    adminEmail: e.ADMIN_EMAIL?.toLowerCase(),
    adminPassword: e.ADMIN_PASSWORD,
    gemini: e.GEMINI_API_KEY
      ? {
        apiKey: e.GEMINI_API_KEY,
        model: e.GEMINI_MODEL,
        fallbackModel: e.GEMINI_FALLBACK_MODEL ?? null,
        baseUrl: e.GEMINI_BASE_URL,
        timeoutMs: e.GEMINI_TIMEOUT_MS,
      }
      : null,
    knowledgeDir: e.KNOWLEDGE_DIR ?? DEFAULT_KNOWLEDGE_DIR,
    customerApi: e.CUSTOMER_API_URL
      ? { url: e.CUSTOMER_API_URL.replace(/\/+$/, ""), timeoutMs: e.CUSTOMER_API_TIMEOUT_MS }
      : null,
    allowedOrigins: origins.map((o) => new URL(o).origin),
    widgetSecret: e.WIDGET_SECRET ?? null,
    outbox: {
      allowPrivate: e.WEBHOOK_ALLOW_PRIVATE === "1",
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      pollMs: e.OUTBOX_POLL_MS,
      retryBaseMs: e.OUTBOX_RETRY_BASE_MS,
      mail: e.SMTP_URL
        ? {
          smtpUrl: e.SMTP_URL,
          from: e.MAIL_FROM ?? `${e.BUSINESS_NAME} <parley@localhost>`,
          replyTo: e.MAIL_REPLY_TO ?? e.MAIL_FROM ?? `parley@localhost`,
          delayMs: e.EMAIL_DELAY_SECONDS * 1000,
        }
        : null,
      publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ""),
    },
    businessName: e.BUSINESS_NAME,
    botName: e.BOT_NAME,
    botTone: e.BOT_TONE,
    handoffNote: e.HANDOFF_NOTE === "on",
    sessionTtlMs: e.SESSION_TTL_HOURS * 3600_000,
    guestTtlMs: e.GUEST_TTL_HOURS * 3600_000,
    agentCapacity: e.AGENT_CAPACITY,
    presenceGraceMs: e.PRESENCE_GRACE_SECONDS * 1000,
    retentionDays: e.RETENTION_DAYS ?? null,
    // Unset: on when this process runs several isolates (WORKERS > 1), the only time it can help.
    broadcast: e.BROADCAST === undefined ? e.WORKERS > 1 : e.BROADCAST === "1",
    logLevel: e.LOG_LEVEL,
    limits: {
      framesPerSecond: e.RATE_FRAMES_PER_SEC,
      framesBurst: e.RATE_FRAMES_BURST,
      ipFramesPerSecond: e.RATE_IP_FRAMES_PER_SEC,
      ipFramesBurst: e.RATE_IP_FRAMES_BURST,
      authPerMinute: e.RATE_AUTH_PER_MIN,
      socketsPerUser: e.MAX_SOCKETS_PER_USER,
      socketsPerAddress: e.MAX_SOCKETS_PER_ADDRESS,
      unauthSocketsPerAddress: e.MAX_UNAUTH_SOCKETS_PER_ADDRESS,
      unauthSockets: e.MAX_UNAUTH_SOCKETS,
      conversationsPerHour: e.RATE_CONVERSATIONS_PER_HOUR,
      ipConversationsPerHour: e.RATE_IP_CONVERSATIONS_PER_HOUR,
      handoffsPerHour: e.RATE_HANDOFFS_PER_HOUR,
      ipHandoffsPerHour: e.RATE_IP_HANDOFFS_PER_HOUR,
      maxOpenGuest: e.MAX_OPEN_CONVERSATIONS_GUEST,
      maxOpenCustomer: e.MAX_OPEN_CONVERSATIONS_CUSTOMER,
    },
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    signIn: {
      lockAfter: e.SIGNIN_LOCK_AFTER,
      lockMs: e.SIGNIN_LOCK_SECONDS * 1000,
      lockMaxMs: Math.max(e.SIGNIN_LOCK_SECONDS, e.SIGNIN_LOCK_MAX_SECONDS) * 1000,
    },
    hashing: {
      workers: e.HASH_WORKERS ?? defaultHashWorkers(e.WORKERS),
      queue: e.HASH_QUEUE,
    },
    maxBufferedBytes: e.MAX_BUFFERED_KIB * 1024,
    attachments: {
      maxBytes: e.ATTACHMENT_MAX_MB * 1024 * 1024,
      uploadsPerHour: e.RATE_UPLOADS_PER_HOUR,
    },
    islands: {
      mode: e.ISLANDS ?? (env.DENO_DEPLOYMENT_ID ? "auto" : "build"),
      dir: e.ISLANDS_DIR ?? DEFAULT_ISLANDS_DIR,
    },
  };
}

/**
 * Two hashing Workers per process at most by default (each costs ~100 MiB and a core while it
 * hashes), shared out over the isolates: cores / WORKERS, at least 1.
 */
function defaultHashWorkers(isolates: number): number {
  const cores = navigator.hardwareConcurrency || 1;
  return Math.max(1, Math.min(2, Math.floor(cores / isolates)));
}

/** An address in the strict notations: four-part dotted IPv4, or IPv6. */
function strictAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text);
  return null;
}

/** TRUST_PROXY: unset or "0" → null; "N" → N hops; else CIDRs or single addresses, comma-separated. */
function parseTrustProxy(value: string | undefined): TrustProxy | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops > 32) throw new ConfigError("Invalid setting TRUST_PROXY: at most 32 hops");
    return hops === 0 ? null : { hops };
  }
  const cidrs = text.split(",").map((s) => s.trim()).filter(Boolean).map((entry) => {
    const [address, prefix, extra] = entry.split("/");
    const parsed = strictAddress(address);
    const bits = parsed?.kind() === "ipv4" ? 32 : 128;
    const length = prefix === undefined ? bits : /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
    if (!parsed || extra !== undefined || !(length >= 0 && length <= bits)) {
      throw new ConfigError(
        `Invalid setting TRUST_PROXY: "${entry}" is neither a hop count (like 1) nor an address or CIDR (like 10.0.0.0/8)`,
      );
    }
    return `${parsed.toString()}/${length}`;
  });
  if (cidrs.length === 0) throw new ConfigError("Invalid setting TRUST_PROXY: empty");
  return { cidrs };
}

/** Settings for tests: in-memory KV, a free port, the built-in bot. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return parseConfig({ PORT: "0", KV_PATH: ":memory:", ...overrides });
}
