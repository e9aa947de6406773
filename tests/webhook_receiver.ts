/**
 * A real HTTP webhook receiver for tests: records every request (headers, raw body, whether its
 * signature verifies), and answers as `respond` says — a status, a redirect, HTML, or never.
 * It also notes when a delivery id arrives while an earlier request with that id is still open
 * (two senders at once).
 */
import { signatureOf } from "../lib/outbox/signing.ts";

export interface Received {
  id: string;
  event: string;
  timestamp: string;
  signature: string;
  body: string;
  // deno-lint-ignore no-explicit-any
  json: any;
  remotePort: number;
  at: number;
}

export type Answer = Response | "hang";

export class Receiver {
  readonly received: Received[] = [];
  /** Delivery ids that arrived while another request with the same id was open. */
  readonly overlaps: string[] = [];
  readonly #open = new Map<string, number>();
  readonly #server: Deno.HttpServer;
  readonly #hung: (() => void)[] = [];
  readonly url: string;

  constructor(public respond: (r: Received, n: number) => Answer = () => new Response("ok")) {
    this.#server = Deno.serve(
      { port: 0, hostname: "127.0.0.1", onListen: () => {} },
      (req, info) => this.#handle(req, (info.remoteAddr as Deno.NetAddr).port),
    );
    this.url = `http://127.0.0.1:${(this.#server.addr as Deno.NetAddr).port}/hook`;
  }

  async #handle(req: Request, remotePort: number): Promise<Response> {
    const body = await req.text();
    const r: Received = {
      id: req.headers.get("x-parley-delivery") ?? "",
      event: req.headers.get("x-parley-event") ?? "",
      timestamp: req.headers.get("x-parley-timestamp") ?? "",
      signature: req.headers.get("x-parley-signature") ?? "",
      body,
      json: JSON.parse(body),
      remotePort,
      at: Date.now(),
    };
    if ((this.#open.get(r.id) ?? 0) > 0) this.overlaps.push(r.id);
    this.#open.set(r.id, (this.#open.get(r.id) ?? 0) + 1);
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      this.#open.set(r.id, this.#open.get(r.id)! - 1);
    };
    req.signal.addEventListener("abort", close);
    this.received.push(r);
    const answer = this.respond(r, this.received.length);
    if (answer === "hang") {
      // Held until the sender gives up (its connection closes) or the test ends.
      await new Promise<void>((resolve) => {
        this.#hung.push(resolve);
        req.signal.addEventListener("abort", () => resolve());
      });
      close();
      return new Response("late", { status: 200 });
    }
    close();
    return answer;
  }

  /**
   * The sender of the held requests with this id is known to be dead (the test killed it): they
   * no longer count as open. (A server hears of a vanished client only when it writes.)
   */
  senderDied(id: string): void {
    this.#open.set(id, 0);
    for (const release of this.#hung.splice(0)) release();
  }

  async verify(r: Received, secret: string): Promise<boolean> {
    return r.signature === await signatureOf(secret, r.timestamp, r.body);
  }

  ids(): Set<string> {
    return new Set(this.received.map((r) => r.id));
  }

  async close(): Promise<void> {
    for (const release of this.#hung) release();
    await this.#server.shutdown();
  }
}
