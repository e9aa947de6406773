/**
 * Business hours in time (the setting is in ../contract/business_hours.ts): whether the team is in
 * now, when it is next in, and how much of a span fell within hours — in the admin's time zone,
 * holidays included, daylight-saving changes included (conversions through Intl).
 *
 * `BusinessCalendar` holds the current setting for code that must answer synchronously (the
 * store measures durations for the reports inside its commits: `measure`); `BusinessHoursService`
 * reads the setting (cached 2 s by ../store/settings.ts) and keeps the calendar current.
 */
import {
  type BusinessHours,
  businessHoursSchema,
  DEFAULT_BUSINESS_HOURS,
  type HoursStatus,
  minutesOf,
  WEEKDAYS,
} from "../contract/business_hours.ts";
import { defineSetting, type Settings } from "../store/settings.ts";
import type { Measure } from "../store/report_counters.ts";
import type { Clock } from "../clock.ts";

export const BUSINESS_HOURS = defineSetting(
  "business_hours",
  businessHoursSchema,
  DEFAULT_BUSINESS_HOURS,
);

const DAY_MS = 864e5;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string) {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The wall-clock time in `zone` at `ms`, read as if it were UTC (ms). */
function wallAsUtc(ms: number, zone: string): number {
  const p: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(new Date(ms))) {
    if (part.type !== "literal") p[part.type] = Number(part.value);
  }
  return Date.UTC(p.year, p.month - 1, p.day, p.hour % 24, p.minute, p.second);
}

/** The local date in `zone` at `ms`, YYYY-MM-DD. */
export const localDate = (ms: number, zone: string) =>
  new Date(wallAsUtc(ms, zone)).toISOString().slice(0, 10);

/** The instant when the clocks in `zone` show `minutes` past midnight on `date`. */
export function zonedInstant(date: string, minutes: number, zone: string): number {
  const wall = Date.parse(`${date}T00:00:00Z`) + minutes * 60_000;
  let t = wall - (wallAsUtc(wall, zone) - wall);
  t = wall - (wallAsUtc(t, zone) - t);
  return t;
}

const addDays = (date: string, n: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
const weekdayOf = (date: string) => WEEKDAYS[(new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7];

/** The open spans [start, end) of a local date, as instants. */
function spansOn(h: BusinessHours, date: string): [number, number][] {
  if (h.holidays.some((d) => d.date === date)) return [];
  return h.weekly[weekdayOf(date)].map((i) => [
    zonedInstant(date, minutesOf(i.from), h.timeZone),
    zonedInstant(date, minutesOf(i.to), h.timeZone),
  ]);
}

export function isOpen(h: BusinessHours, ms: number): boolean {
  if (!h.enabled) return true;
  const date = localDate(ms, h.timeZone);
  return [addDays(date, -1), date].some((d) => spansOn(h, d).some(([s, e]) => s <= ms && ms < e));
}

/** When the team is next in, from `ms` (`ms` itself when open); null if not within 366 days. */
export function nextOpening(h: BusinessHours, ms: number): number | null {
  if (isOpen(h, ms)) return ms;
  const date = localDate(ms, h.timeZone);
  for (let n = 0; n <= 366; n++) {
    const starts = spansOn(h, addDays(date, n)).map(([s]) => s).filter((s) => s > ms);
    if (starts.length) return Math.min(...starts);
  }
  return null;
}

/** The part of [from, to) within business hours (ms); all of it when hours are off. */
export function withinHours(h: BusinessHours, from: number, to: number): number {
  if (!h.enabled) return Math.max(0, to - from);
  if (to <= from) return 0;
  let total = 0;
  const first = addDays(localDate(from, h.timeZone), -1);
  const days = Math.min(400, Math.ceil((to - from) / DAY_MS) + 2);
  for (let n = 0; n <= days; n++) {
    for (const [s, e] of spansOn(h, addDays(first, n))) {
      total += Math.max(0, Math.min(e, to) - Math.max(s, from));
    }
  }
  return total;
}

/** "today at 09:00", "Monday at 09:00" or "Monday 5 January at 09:00", and the zone. */
export function reopensText(h: BusinessHours, at: number, now: number): string {
  const zone = h.timeZone;
  const time = new Intl.DateTimeFormat("en-GB", {
    timeZone: zone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(at);
  const days = (Date.parse(localDate(at, zone)) - Date.parse(localDate(now, zone))) / DAY_MS;
  const weekday = new Intl.DateTimeFormat("en-GB", { timeZone: zone, weekday: "long" }).format(at);
  const day = days === 0
    ? "today"
    : days === 1
    ? "tomorrow"
    : days < 7
    ? weekday
    : new Intl.DateTimeFormat("en-GB", {
      timeZone: zone,
      weekday: "long",
      day: "numeric",
      month: "long",
    }).format(at);
  return `${day} at ${time} (${zone})`;
}

/** The current setting, for synchronous readers (the store's report durations). */
export class BusinessCalendar {
  current: BusinessHours = DEFAULT_BUSINESS_HOURS;
  /** Time between two ISO instants that counts for the reports: within hours when they are on. */
  readonly measure: Measure = (from, to) =>
    withinHours(this.current, Date.parse(from), Date.parse(to));
}

export class BusinessHoursService {
  constructor(
    private settings: Settings,
    private calendar: BusinessCalendar,
    private clock: Clock,
  ) {}

  /** Reads the setting (cached briefly) and keeps the calendar current. */
  async hours(): Promise<BusinessHours> {
    const h = await this.settings.value(BUSINESS_HOURS);
    this.calendar.current = h;
    return h;
  }

  async status(): Promise<HoursStatus> {
    const h = await this.hours();
    const now = this.clock.now();
    if (isOpen(h, now)) return { open: true, reopensAt: null, reopensText: null };
    const next = nextOpening(h, now);
    return {
      open: false,
      reopensAt: next === null ? null : new Date(next).toISOString(),
      reopensText: next === null ? null : reopensText(h, next, now),
    };
  }
}
