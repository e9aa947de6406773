import { assertEquals } from "../../tests/assert.ts";
import {
  isOpen,
  localDate,
  nextOpening,
  reopensText,
  withinHours,
  zonedInstant,
} from "./business_hours.ts";
import { type BusinessHours, businessHoursSchema } from "../contract/business_hours.ts";

const paris: BusinessHours = businessHoursSchema.parse({
  enabled: true,
  timeZone: "Europe/Paris",
  weekly: {
    mon: [{ from: "09:00", to: "12:00" }, { from: "13:00", to: "17:00" }],
    tue: [{ from: "09:00", to: "17:00" }],
    fri: [{ from: "09:00", to: "17:00" }],
  },
  holidays: [{ date: "2026-12-25", name: "Christmas" }],
});
const at = (iso: string) => Date.parse(iso);

Deno.test("business hours: local time through DST, breaks and holidays", () => {
  // Paris is UTC+1 in winter, UTC+2 in summer (DST ended 2026-10-25).
  assertEquals(zonedInstant("2026-12-21", 9 * 60, "Europe/Paris"), at("2026-12-21T08:00:00Z"));
  assertEquals(zonedInstant("2026-07-06", 9 * 60, "Europe/Paris"), at("2026-07-06T07:00:00Z"));
  assertEquals(localDate(at("2026-12-21T23:30:00Z"), "Europe/Paris"), "2026-12-22");
  assertEquals(isOpen(paris, at("2026-12-21T08:30:00Z")), true); // Mon 09:30
  assertEquals(isOpen(paris, at("2026-12-21T11:30:00Z")), false); // Mon 12:30, lunch
  assertEquals(isOpen(paris, at("2026-12-23T10:00:00Z")), false); // Wednesday: closed
  assertEquals(isOpen(paris, at("2026-12-25T10:00:00Z")), false); // Friday, Christmas
  assertEquals(isOpen({ ...paris, enabled: false }, at("2026-12-25T10:00:00Z")), true);
  // From Christmas Eve evening (Thu): Friday is a holiday, so Monday 09:00.
  const next = nextOpening(paris, at("2026-12-24T18:00:00Z"))!;
  assertEquals(new Date(next).toISOString(), "2026-12-28T08:00:00.000Z");
  assertEquals(
    reopensText(paris, next, at("2026-12-24T18:00:00Z")),
    "Monday at 09:00 (Europe/Paris)",
  );
  assertEquals(
    reopensText(paris, at("2026-12-22T08:00:00Z"), at("2026-12-21T17:00:00Z")),
    "tomorrow at 09:00 (Europe/Paris)",
  );
  // Monday 11:00 → Tuesday 10:00 (Paris): 1 h + 4 h on Monday, 1 h on Tuesday.
  assertEquals(
    withinHours(paris, at("2026-12-21T10:00:00Z"), at("2026-12-22T09:00:00Z")),
    6 * 3600_000,
  );
  assertEquals(withinHours(paris, at("2026-12-23T10:00:00Z"), at("2026-12-23T12:00:00Z")), 0);
});

Deno.test("business hours: overlaps and unknown zones are refused, naming the field", () => {
  const bad = businessHoursSchema.safeParse({
    timeZone: "Mars/Olympus",
    weekly: { mon: [{ from: "09:00", to: "12:00" }, { from: "11:00", to: "13:00" }] },
  });
  assertEquals(bad.success, false);
  const paths = bad.error!.issues.map((i) => i.path.join("."));
  assertEquals(paths.sort(), ["timeZone", "weekly.mon.1"]);
  assertEquals(
    businessHoursSchema.safeParse({ weekly: { tue: [{ from: "10:00", to: "09:00" }] } }).success,
    false,
  );
});
