/** Time, injected so that tests control it (`Clock.now()` in milliseconds since the epoch). */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** The clock's time as an ISO-8601 string. */
export const isoNow = (clock: Clock): string => new Date(clock.now()).toISOString();
