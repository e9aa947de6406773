/** Users, sessions and agents' state in Deno KV (key shapes in ./keys.ts). */
import { keys } from "./keys.ts";
import { addAudit, type AuditInput } from "./audit.ts";
import type { AgentStatus, Role, User } from "../contract/types.ts";
import type { Clock } from "../clock.ts";
import { conflict, notFound } from "../errors.ts";
import { addAgents } from "./feed.ts";
import { AGENT_SIGNAL_SHARD, type CommitObserver, commitSignalled } from "./signals.ts";
import { getManyBatched } from "./batch.ts";

export interface UserRecord {
  id: string;
  name: string;
  email?: string;
  role: Role;
  createdAt: string;
  passwordHash?: string;
  /** The website's own id of a customer the widget verified (./visitors.ts). */
  externalId?: string;
  /** The browser's time zone at guest creation (validated: lib/contract/schemas.ts). */
  timeZone?: string;
  /**
   * Guests only, until they start a conversation: when the record (and its session) expire.
   * KV's `expireIn` removes them some time after; reads treat them as gone from this moment on.
   */
  expiresAt?: string;
}

/** The record as it is kept for good (a guest who started a conversation): no expiry. */
export function kept(record: UserRecord): UserRecord {
  if (record.expiresAt === undefined) return record;
  const { expiresAt: _, ...rest } = record;
  return rest;
}

/** An agent's (or admin's) live state. `load` counts open human conversations assigned to them. */
export interface AgentState {
  status: AgentStatus;
  load: number;
  /** Per-agent capacity override; null = the configured default. */
  capacity: number | null;
  /** Last time a conversation was assigned to them (ties in routing go to the longest idle). */
  lastAssignedAt: string | null;
}

/** An agent as committed: `version` is the versionstamp of their ["agent_state", id] entry. */
export interface AgentSnapshot {
  record: UserRecord;
  state: AgentState;
  version: string;
}

export interface SessionRecord {
  userId: string;
  createdAt: string;
  expiresAt: string;
}

export const isStaff = (role: Role) => role === "agent" || role === "admin";

/**
 * The contract's User. For staff, `status` is effective: "busy" while an agent who chose
 * "available" is at capacity (needs `defaultCapacity`); `chosenStatus` keeps their own choice.
 */
export function publicUser(
  record: UserRecord,
  state?: AgentState | null,
  defaultCapacity?: number,
): User {
  const user: User = {
    id: record.id,
    name: record.name,
    role: record.role,
    createdAt: record.createdAt,
  };
  if (record.email) user.email = record.email;
  if (record.externalId) user.externalId = record.externalId;
  if (record.timeZone) user.timeZone = record.timeZone;
  if (isStaff(record.role)) {
    user.status = state?.status ?? "offline";
    user.activeConversations = state?.load ?? 0;
    const capacity = state?.capacity ?? defaultCapacity;
    if (capacity !== undefined) {
      user.chosenStatus = user.status;
      user.capacity = capacity;
      user.atCapacity = user.activeConversations >= capacity;
      if (user.atCapacity && user.status === "available") user.status = "busy";
    }
  }
  return user;
}

export const initialAgentState = (): AgentState => ({
  status: "offline",
  load: 0,
  capacity: null,
  lastAssignedAt: null,
});

export class Users {
  /** `onCommit` is told of state commits, which bump a signal key (./signals.ts). */
  constructor(
    private kv: Deno.Kv,
    private clock: Clock,
    private newId: () => string,
    private onCommit?: CommitObserver,
  ) {}

  async get(id: string): Promise<UserRecord | null> {
    const record = (await this.kv.get<UserRecord>(keys.user(id))).value;
    return record && !this.expired(record) ? record : null;
  }

  /** The record with its versionstamp, expired or not (erasure checks it: ./erase.ts). */
  async getEntry(id: string): Promise<Deno.KvEntry<UserRecord> | null> {
    const entry = await this.kv.get<UserRecord>(keys.user(id));
    return entry.value ? entry as Deno.KvEntry<UserRecord> : null;
  }

  /** A guest past its `expiresAt` counts as gone, whether or not KV has removed it yet. */
  expired(record: UserRecord): boolean {
    return record.expiresAt !== undefined && Date.parse(record.expiresAt) <= this.clock.now();
  }

  async getByEmail(email: string): Promise<UserRecord | null> {
    const idx = await this.kv.get<string>(keys.userByEmail(email.toLowerCase()));
    return idx.value ? await this.get(idx.value) : null;
  }

  /**
   * Creates a user; an email already taken → conflict. Record and unique index in one commit.
   * `expireIn` (guests): the record expires unless a conversation keeps it (see `kept`).
   */
  async create(
    input: Omit<UserRecord, "id" | "createdAt" | "expiresAt">,
    expireIn?: number,
    audit?: Omit<AuditInput, "target">,
  ): Promise<UserRecord> {
    const now = this.clock.now();
    const record: UserRecord = {
      ...input,
      email: input.email?.toLowerCase(),
      id: this.newId(),
      createdAt: new Date(now).toISOString(),
    };
    if (expireIn !== undefined) record.expiresAt = new Date(now + expireIn).toISOString();
    const op = this.kv.atomic().check({ key: keys.user(record.id), versionstamp: null })
      .set(keys.user(record.id), record, expireIn === undefined ? undefined : { expireIn });
    if (record.email) {
      op.check({ key: keys.userByEmail(record.email), versionstamp: null })
        .set(keys.userByEmail(record.email), record.id);
    }
    if (isStaff(record.role)) {
      op.set(keys.staff(record.id), null).set(keys.agentState(record.id), initialAgentState());
    }
    if (audit) addAudit(op, { ...audit, target: record.id });
    const res = await op.commit();
    if (!res.ok) throw conflict("An account with that email already exists.");
    return record;
  }

  /** Updates name, role or password of an existing user (the first-admin bootstrap uses it). */
  async update(id: string, patch: Partial<Pick<UserRecord, "name" | "role" | "passwordHash">>) {
    for (;;) {
      const entry = await this.kv.get<UserRecord>(keys.user(id));
      if (!entry.value) throw notFound("User");
      const next = { ...entry.value, ...patch };
      const op = this.kv.atomic().check(entry).set(keys.user(id), next);
      if (isStaff(next.role)) {
        op.set(keys.staff(id), null);
        const state = await this.kv.get<AgentState>(keys.agentState(id));
        if (!state.value) op.check(state).set(keys.agentState(id), initialAgentState());
      }
      if ((await op.commit()).ok) return next;
    }
  }

  /** Agents and admins, with their state. */
  async listStaff(): Promise<{ record: UserRecord; state: AgentState }[]> {
    const ids: string[] = [];
    for await (const e of this.kv.list({ prefix: keys.staffPrefix() })) ids.push(String(e.key[1]));
    return (await this.#withStates(ids)).map(({ record, state }) => ({
      record,
      state: state.value ?? initialAgentState(),
    }));
  }

  /** Each known user with their agent-state entry, in one batched read. */
  async #withStates(
    ids: string[],
  ): Promise<{ record: UserRecord; state: Deno.KvEntryMaybe<AgentState> }[]> {
    const entries = await getManyBatched<UserRecord | AgentState>(
      this.kv,
      ids.flatMap((id) => [keys.user(id), keys.agentState(id)]),
    );
    const out: { record: UserRecord; state: Deno.KvEntryMaybe<AgentState> }[] = [];
    for (let j = 0; j < ids.length; j++) {
      const record = entries[2 * j].value as UserRecord | null;
      const state = entries[2 * j + 1] as Deno.KvEntryMaybe<AgentState>;
      if (record) out.push({ record, state });
    }
    return out;
  }

  async agentState(id: string): Promise<Deno.KvEntryMaybe<AgentState>> {
    return await this.kv.get<AgentState>(keys.agentState(id));
  }

  /** Staff records with their current state and its versionstamp (unknown ids are skipped). */
  async snapshots(ids: string[]): Promise<AgentSnapshot[]> {
    const out: AgentSnapshot[] = [];
    for (const { record, state } of await this.#withStates(ids)) {
      if (isStaff(record.role) && state.value && state.versionstamp) {
        out.push({ record, state: state.value, version: state.versionstamp });
      }
    }
    return out;
  }

  /**
   * Replaces the state read as `entry` with `next` if it is unchanged (a checked commit), with a
   * feed entry that tells other instances (lib/realtime/feed.ts). Returns false when `entry` was stale.
   */
  async replaceState(
    id: string,
    entry: Deno.KvEntryMaybe<AgentState>,
    next: AgentState,
    audit?: AuditInput,
  ): Promise<boolean> {
    const op = this.kv.atomic().check(entry).set(keys.agentState(id), next);
    if (audit) addAudit(op, audit);
    addAgents(op, [id]);
    return (await commitSignalled(op, [AGENT_SIGNAL_SHARD], this.onCommit)).ok;
  }

  /** Sets an agent's status and/or capacity override (null = the default). */
  async updateState(
    id: string,
    patch: Partial<Pick<AgentState, "status" | "capacity">>,
    audit?: AuditInput,
  ): Promise<AgentState> {
    for (;;) {
      const entry = await this.agentState(id);
      const next = { ...(entry.value ?? initialAgentState()), ...patch };
      if (await this.replaceState(id, entry, next, audit)) return next;
    }
  }

  async createSession(userId: string, tokenHash: string, ttlMs: number): Promise<SessionRecord> {
    const now = this.clock.now();
    const session: SessionRecord = {
      userId,
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + ttlMs).toISOString(),
    };
    await this.kv.set(keys.session(tokenHash), session, { expireIn: ttlMs });
    return session;
  }

  /** The live session for a token hash; expired sessions count as absent. */
  async session(tokenHash: string): Promise<SessionRecord | null> {
    const s = (await this.kv.get<SessionRecord>(keys.session(tokenHash))).value;
    if (!s || Date.parse(s.expiresAt) <= this.clock.now()) return null;
    return s;
  }

  /**
   * Gives a live session `ttlMs` from now, if that is longer than it has (a guest who started a
   * conversation gets a full session). A session gone meanwhile stays gone.
   */
  async extendSession(tokenHash: string, ttlMs: number): Promise<void> {
    const entry = await this.kv.get<SessionRecord>(keys.session(tokenHash));
    const now = this.clock.now();
    const session = entry.value;
    if (!session || Date.parse(session.expiresAt) >= now + ttlMs) return;
    if (Date.parse(session.expiresAt) <= now) return;
    const next = { ...session, expiresAt: new Date(now + ttlMs).toISOString() };
    await this.kv.atomic().check(entry).set(keys.session(tokenHash), next, { expireIn: ttlMs })
      .commit(); // a failed check: signed out or extended meanwhile; either way nothing to do
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.kv.delete(keys.session(tokenHash));
  }

  /** Which of these token hashes no longer have a live session (signed out or expired). */
  async deadSessions(tokenHashes: string[]): Promise<string[]> {
    const entries = await getManyBatched<SessionRecord>(
      this.kv,
      tokenHashes.map((h) => keys.session(h)),
    );
    const now = this.clock.now();
    return tokenHashes.filter((_, i) => {
      const s = entries[i].value;
      return !s || Date.parse(s.expiresAt) <= now;
    });
  }
}
