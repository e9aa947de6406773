/**
 * Run-time settings: what an admin changes on /admin without a redeploy (the website widget's
 * appearance and allowed sites, and whatever later features declare). Typed, validated, versioned,
 * and cached per instance.
 *
 * - A setting is declared once with `defineSetting(name, schema, defaults)`: its zod schema is the
 *   only way in and out. Writes are validated (a bad value is a 400 naming the fields); values read
 *   from KV are parsed again, so a record written under an older schema still reads as long as new
 *   fields have defaults in the schema — and one that can't be read any more falls back to the
 *   defaults (reported once through `onInvalid`) instead of breaking a page.
 * - Each setting is one KV entry, ["settings", name] (./keys.ts), holding `{value, revision,
 *   updatedAt, updatedBy}`. `revision` counts the writes (0: never written, the defaults). A write
 *   may name the revision it was based on; if another write came first it fails with 409, so two
 *   admins don't overwrite each other unknowingly. Every write is a checked commit.
 * - Reads are cached per instance for `ttlMs` (default 2 s), then re-read from KV (concurrent
 *   readers share one read). A write updates this instance's cache at once; other instances see it
 *   within `ttlMs`. That is the whole cross-instance story: no watch, no feed, nothing to start or
 *   stop, and correct with any number of instances.
 */
import type { z } from "zod";
import { keys } from "./keys.ts";
import { addAudit, type AuditInput } from "./audit.ts";
import type { Clock } from "../clock.ts";
import { badRequest, conflict } from "../errors.ts";
import { describeIssues } from "../contract/schemas.ts";

/** A declared setting: its KV name, its schema and the value it has until an admin sets it. */
export interface SettingDefinition<T> {
  readonly name: string;
  readonly schema: z.ZodType<T>;
  readonly defaults: T;
}

/** A setting as stored: the value and its version. */
export interface SettingEntry<T> {
  value: T;
  /** Writes so far; 0 = never written (the defaults). */
  revision: number;
  updatedAt: string | null;
  /** The user id of whoever wrote it last. */
  updatedBy: string | null;
}

/** Declares a setting. `defaults` must pass `schema` (checked here, at start-up). */
export function defineSetting<T>(
  name: string,
  schema: z.ZodType<T>,
  defaults: T,
): SettingDefinition<T> {
  if (!/^[a-z][a-z0-9_]{0,40}$/.test(name)) throw new Error(`Bad setting name "${name}"`);
  const checked = schema.safeParse(defaults);
  if (!checked.success) throw new Error(`The defaults of setting "${name}" don't pass its schema`);
  return { name, schema, defaults: checked.data };
}

export interface SettingsOptions {
  clock: Clock;
  /** How long a value read from KV is used before it is read again (ms). */
  ttlMs?: number;
  /** A stored value that no longer passes its schema (the defaults are used instead). */
  onInvalid?(name: string, problem: string): void;
}

interface Cached {
  entry: SettingEntry<unknown>;
  /** When it was read (clock ms). */
  at: number;
}

export const DEFAULT_SETTINGS_TTL_MS = 2_000;

export class Settings {
  #cache = new Map<string, Cached>();
  #loading = new Map<string, Promise<SettingEntry<unknown>>>();
  #reported = new Set<string>();
  readonly #ttlMs: number;

  constructor(private kv: Deno.Kv, private options: SettingsOptions) {
    this.#ttlMs = options.ttlMs ?? DEFAULT_SETTINGS_TTL_MS;
  }

  /** The setting with its version: from this instance's cache while fresh, else from KV. */
  async get<T>(def: SettingDefinition<T>): Promise<SettingEntry<T>> {
    const cached = this.#cache.get(def.name);
    if (cached && this.options.clock.now() - cached.at < this.#ttlMs) {
      return cached.entry as SettingEntry<T>;
    }
    let loading = this.#loading.get(def.name);
    if (!loading) {
      loading = this.#load(def).finally(() => this.#loading.delete(def.name));
      this.#loading.set(def.name, loading);
    }
    return await loading as SettingEntry<T>;
  }

  /** Just the value. */
  async value<T>(def: SettingDefinition<T>): Promise<T> {
    return (await this.get(def)).value;
  }

  /**
   * Validates `value` with the setting's schema (400 naming the fields) and stores it as the next
   * revision. With `revision`, the write only happens if the stored revision is still that one
   * (else 409). Returns what was stored.
   */
  async set<T>(
    def: SettingDefinition<T>,
    value: unknown,
    { revision, by = null, audit }: {
      revision?: number;
      by?: string | null;
      /** Recorded in the same commit (./audit.ts). */
      audit?: AuditInput;
    } = {},
  ): Promise<SettingEntry<T>> {
    const parsed = def.schema.safeParse(value);
    if (!parsed.success) throw badRequest(describeIssues(parsed.error, "value"));
    const key = keys.setting(def.name);
    for (;;) {
      const current = await this.kv.get<SettingEntry<unknown>>(key);
      const stored = current.value?.revision ?? 0;
      if (revision !== undefined && revision !== stored) {
        throw conflict(
          `The ${def.name} settings changed meanwhile (revision ${stored}, not ${revision}); ` +
            "reload them and apply your change again.",
        );
      }
      const entry: SettingEntry<T> = {
        value: parsed.data,
        revision: stored + 1,
        updatedAt: new Date(this.options.clock.now()).toISOString(),
        updatedBy: by,
      };
      const op = this.kv.atomic().check(current).set(key, entry);
      if (audit) addAudit(op, audit);
      const result = await op.commit();
      if (result.ok) {
        this.#cache.set(def.name, { entry, at: this.options.clock.now() });
        return entry;
      }
    }
  }

  async #load<T>(def: SettingDefinition<T>): Promise<SettingEntry<T>> {
    const stored = (await this.kv.get<SettingEntry<unknown>>(keys.setting(def.name))).value;
    let entry: SettingEntry<T> = {
      value: def.defaults,
      revision: stored?.revision ?? 0,
      updatedAt: stored?.updatedAt ?? null,
      updatedBy: stored?.updatedBy ?? null,
    };
    if (stored) {
      const parsed = def.schema.safeParse(stored.value);
      if (parsed.success) entry = { ...entry, value: parsed.data };
      else if (!this.#reported.has(`${def.name}@${stored.revision}`)) {
        this.#reported.add(`${def.name}@${stored.revision}`);
        this.options.onInvalid?.(def.name, describeIssues(parsed.error));
      }
    }
    this.#cache.set(def.name, { entry, at: this.options.clock.now() });
    return entry;
  }
}
