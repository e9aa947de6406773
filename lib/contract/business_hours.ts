/**
 * Business hours, as admins set them on /admin (the run-time setting `business_hours`, PUT
 * /api/settings/business_hours): on or off, a time zone (an IANA name that Intl knows), the hours
 * of each weekday (intervals that must not overlap) and holidays (whole days, in that zone).
 * Shared by the server (validation, lib/assignment/business_hours.ts) and the editor island.
 */
import { z } from "zod";

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, "must be a time, HH:MM");

/** Minutes since midnight of "HH:MM". */
export const minutesOf = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

export const intervalSchema = z.strictObject({ from: hhmm, to: hhmm }).refine(
  (i) => minutesOf(i.from) < minutesOf(i.to),
  { message: "must end after it starts", path: ["to"] },
);
export type Interval = z.infer<typeof intervalSchema>;

const dayHours = z.array(intervalSchema).max(6).superRefine((list, ctx) => {
  const sorted = list.map((i, n) => ({ ...i, n })).sort((a, b) =>
    minutesOf(a.from) - minutesOf(b.from)
  );
  for (let k = 1; k < sorted.length; k++) {
    if (minutesOf(sorted[k].from) < minutesOf(sorted[k - 1].to)) {
      ctx.addIssue({
        code: "custom",
        path: [sorted[k].n],
        message: `overlaps ${sorted[k - 1].from}–${sorted[k - 1].to}`,
      });
    }
  }
});

/** Whether Intl knows the time zone (the same check the server's conversions rely on). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return zone.length > 0 && zone.length <= 64;
  } catch {
    return false;
  }
}

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date, YYYY-MM-DD");

export const businessHoursSchema = z.strictObject({
  enabled: z.boolean().default(false),
  timeZone: z.string().default("UTC").refine(
    isTimeZone,
    "must be a time zone Intl knows, such as Europe/Paris",
  ),
  weekly: z.strictObject({
    mon: dayHours.default([]),
    tue: dayHours.default([]),
    wed: dayHours.default([]),
    thu: dayHours.default([]),
    fri: dayHours.default([]),
    sat: dayHours.default([]),
    sun: dayHours.default([]),
  }).default({ mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] }),
  holidays: z.array(z.strictObject({ date: day, name: z.string().trim().max(80).default("") }))
    .max(200).default([]),
});
export type BusinessHours = z.infer<typeof businessHoursSchema>;

const NINE_TO_FIVE = [{ from: "09:00", to: "17:00" }];
export const DEFAULT_BUSINESS_HOURS: BusinessHours = {
  enabled: false,
  timeZone: "UTC",
  weekly: {
    mon: NINE_TO_FIVE,
    tue: NINE_TO_FIVE,
    wed: NINE_TO_FIVE,
    thu: NINE_TO_FIVE,
    fri: NINE_TO_FIVE,
    sat: [],
    sun: [],
  },
  holidays: [],
};

/** What the widget and the chat are told (GET /api/widget/availability). */
export interface HoursStatus {
  /** Within business hours now (always true when they are off). */
  open: boolean;
  /** When the team is next in (ISO), while closed; null when open or never. */
  reopensAt: string | null;
  /** "Monday at 09:00 (Europe/Paris)": the same, for people. */
  reopensText: string | null;
}
