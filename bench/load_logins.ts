/**
 * WebSocket ping round trip during a burst of concurrent logins (issue 11: argon2id on the main
 * thread once pushed a ping to 12.9 s). One authenticated socket pings the server one ping at a
 * time, 10 ms apart, first for a quiet second (the baseline) and then while `logins` logins are
 * sent at once — half with the right password of the bench's agents, half for unknown emails, so
 * every one costs a hash. Every answer's status is counted (200, 401, 429, 503).
 */
import { openParleySocket, type ParleyApi } from "./clients.ts";
import { type LatencyStats, latencyStats, sleep } from "./proc.ts";

export interface LoginsResult {
  logins: number;
  /** Status → count. */
  statuses: Record<string, number>;
  /** First login sent → last answered. */
  burstMs: number;
  /** Ping round trips over a quiet second, then during the burst. */
  idlePingMs: LatencyStats;
  pingMs: LatencyStats;
}

const AGENT_PASSWORD = "bench-agent-password";

/** Pings one at a time, `gapMs` apart, until `until` settles; the round trips in ms. */
async function pingWhile(ws: WebSocket, until: Promise<unknown>, gapMs = 10): Promise<number[]> {
  let done = false;
  until.finally(() => done = true);
  const samples: number[] = [];
  while (!done) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      const onMessage = (e: MessageEvent) => {
        if (!(e.data as string).startsWith('{"type":"pong"')) return;
        ws.removeEventListener("message", onMessage);
        resolve();
      };
      ws.addEventListener("message", onMessage);
      ws.send('{"type":"ping"}');
    });
    samples.push(performance.now() - t0);
    await sleep(gapMs);
  }
  return samples;
}

export async function loginsRun(
  api: ParleyApi,
  wsUrl: string,
  logins: number,
  agents: number,
): Promise<LoginsResult> {
  const guest = await api.guest("Ping watcher");
  const ws = await openParleySocket(wsUrl, guest.token);
  const idle = await pingWhile(ws, sleep(1000));
  const statuses: Record<string, number> = {};
  const t0 = performance.now();
  const burst = Promise.all(Array.from({ length: logins }, async (_, i) => {
    const body = i % 2 === 0
      ? { email: `bench-agent-${(i / 2) % agents}@bench.local`, password: AGENT_PASSWORD }
      : { email: `nobody-${i}@bench.local`, password: "not-the-password" };
    const res = await fetch(new URL("/api/auth/login", api.base), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    await res.body?.cancel();
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
  }));
  const during = await pingWhile(ws, burst);
  await burst;
  const burstMs = Math.round(performance.now() - t0);
  ws.close();
  const result = {
    logins,
    statuses,
    burstMs,
    idlePingMs: latencyStats(idle),
    pingMs: latencyStats(during),
  };
  console.error(
    `  [load] ${logins} logins in ${burstMs} ms ${JSON.stringify(statuses)}; ping p50 ` +
      `${result.pingMs.p50} p99 ${result.pingMs.p99} max ${result.pingMs.max} ms`,
  );
  return result;
}
