/**
 * Identities and sessions: guests, customers, agents and admins; bearer tokens (also carried by
 * the HttpOnly `session` cookie: lib/http/cookies.ts). Only a SHA-256 of each token is stored.
 * Signing out publishes `session_revoked`, which closes that session's sockets everywhere.
 * Passwords are hashed by the Worker pool (./hash_pool.ts); sign-ins are throttled per account
 * (./signin_limits.ts).
 */
import { isStaff, publicUser, type UserRecord, type Users } from "../store/users.ts";
import type { Relay } from "../realtime/relay.ts";
import type { Role, User } from "../contract/types.ts";
import { newToken, sha256Hex } from "../ids.ts";
import type { HashPool } from "./hash_pool.ts";
import type { SignInLimits } from "./signin_limits.ts";
import { AppError, unauthorized } from "../errors.ts";
import type { ApiTokens } from "../store/api_tokens.ts";
import type { TokenScope } from "../contract/operations.ts";

export interface Principal {
  user: UserRecord;
  tokenHash: string;
  /** Set when the caller used an API token: what it may do (lib/http/scopes.ts). */
  apiToken?: { id: string; scopes: TokenScope[] };
}

/** API token secrets start with this, so a request needs one lookup, not two. */
export const API_TOKEN_PREFIX = "pat_";

export interface Issued {
  user: User;
  token: string;
}

export interface AuthSettings {
  sessionTtlMs: number;
  /** A guest who starts no conversation is forgotten after this (record and session). */
  guestTtlMs: number;
  /** The default capacity, for agents' public `status` (busy at capacity). */
  agentCapacity: number;
  adminEmail?: string;
  adminPassword?: string;
}

/** Hashing and throttling, shared with the rest of the server (lib/server/services.ts). */
export interface AuthGuards {
  passwords: Pick<HashPool, "reserve" | "hash">;
  limits: Pick<SignInLimits, "attempt" | "succeeded">;
}

export class Auth {
  constructor(
    private users: Users,
    private settings: AuthSettings,
    private relay: Relay,
    private guards: AuthGuards,
    private apiTokens?: Pick<ApiTokens, "byHash">,
  ) {}

  async issue(record: UserRecord, ttlMs = this.settings.sessionTtlMs): Promise<Issued> {
    const token = newToken();
    await this.users.createSession(record.id, await sha256Hex(token), ttlMs);
    return { user: await this.publicUser(record), token };
  }

  async publicUser(record: UserRecord): Promise<User> {
    const state = isStaff(record.role) ? (await this.users.agentState(record.id)).value : null;
    return publicUser(record, state, this.settings.agentCapacity);
  }

  /** The principal behind a token, or null (unknown, expired or revoked). */
  async resolve(token: string | undefined | null): Promise<Principal | null> {
    if (!token || token.length > 200) return null;
    const tokenHash = await sha256Hex(token);
    if (token.startsWith(API_TOKEN_PREFIX) && this.apiTokens) {
      // An API token acts as the admin who made it, within its scopes; read on every request,
      // so a revocation holds at once everywhere.
      const t = await this.apiTokens.byHash(tokenHash, Date.now());
      const user = t ? await this.users.get(t.createdBy) : null;
      if (!t || !user || user.role !== "admin") return null;
      return { user, tokenHash, apiToken: { id: t.id, scopes: t.scopes } };
    }
    const session = await this.users.session(tokenHash);
    if (!session) return null;
    const user = await this.users.get(session.userId);
    return user ? { user, tokenHash } : null;
  }

  /**
   * A guest identity. Until it starts a conversation, the record and its session expire after
   * `guestTtlMs`: a flood of guests that never chat leaves nothing behind for long.
   */
  async guest(name: string | undefined, timeZone?: string): Promise<Issued> {
    const ttl = Math.min(this.settings.guestTtlMs, this.settings.sessionTtlMs);
    const record = await this.users.create(
      { name: name?.trim() || "Guest", role: "guest", ...(timeZone ? { timeZone } : {}) },
      ttl,
    );
    return await this.issue(record, ttl);
  }

  /**
   * The guest started a conversation (which keeps their record for good: lib/store/
   * conversations.ts): their session now lasts as long as anyone's.
   */
  async keepGuest(principal: Principal): Promise<void> {
    if (principal.user.role !== "guest") return;
    await this.users.extendSession(principal.tokenHash, this.settings.sessionTtlMs);
  }

  async register(input: { name: string; email: string; password: string }): Promise<Issued> {
    const record = await this.createAccount({ ...input, role: "customer" });
    return await this.issue(record);
  }

  /** `actorId`: the admin creating it (recorded in the audit log, in the same commit). */
  async createAccount(
    input: { name: string; email: string; password: string; role: Role },
    actorId?: string,
  ): Promise<UserRecord> {
    return await this.users.create(
      {
        name: input.name.trim(),
        email: input.email,
        role: input.role,
        passwordHash: await this.guards.passwords.hash(input.password),
      },
      undefined,
      actorId
        ? {
          actorId,
          action: `${input.role}.created`,
          details: { name: input.name.trim(), email: input.email, role: input.role },
        }
        : undefined,
    );
  }

  /**
   * One message for an unknown email and a wrong password alike, at the same cost; a locked email
   * gets 429 whether it exists or not. The hashing place is reserved first, so a sign-in refused
   * with 503 (pool full) is not counted against the account.
   */
  async login(email: string, password: string): Promise<Issued> {
    const ticket = this.guards.passwords.reserve();
    let record: UserRecord | null;
    try {
      await this.guards.limits.attempt(email);
      record = await this.users.getByEmail(email);
    } catch (err) {
      ticket.release();
      throw err;
    }
    const ok = await ticket.verify(password, record?.passwordHash ?? null);
    if (!record || !record.passwordHash || !ok) throw unauthorized("Wrong email or password.");
    await this.guards.limits.succeeded(email);
    return await this.issue(record);
  }

  async logout(principal: Principal): Promise<void> {
    await this.users.deleteSession(principal.tokenHash);
    await this.relay.publish({ type: "session_revoked", tokenHash: principal.tokenHash });
  }

  /**
   * The first admin: ADMIN_EMAIL + ADMIN_PASSWORD create or update it; with neither and no admin
   * in the store, one is created with a random password, printed once.
   */
  async bootstrapAdmin(log: (line: string) => void): Promise<void> {
    const { adminEmail, adminPassword } = this.settings;
    if (adminEmail && adminPassword) {
      const existing = await this.users.getByEmail(adminEmail);
      if (existing) {
        await this.users.update(existing.id, {
          role: "admin",
          passwordHash: await this.guards.passwords.hash(adminPassword),
        });
      } else {
        await this.createAccount({
          name: "Admin",
          email: adminEmail,
          password: adminPassword,
          role: "admin",
        });
      }
      return;
    }
    const staff = await this.users.listStaff();
    if (staff.some((s) => s.record.role === "admin")) return;
    const password = newToken().slice(0, 20);
    const email = "admin@parley.local";
    try {
      await this.createAccount({ name: "Admin", email, password, role: "admin" });
      log(`Created the first admin: ${email} / ${password} (shown once; change it with ADMIN_*).`);
    } catch (err) {
      // Another worker created it first.
      if (!(err instanceof AppError && err.code === "conflict")) throw err;
    }
  }
}
