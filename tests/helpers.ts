/**
 * Test harness: a real server on a free port with in-memory KV, an HTTP client for the API, and
 * real WebSocket clients that queue the frames they receive.
 */
import { parseConfig } from "../lib/config.ts";
import { type RunningServer, type StartOptions, startServer } from "../lib/server/server.ts";
import type { Conversation, Message, User } from "../lib/contract/types.ts";
import { keys } from "../lib/store/keys.ts";
import { until } from "./wait.ts";

export interface TestServer extends RunningServer {
  api: Api;
  wsUrl: string;
  /** Signs in an admin (ADMIN_EMAIL/ADMIN_PASSWORD of the test config). */
  admin(): Promise<Session>;
}

export interface Session {
  user: User;
  token: string;
}

export const ADMIN = { email: "admin@test.local", password: "admin-password-1" };

/**
 * Every test client connects from 127.0.0.1, standing for many people: lift the per-address
 * connection caps (the tests of those caps set their own).
 */
export const ONE_ADDRESS_IS_MANY = {
  MAX_SOCKETS_PER_ADDRESS: "100000",
  MAX_UNAUTH_SOCKETS_PER_ADDRESS: "100000",
  MAX_UNAUTH_SOCKETS: "100000",
};

export async function startTestServer(
  env: Record<string, string> = {},
  options: StartOptions = {},
): Promise<TestServer> {
  const config = parseConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    KV_PATH: ":memory:",
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: "error",
    // The handoff summary note takes a seq after each handoff, asynchronously; tests that count
    // seqs run without it, and tests/handoff_note_test.ts turns it on.
    HANDOFF_NOTE: "off",
    ...ONE_ADDRESS_IS_MANY,
    ...env,
  });
  const server = await startServer(config, options);
  const api = new Api(server.url);
  return {
    ...server,
    api,
    wsUrl: server.url.replace(/^http/, "ws") + "ws",
    admin: () => api.login(ADMIN.email, ADMIN.password),
  };
}

/** Runs `fn` against a fresh test server, and shuts it down afterwards. */
export async function withTestServer(
  fn: (server: TestServer) => Promise<void>,
  env: Record<string, string> = {},
  options: StartOptions = {},
): Promise<void> {
  const server = await startTestServer(env, options);
  try {
    await fn(server);
  } finally {
    await server.shutdown();
  }
}

/**
 * Like `withTestServer`, also handing `fn` a socket opener whose sockets are closed before the
 * server shuts down.
 */
export async function withServerAndSockets(
  fn: (server: TestServer, open: typeof WsClient.connect) => Promise<void>,
): Promise<void> {
  const sockets: WsClient[] = [];
  const open: typeof WsClient.connect = async (...args) => {
    const s = await WsClient.connect(...args);
    sockets.push(s);
    return s;
  };
  await withTestServer(async (server) => {
    try {
      await fn(server, open);
    } finally {
      for (const s of sockets) await s.close();
    }
  });
}

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export class Api {
  constructor(readonly base: string) {}

  // deno-lint-ignore no-explicit-any
  async request<T = any>(
    method: string,
    path: string,
    opts: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined = opts.raw;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers["content-type"] = "application/json";
    }
    const res = await fetch(new URL(path.replace(/^\//, ""), this.base), { method, headers, body });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  }

  async guest(name?: string): Promise<Session> {
    const res = await this.request("POST", "/api/auth/guest", { body: name ? { name } : {} });
    if (res.status !== 201) throw new Error(`guest: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async register(name: string, email: string, password = "password-123"): Promise<Session> {
    const res = await this.request("POST", "/api/auth/register", {
      body: { name, email, password },
    });
    if (res.status !== 201) throw new Error(`register: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async login(email: string, password: string): Promise<Session> {
    const res = await this.request("POST", "/api/auth/login", { body: { email, password } });
    if (res.status !== 200) throw new Error(`login: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** An admin creates an agent, who signs in and (optionally) becomes available. */
  async agent(
    admin: Session,
    name: string,
    email: string,
    status: "available" | "busy" | "offline" = "available",
  ): Promise<Session> {
    const res = await this.request("POST", "/api/agents", {
      token: admin.token,
      body: { name, email, password: "agent-password-1", role: "agent" },
    });
    if (res.status !== 201) throw new Error(`agent: ${res.status} ${JSON.stringify(res.body)}`);
    const session = await this.login(email, "agent-password-1");
    await this.request("PUT", "/api/agents/me/status", { token: session.token, body: { status } });
    return session;
  }

  async start(session: Session): Promise<Conversation> {
    const res = await this.request("POST", "/api/conversations", { token: session.token });
    if (res.status !== 201) throw new Error(`start: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.conversation;
  }

  /** Every message after `after` the session may read, following pages of 1,000. */
  async messages(session: Session, id: string, after = 0): Promise<Message[]> {
    const all: Message[] = [];
    for (;;) {
      const res = await this.request(
        "GET",
        `/api/conversations/${id}/messages?after=${after}&limit=1000`,
        { token: session.token },
      );
      if (res.status !== 200) throw new Error(`messages: ${res.status}`);
      const page: Message[] = res.body.messages;
      all.push(...page);
      if (page.length < 1000) return all;
      after = page[page.length - 1].seq;
    }
  }
}

// deno-lint-ignore no-explicit-any
export type Frame = { type: string; [k: string]: any };

/** A real WebSocket client that keeps every frame and waits for the ones a test expects. */
export class WsClient {
  frames: Frame[] = [];
  closed: Promise<CloseEvent>;
  #waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.onmessage = (e) => {
      this.frames.push(JSON.parse(e.data));
      for (const w of this.#waiters.splice(0)) w();
    };
    this.closed = new Promise((resolve) => {
      ws.addEventListener("close", (e) => {
        resolve(e);
        for (const w of this.#waiters.splice(0)) w();
      });
    });
  }

  /** Opens a socket and authenticates with a first frame (unless `token` is omitted). */
  static async connect(url: string, token?: string, headers?: Record<string, string>) {
    // Deno accepts `{headers}` as the second argument; the DOM typings don't know it.
    const ws = new WebSocket(url, (headers ? { headers } : undefined) as unknown as string[]);
    const client = new WsClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = (e) => reject(new Error(`socket failed: ${(e as ErrorEvent).message}`));
    });
    if (token) {
      client.send({ type: "auth", token });
      await client.next((f) => f.type === "ready");
    }
    return client;
  }

  send(frame: unknown) {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** The first frame not yet taken that matches; waits up to `timeoutMs`. */
  async next(match: (f: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex(match);
      if (i >= 0) return this.frames.splice(i, 1)[0];
      const left = deadline - Date.now();
      if (left <= 0 || this.ws.readyState === WebSocket.CLOSED) {
        throw new Error(
          `no matching frame in ${timeoutMs} ms; have: ${
            JSON.stringify(this.frames).slice(0, 800)
          }`,
        );
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Messages of a conversation received so far (frames of type message), without taking them. */
  messages(conversationId: string): Message[] {
    return this.frames.filter((f) =>
      f.type === "message" && f.message.conversationId === conversationId
    )
      .map((f) => f.message);
  }

  async close() {
    if (this.ws.readyState !== WebSocket.CLOSED) {
      this.ws.close();
      await this.closed;
    }
  }
}

export const messageFrom = (sender: string, conversationId?: string) => (f: Frame) =>
  f.type === "message" && f.message.sender === sender &&
  (!conversationId || f.message.conversationId === conversationId);

/** Waits (with a deadline) until the search indexer has indexed every message queued so far. */
export function searchIndexed(server: RunningServer): Promise<void> {
  const kv = server.services.store.kv;
  return until(async () => {
    for await (const _ of kv.list({ prefix: keys.searchPendingPrefix() }, { limit: 1 })) {
      return false;
    }
    return true;
  }, "the search indexer");
}
