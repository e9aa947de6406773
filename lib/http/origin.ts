/** Origin rules for cookie-authenticated requests and WebSocket upgrades (CSRF, CSWSH). */

/** True when a request from `origin` may use this host's cookies: same host or allowed. */
export function originAllowed(
  origin: string | null,
  host: string | null,
  allowed: readonly string[],
) {
  if (!origin) return true; // not a browser: cookies don't ride along on their own
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
