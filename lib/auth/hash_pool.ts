/**
 * Password hashing off the main thread: a small pool of Workers (./hash_worker.ts) running
 * argon2id, with a bounded queue. A sign-in first reserves a place (`reserve`); with every Worker
 * busy and the queue full it gets 503 with `Retry-After` at once instead of waiting, so a burst of
 * logins is answered quickly and never stalls the event loop (one hash takes ~90 ms of a core).
 *
 * Workers start on first use and are replaced if one fails or hangs. With `workers: 0` (or where
 * Workers can't start) hashing runs on the main thread, one at a time, with the same queue bound.
 */
import { unavailable } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { HashingSettings } from "../config.ts";
import { dummyHash, hashPassword, verifyPassword } from "./passwords.ts";

/** A job for a hashing Worker; `encoded: null` verifies against a dummy hash (unknown email). */
export type HashRequest =
  | { id: number; op: "hash"; password: string }
  | { id: number; op: "verify"; password: string; encoded: string | null };
export type HashReply =
  | { id: number; ok: true; value: string | boolean }
  | { id: number; ok: false; error: string };

type Job = DistributiveOmit<HashRequest, "id">;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A place in the pool, claimed before the slow part starts; runs one job or is released. */
export interface HashTicket {
  hash(password: string): Promise<string>;
  /** True when `password` matches; `encoded: null` costs the same and is false. */
  verify(password: string, encoded: string | null): Promise<boolean>;
  /** Gives the place back unused (the sign-in was refused before hashing). */
  release(): void;
}

/** A job that takes longer than this is taken as a hung Worker: it is replaced. */
const JOB_TIMEOUT_MS = 30_000;

/** Runs one job at a time. */
interface Executor {
  run(job: Job): Promise<string | boolean>;
  close(): void;
}

class WorkerExecutor implements Executor {
  #worker = new Worker(new URL("./hash_worker.ts", import.meta.url), { type: "module" });
  #pending: { resolve(v: string | boolean): void; reject(e: Error): void } | null = null;
  #ids = 0;
  dead = false;

  constructor(private onDeath: (executor: WorkerExecutor, reason: string) => void) {
    this.#worker.onmessage = (e: MessageEvent<HashReply>) => {
      const pending = this.#pending;
      this.#pending = null;
      if (e.data.ok) pending?.resolve(e.data.value);
      else pending?.reject(new Error(e.data.error));
    };
    this.#worker.onerror = (e) => {
      e.preventDefault();
      this.#die(`worker failed: ${e.message}`);
    };
  }

  run(job: Job): Promise<string | boolean> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.#die("hash timed out"), JOB_TIMEOUT_MS);
      this.#pending = {
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      };
      this.#worker.postMessage({ ...job, id: ++this.#ids } as HashRequest);
    });
  }

  #die(reason: string) {
    if (this.dead) return;
    this.close();
    this.#pending?.reject(new Error(reason));
    this.#pending = null;
    this.onDeath(this, reason);
  }

  close() {
    this.dead = true;
    this.#worker.terminate();
  }
}

/** The main thread itself (HASH_WORKERS=0, or no Workers here). */
class InlineExecutor implements Executor {
  dead = false;
  async run(job: Job): Promise<string | boolean> {
    return job.op === "hash"
      ? await hashPassword(job.password)
      : await verifyPassword(job.password, job.encoded ?? await dummyHash());
  }
  close() {}
}

interface Queued {
  job: Job;
  resolve(v: string | boolean): void;
  reject(e: Error): void;
}

export class HashPool {
  #size: number;
  #inline: boolean;
  #executors: (WorkerExecutor | InlineExecutor)[] = [];
  #idle: (WorkerExecutor | InlineExecutor)[] = [];
  #queue: Queued[] = [];
  #reserved = 0;
  #running = 0;
  #closed = false;

  constructor(private settings: HashingSettings, private log: Logger) {
    this.#inline = settings.workers === 0;
    this.#size = Math.max(1, settings.workers);
  }

  /** Jobs that may be running or waiting at once. */
  get capacity(): number {
    return this.#size + this.settings.queue;
  }

  /** Reserved, waiting and running jobs. */
  get load(): number {
    return this.#reserved + this.#queue.length + this.#running;
  }

  /** Claims a place; throws 503 (`unavailable`, Retry-After) when the pool is full. */
  reserve(): HashTicket {
    if (this.#closed) throw unavailable("The server is shutting down; try again in a moment.");
    if (this.load >= this.capacity) {
      throw unavailable("Too many sign-ins at this moment; try again in a second.", 1);
    }
    this.#reserved++;
    let spent = false;
    const spend = () => {
      if (spent) throw new Error("a hash ticket runs one job");
      spent = true;
      this.#reserved--;
    };
    return {
      hash: (password) => (spend(), this.#submit({ op: "hash", password }) as Promise<string>),
      verify: (password, encoded) => (
        spend(), this.#submit({ op: "verify", password, encoded }) as Promise<boolean>
      ),
      release: () => {
        if (!spent) spend();
      },
    };
  }

  /** Hashes a new password (reserving a place: may throw 503). */
  hash(password: string): Promise<string> {
    return this.reserve().hash(password);
  }

  /** Stops the Workers; jobs still waiting fail. */
  close(): void {
    this.#closed = true;
    for (const e of this.#executors) e.close();
    this.#executors = [];
    this.#idle = [];
    for (const q of this.#queue.splice(0)) q.reject(new Error("hash pool closed"));
  }

  #submit(job: Job): Promise<string | boolean> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ job, resolve, reject });
      this.#pump();
    });
  }

  #pump() {
    while (this.#queue.length > 0 && !this.#closed) {
      const executor = this.#idle.pop() ??
        (this.#executors.length < this.#size ? this.#spawn() : null);
      if (!executor) return;
      const { job, resolve, reject } = this.#queue.shift()!;
      this.#running++;
      const done = () => {
        this.#running--;
        if (!executor.dead && !this.#closed) this.#idle.push(executor);
        queueMicrotask(() => this.#pump());
      };
      executor.run(job).then((value) => {
        done();
        resolve(value);
      }, (err: Error) => {
        done();
        this.log.error("password hashing failed", { err: err.message });
        reject(unavailable("Signing in failed on our side; try again in a second.", 1));
      });
    }
  }

  #spawn(): WorkerExecutor | InlineExecutor {
    let executor: WorkerExecutor | InlineExecutor;
    if (this.#inline) executor = new InlineExecutor();
    else {
      try {
        executor = new WorkerExecutor((dead, reason) => {
          this.log.warn("hashing worker replaced", { reason });
          this.#executors = this.#executors.filter((e) => e !== dead);
          this.#idle = this.#idle.filter((e) => e !== dead);
        });
      } catch (err) {
        this.log.warn("no hashing workers here; hashing on the main thread", { err: String(err) });
        this.#inline = true;
        this.#size = 1;
        executor = new InlineExecutor();
      }
    }
    this.#executors.push(executor);
    return executor;
  }
}
