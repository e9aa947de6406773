/**
 * The allowed origins: ALLOWED_ORIGINS plus the sites an admin added on /admin (the widget's
 * setting). They count the same everywhere: the WebSocket upgrade's origin check, the CSRF check of
 * cookie-authenticated requests, CORS of /api/widget/*, and the widget panel's frame-ancestors.
 * Read through the settings cache, so an added site is allowed on every instance within its TTL.
 */
import type { Settings } from "../store/settings.ts";
import { WIDGET_SETTINGS } from "./settings.ts";

export class AllowedOrigins {
  constructor(private fixed: readonly string[], private settings: Settings) {}

  /** Every allowed origin: the configured ones first, then the admin's. */
  readonly list = async (): Promise<string[]> => {
    const added = (await this.settings.value(WIDGET_SETTINGS)).allowedOrigins;
    return [...new Set([...this.fixed, ...added])];
  };

  /** Whether `origin` (an Origin header's value) is allowed. */
  async has(origin: string | null | undefined): Promise<boolean> {
    return !!origin && (await this.list()).includes(origin);
  }
}
