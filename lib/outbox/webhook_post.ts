/**
 * One webhook attempt: the guarded URL (./ssrf.ts), the signed headers, `redirect: "manual"` (a
 * redirect is a failure, never followed), a timeout covering name resolution and the response
 * headers. Any 2xx is success; the response body is not read.
 */
import { guardUrl, OutboundRefused } from "./ssrf.ts";
import { signatureOf } from "./signing.ts";
import type { WebhookDelivery, WebhookRecord } from "../store/deliveries.ts";

export interface AttemptResult {
  ok: boolean;
  /** Not worth retrying (the URL is refused). */
  permanent: boolean;
  httpStatus: number | null;
  error: string | null;
}

export interface PostOptions {
  allowPrivate: boolean;
  timeoutMs: number;
  now: () => number;
  resolve?: (host: string) => Promise<string[]>;
}

export async function postWebhook(
  hook: WebhookRecord,
  d: WebhookDelivery,
  opts: PostOptions,
): Promise<AttemptResult> {
  const signal = AbortSignal.timeout(opts.timeoutMs);
  try {
    const url = await guardUrl(hook.url, {
      allowPrivate: opts.allowPrivate,
      resolve: opts.resolve,
      signal,
    });
    const timestamp = String(Math.floor(opts.now() / 1000));
    const res = await fetch(url, {
      method: "POST",
      redirect: "manual",
      signal,
      headers: {
        "content-type": "application/json",
        "user-agent": "Parley-Webhooks/1",
        "x-parley-event": d.event,
        "x-parley-delivery": d.id,
        "x-parley-timestamp": timestamp,
        "x-parley-signature": await signatureOf(hook.secret, timestamp, d.body),
      },
      body: d.body,
    });
    await res.body?.cancel().catch(() => {});
    if (res.status >= 200 && res.status < 300) {
      return { ok: true, permanent: false, httpStatus: res.status, error: null };
    }
    const error = res.status >= 300 && res.status < 400
      ? `redirect (${res.status}) refused: webhooks follow no redirects`
      : `HTTP ${res.status}`;
    return { ok: false, permanent: false, httpStatus: res.status, error };
  } catch (err) {
    if (err instanceof OutboundRefused) {
      return { ok: false, permanent: true, httpStatus: null, error: err.message };
    }
    const timedOut = signal.aborted;
    return {
      ok: false,
      permanent: false,
      httpStatus: null,
      error: timedOut ? `no answer within ${opts.timeoutMs} ms` : String(err).slice(0, 200),
    };
  }
}
