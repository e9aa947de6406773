/**
 * Client side of the benchmark: WebSocket helpers and Parley's HTTP API, used by bench/load.ts.
 * Sockets speak Parley's frames (the raw relay understands the same shapes).
 */

/** Opens a WebSocket; rejects on error or after `timeoutMs`. */
export function openSocket(url: string, timeoutMs = 15_000): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error(`WebSocket to ${url} did not open within ${timeoutMs} ms`));
    }, timeoutMs);
    ws.onopen = () => {
      clearTimeout(timer);
      ws.onerror = null;
      resolve(ws);
    };
    ws.onerror = (e) => {
      clearTimeout(timer);
      reject(new Error(`WebSocket to ${url} failed: ${(e as ErrorEvent).message ?? "error"}`));
    };
  });
}

/** Resolves with the first frame (parsed) that `match` accepts; rejects after `timeoutMs`. */
// deno-lint-ignore no-explicit-any
export function nextFrame<T = Record<string, any>>(
  ws: WebSocket,
  match: (frame: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (e: MessageEvent) => {
      const frame = JSON.parse(e.data);
      if (frame.type === "error") {
        done();
        reject(new Error(`server error frame: ${e.data}`));
      } else if (match(frame)) {
        done();
        resolve(frame as T);
      }
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`no matching frame within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      ws.removeEventListener("message", onMessage);
    };
    ws.addEventListener("message", onMessage);
  });
}

/** Opens a socket to Parley and authenticates it with a first `auth` frame. */
export async function openParleySocket(wsUrl: string, token: string): Promise<WebSocket> {
  const ws = await openSocket(wsUrl);
  const ready = nextFrame(ws, (f) => f.type === "ready");
  ws.send(JSON.stringify({ type: "auth", token }));
  await ready;
  return ws;
}

/** Closes sockets and waits (bounded) until every one reports closed. */
export async function closeAll(sockets: WebSocket[], timeoutMs = 10_000): Promise<void> {
  await Promise.race([
    Promise.all(sockets.map((ws) =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.addEventListener("close", () => resolve());
        ws.close();
      })
    )),
    new Promise((r) => setTimeout(r, timeoutMs)),
  ]);
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export interface Session {
  user: { id: string; name: string };
  token: string;
}

/** Parley's HTTP API, with bearer tokens. Throws on any non-2xx answer. */
export class ParleyApi {
  constructor(readonly base: string) {}

  async call<T>(method: string, path: string, token?: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(new URL(path, this.base), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 200)}`);
    return (text ? JSON.parse(text) : {}) as T;
  }

  login(email: string, password: string) {
    return this.call<Session>("POST", "/api/auth/login", undefined, { email, password });
  }

  guest(name: string) {
    return this.call<Session>("POST", "/api/auth/guest", undefined, { name });
  }

  async createAgent(admin: string, i: number, password: string): Promise<Session> {
    const email = `bench-agent-${i}@bench.local`;
    await this.call("POST", "/api/agents", admin, {
      name: `Agent ${i}`,
      email,
      password,
      role: "agent",
    });
    return await this.login(email, password);
  }

  async startConversation(token: string): Promise<string> {
    const res = await this.call<{ conversation: { id: string } }>(
      "POST",
      "/api/conversations",
      token,
    );
    return res.conversation.id;
  }

  takeover(token: string, conversationId: string) {
    return this.call("POST", `/api/conversations/${conversationId}/takeover`, token);
  }
}
