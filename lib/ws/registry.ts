/**
 * The open sockets of this isolate and the work their frames started, so that graceful shutdown
 * (lib/server/shutdown.ts) can close every socket and wait for the commits in flight.
 */

/** A socket as the registry sees it. */
export interface Closable {
  close(code: number, reason: string): void;
}

export class SocketRegistry {
  #open = new Set<Closable>();
  #inflight = new Set<Promise<unknown>>();

  add(socket: Closable): void {
    this.#open.add(socket);
  }

  delete(socket: Closable): void {
    this.#open.delete(socket);
  }

  get size(): number {
    return this.#open.size;
  }

  /** Keeps track of work a frame started (a commit), so shutdown can wait for it. */
  track<T>(work: Promise<T>): Promise<T> {
    this.#inflight.add(work);
    work.finally(() => this.#inflight.delete(work)).catch(() => {});
    return work;
  }

  /** Resolves when the frames' work in flight has settled. */
  async drain(): Promise<void> {
    while (this.#inflight.size) await Promise.allSettled([...this.#inflight]);
  }

  /** Closes every open socket (graceful shutdown: 1012, "service restart"). */
  closeAll(code: number, reason: string): void {
    for (const s of [...this.#open]) s.close(code, reason);
  }
}
