/** Small measuring tools shared by the benchmark's processes: /proc readings and percentiles. */

/** Resident memory of a process, in bytes (VmRSS in /proc/<pid>/status). */
export function rssBytes(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = Number(status.match(/^VmRSS:\s+(\d+)\s+kB/m)?.[1] ?? NaN);
  return kb * 1024;
}

const CLOCK_TICKS_PER_S = 100;

/**
 * CPU time a process has used so far (user + system), in milliseconds; NaN where /proc can't be
 * read (Deno allows /proc/<pid> only with --allow-all: a test run naming its permissions).
 */
export function cpuMs(pid: number | "self"): number {
  let stat: string;
  try {
    stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch (err) {
    if (err instanceof Deno.errors.NotCapable || err instanceof Deno.errors.PermissionDenied) {
      return NaN;
    }
    throw err;
  }
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
  return (ticks * 1000) / CLOCK_TICKS_PER_S;
}

export interface LatencyStats {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** Percentiles (nearest rank) of samples in milliseconds, rounded to microseconds. */
export function latencyStats(samples: Float64Array | number[]): LatencyStats {
  const sorted = Float64Array.from(samples).sort();
  const n = sorted.length;
  if (n === 0) return { count: 0, p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN };
  const at = (q: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))];
  let sum = 0;
  for (const x of sorted) sum += x;
  return {
    count: n,
    p50: round(at(0.5)),
    p90: round(at(0.9)),
    p99: round(at(0.99)),
    max: round(sorted[n - 1]),
    mean: round(sum / n),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
