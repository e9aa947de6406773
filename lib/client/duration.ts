/** Human-readable durations for the admin's metrics: the two largest units that matter. */

const UNITS: [label: string, ms: number][] = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["min", 60_000],
  ["s", 1_000],
];

/**
 * `null` (no samples) → "—"; under a second → "< 1 s"; otherwise at most two units, largest
 * first, dropping a zero second one: 42_000 → "42 s", 90_000 → "1 min 30 s", 3_600_000 → "1 h",
 * 93_600_000 → "1 d 2 h". Rounds down: a median of 59.9 s is "59 s", never "1 min".
 */
export function formatDuration(ms: number | null): string {
  if (ms === null) return "—";
  if (ms < 1_000) return "< 1 s";
  const first = UNITS.findIndex(([, size]) => ms >= size);
  const [label, size] = UNITS[first];
  const whole = Math.floor(ms / size);
  const next = UNITS[first + 1];
  const rest = next ? Math.floor((ms - whole * size) / next[1]) : 0;
  return rest ? `${whole} ${label} ${rest} ${next[0]}` : `${whole} ${label}`;
}
