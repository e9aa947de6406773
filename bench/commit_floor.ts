/**
 * The KV commit floor of the machine's disk: what one durable commit per message costs where the
 * benchmark keeps Parley's KV file, without Parley. Deno KV's SQLite commits are durable (one
 * fsync of the write-ahead log per commit), so at a paced rate where every message is its own
 * commit, the disk's fsync latency and SQLite's one writer thread set a floor under Parley's
 * delivery latency that no change to Parley's code moves. `deno task bench` runs this before the
 * servers and prints it beside their figures.
 *
 * Each commit has the shape of a one-message group commit (./../lib/store/group_commit.ts): a
 * checked conversation record (~1 KiB), the message, its list entry moved (a delete and a set), a
 * search-pending entry, a feed entry with an expiry, an outbox record and a signal sum, over
 * 1,000 conversations. Commits are started on a 1 ms timer at `rate` per second, each without
 * waiting for the one before (as sockets send), for `seconds`.
 *
 *   deno run -A bench/commit_floor.ts [DIR] [RATE] [SECONDS]
 */
import { cpuMs, type LatencyStats, latencyStats } from "./proc.ts";

export interface CommitFloor {
  dir: string;
  /** The filesystem DIR is on, from /proc/mounts (e.g. "ext4 on /dev/vda", "tmpfs"). */
  medium: string;
  rate: number;
  commits: number;
  /** Commits whose check failed (a conversation's previous commit still in flight): 0 normally. */
  failed: number;
  latencyMs: LatencyStats;
  /** This process's CPU (JavaScript and SQLite's writer thread) per commit, in microseconds. */
  cpuUsPerCommit: number;
}

/**
 * The filesystem that holds `dir`: the longest mount point of `mounts` (/proc/mounts' text; read
 * when not given, "unknown" where it can't be: not Linux, or no --allow-all) that contains it.
 */
export function mediumOf(dir: string, mounts = readMounts()): string {
  let best = { point: "", type: "unknown", source: "" };
  for (const line of mounts.split("\n")) {
    const [source, point, type] = line.split(" ");
    if (!point || !type) continue;
    const inside = dir === point || dir.startsWith(point.endsWith("/") ? point : point + "/");
    if (inside && point.length >= best.point.length) best = { point, type, source };
  }
  return best.source.startsWith("/") ? `${best.type} on ${best.source}` : best.type;
}

function readMounts(): string {
  try {
    return Deno.readTextFileSync("/proc/mounts");
  } catch {
    return "";
  }
}

/** `dir`: where to probe (default: the system's temporary folder, as Deno.makeTempDir's). */
export async function commitFloor(dir?: string, rate = 1000, seconds = 3): Promise<CommitFloor> {
  const work = await Deno.realPath(
    await Deno.makeTempDir({ dir, prefix: "parley-commit-floor-" }),
  );
  const real = work.slice(0, work.lastIndexOf("/")) || "/";
  const kv = await Deno.openKv(`${work}/floor.sqlite`);
  try {
    const conversations = 1000;
    const record = (i: number) => ({ id: `c${i}`, text: "x".repeat(900), n: i });
    const versions = new Map<number, string>();
    const activity = new Map<number, string>();
    for (let i = 0; i < conversations; i += 100) {
      const op = kv.atomic();
      for (let j = i; j < i + 100; j++) {
        op.set(["conversation", `c${j}`], record(j));
        activity.set(j, `0${j}`);
        op.set(["by_state", "open", activity.get(j)!, `c${j}`], null);
      }
      const res = await op.commit();
      if (!res.ok) throw new Error("seeding the commit floor's store failed");
      for (let j = i; j < i + 100; j++) versions.set(j, res.versionstamp);
    }
    const total = Math.round(rate * seconds);
    const samples = new Float64Array(total);
    let done = 0, failed = 0;
    const cpu0 = cpuMs("self");
    const t0 = performance.now();
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const c = i % conversations, at = performance.now(), key = `${1e9 + i}`;
      const moved = `${Date.now()}.${key}`;
      kv.atomic()
        .check({ key: ["conversation", `c${c}`], versionstamp: versions.get(c)! })
        .set(["conversation", `c${c}`], record(i))
        .delete(["by_state", "open", activity.get(c)!, `c${c}`])
        .set(["by_state", "open", moved, `c${c}`], null)
        .set(["message", `c${c}`, i], { id: key, text: "Hello, my order has not arrived yet." })
        .set(["search_pending", key], { c: `c${c}`, s: i })
        .set(["feed", key], { conversationIds: [`c${c}`] }, { expireIn: 60_000 })
        .set(["outbox", key], { items: [{ event: "message.created", c: `c${c}`, s: i }] })
        .sum(["signal", i % 8], 1n)
        .commit().then((res) => {
          samples[done++] = performance.now() - at;
          if (res.ok) versions.set(c, res.versionstamp);
          else failed++;
        });
      activity.set(c, moved);
    }
    while (done < total) await new Promise((r) => setTimeout(r, 5));
    const cpu = cpuMs("self") - cpu0;
    return {
      dir: real,
      medium: mediumOf(real),
      rate,
      commits: total,
      failed,
      latencyMs: latencyStats(samples),
      cpuUsPerCommit: Math.round((cpu * 1000) / total),
    };
  } finally {
    kv.close();
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  const [dir = Deno.env.get("TMPDIR") ?? "/tmp", rate = "1000", seconds = "3"] = Deno.args;
  console.log(JSON.stringify(await commitFloor(dir, Number(rate), Number(seconds))));
}
