/**
 * The admin page's "Business hours" card: on or off, the time zone, each weekday's hours and the
 * holidays, read and saved through /api/settings/business_hours (validated on the server: an
 * unknown zone or overlapping hours is a 400 naming the field, shown here as it is). A save names
 * the revision it was based on, so two admins don't overwrite each other.
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { api, ApiError } from "../lib/client/api.ts";
import type { BusinessHours, Interval, Weekday } from "../lib/contract/business_hours.ts";

interface Entry {
  value: BusinessHours;
  revision: number;
}

const DAYS: [Weekday, string][] = [
  ["mon", "Monday"],
  ["tue", "Tuesday"],
  ["wed", "Wednesday"],
  ["thu", "Thursday"],
  ["fri", "Friday"],
  ["sat", "Saturday"],
  ["sun", "Sunday"],
];

export function BusinessHoursForm() {
  const entry = useSignal<Entry | null>(null);
  const zones = useSignal<string[]>([]);
  const failure = useSignal<string | null>(null);
  const notice = useSignal<string | null>(null);
  const busy = useSignal(false);

  useEffect(() => {
    zones.value = typeof Intl.supportedValuesOf === "function"
      ? Intl.supportedValuesOf("timeZone")
      : [];
    api<Entry>("GET", "/api/settings/business_hours")
      .then((e) => entry.value = e)
      .catch((e) => failure.value = e instanceof ApiError ? e.message : "Could not load.");
  }, []);

  const current = entry.value;
  if (!current) {
    return failure.value ? <p role="alert" class="form-error">{failure.value}</p> : <p>Loading…</p>;
  }
  const v = current.value;
  const update = (next: Partial<BusinessHours>) => {
    notice.value = null;
    entry.value = { ...current, value: { ...v, ...next } };
  };
  const setDay = (day: Weekday, hours: Interval[]) =>
    update({ weekly: { ...v.weekly, [day]: hours } });

  const save = async (event: Event) => {
    event.preventDefault();
    busy.value = true;
    failure.value = null;
    notice.value = null;
    try {
      entry.value = await api<Entry>("PUT", "/api/settings/business_hours", {
        value: v,
        revision: current.revision,
      });
      notice.value = "Saved.";
    } catch (e) {
      failure.value = e instanceof ApiError ? e.message : "Could not save.";
    } finally {
      busy.value = false;
    }
  };

  return (
    <form class="business-hours" aria-label="Business hours" onSubmit={save}>
      <label class="check">
        <input
          type="checkbox"
          checked={v.enabled}
          onChange={(e) => update({ enabled: e.currentTarget.checked })}
        />{" "}
        Use business hours (outside them, the bot says when the team is back and asks for an email)
      </label>
      <label>
        Time zone
        <input
          type="text"
          list="bh-zones"
          value={v.timeZone}
          onInput={(e) => update({ timeZone: e.currentTarget.value.trim() })}
        />
      </label>
      <datalist id="bh-zones">
        {zones.value.map((z) => <option key={z} value={z} />)}
      </datalist>
      {DAYS.map(([day, label]) => (
        <fieldset key={day} class="bh-day">
          <legend>{label}</legend>
          {v.weekly[day].length === 0 && <span class="muted">Closed</span>}
          {v.weekly[day].map((interval, i) => (
            <span class="bh-interval" key={i}>
              <input
                type="time"
                aria-label={`${label} from (${i + 1})`}
                value={interval.from}
                onInput={(e) =>
                  setDay(
                    day,
                    v.weekly[day].map((x, j) =>
                      j === i ? { ...x, from: e.currentTarget.value } : x
                    ),
                  )}
              />
              –
              <input
                type="time"
                aria-label={`${label} to (${i + 1})`}
                value={interval.to}
                onInput={(e) =>
                  setDay(
                    day,
                    v.weekly[day].map((x, j) => j === i ? { ...x, to: e.currentTarget.value } : x),
                  )}
              />
              <button
                type="button"
                class="secondary small"
                aria-label={`Remove ${label} hours (${i + 1})`}
                onClick={() => setDay(day, v.weekly[day].filter((_, j) => j !== i))}
              >
                Remove
              </button>
            </span>
          ))}
          <button
            type="button"
            class="secondary small"
            aria-label={`Add ${label} hours`}
            onClick={() => setDay(day, [...v.weekly[day], { from: "09:00", to: "17:00" }])}
          >
            Add hours
          </button>
        </fieldset>
      ))}
      <fieldset class="bh-holidays">
        <legend>Holidays</legend>
        {v.holidays.map((h, i) => (
          <span class="bh-interval" key={i}>
            <input
              type="date"
              aria-label={`Holiday ${i + 1} date`}
              value={h.date}
              onInput={(e) =>
                update({
                  holidays: v.holidays.map((x, j) =>
                    j === i ? { ...x, date: e.currentTarget.value } : x
                  ),
                })}
            />
            <input
              type="text"
              aria-label={`Holiday ${i + 1} name`}
              maxLength={80}
              value={h.name}
              onInput={(e) =>
                update({
                  holidays: v.holidays.map((x, j) =>
                    j === i ? { ...x, name: e.currentTarget.value } : x
                  ),
                })}
            />
            <button
              type="button"
              class="secondary small"
              aria-label={`Remove holiday ${i + 1}`}
              onClick={() => update({ holidays: v.holidays.filter((_, j) => j !== i) })}
            >
              Remove
            </button>
          </span>
        ))}
        <button
          type="button"
          class="secondary small"
          onClick={() => update({ holidays: [...v.holidays, { date: "", name: "" }] })}
        >
          Add holiday
        </button>
      </fieldset>
      <button type="submit" class="primary" disabled={busy.value}>Save business hours</button>
      {failure.value && <p role="alert" class="form-error">{failure.value}</p>}
      {notice.value && <p role="status">{notice.value}</p>}
    </form>
  );
}
