/** The client's address as the server sees it. */

/** The peer's address as Deno.serve reports it (`c.env` is its ServeHandlerInfo). */
export function clientIp(env: unknown): string {
  try {
    const addr = (env as { remoteAddr?: { hostname?: string } } | undefined)?.remoteAddr;
    return addr?.hostname ?? "unknown";
  } catch {
    return "unknown"; // the request is gone (already upgraded)
  }
}
