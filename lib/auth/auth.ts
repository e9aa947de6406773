/**
 * Identities and sessions: guests, customers, agents and admins; bearer tokens (also carried by
 * the HttpOnly `session` cookie). Only a SHA-256 of each token is stored.
 */
import type { Config } from "../config.ts";
import type { Store } from "../store/mod.ts";
import { isStaff, publicUser, type UserRecord } from "../store/users.ts";
import type { Relay } from "../realtime/relay.ts";
import type { Role, User } from "../contract/types.ts";
import { newToken, sha256Hex } from "../ids.ts";
import { dummyHash, hashPassword, verifyPassword } from "./passwords.ts";
import { AppError, unauthorized } from "../errors.ts";

export interface Principal {
  user: UserRecord;
  tokenHash: string;
}

export interface Issued {
  user: User;
  token: string;
}

export const SESSION_COOKIE = "session";

export class Auth {
  constructor(private store: Store, private config: Config, private relay: Relay) {}

  async issue(record: UserRecord): Promise<Issued> {
    const token = newToken();
    await this.store.users.createSession(
      record.id,
      await sha256Hex(token),
      this.config.sessionTtlMs,
    );
    return { user: await this.publicUser(record), token };
  }

  async publicUser(record: UserRecord): Promise<User> {
    const state = isStaff(record.role)
      ? (await this.store.users.agentState(record.id)).value
      : null;
    return publicUser(record, state, this.config.agentCapacity);
  }

  /** The principal behind a token, or null (unknown, expired or revoked). */
  async resolve(token: string | undefined | null): Promise<Principal | null> {
    if (!token || token.length > 200) return null;
    const tokenHash = await sha256Hex(token);
    const session = await this.store.users.session(tokenHash);
    if (!session) return null;
    const user = await this.store.users.get(session.userId);
    return user ? { user, tokenHash } : null;
  }

  async guest(name: string | undefined): Promise<Issued> {
    const record = await this.store.users.create({ name: name?.trim() || "Guest", role: "guest" });
    return await this.issue(record);
  }

  async register(input: { name: string; email: string; password: string }): Promise<Issued> {
    const record = await this.createAccount({ ...input, role: "customer" });
    return await this.issue(record);
  }

  async createAccount(
    input: { name: string; email: string; password: string; role: Role },
  ): Promise<UserRecord> {
    return await this.store.users.create({
      name: input.name.trim(),
      email: input.email,
      role: input.role,
      passwordHash: await hashPassword(input.password),
    });
  }

  /** One message for an unknown email and a wrong password alike, at the same cost. */
  async login(email: string, password: string): Promise<Issued> {
    const record = await this.store.users.getByEmail(email);
    const ok = await verifyPassword(password, record?.passwordHash ?? await dummyHash());
    if (!record || !record.passwordHash || !ok) throw unauthorized("Wrong email or password.");
    return await this.issue(record);
  }

  async logout(principal: Principal): Promise<void> {
    await this.store.users.deleteSession(principal.tokenHash);
    await this.relay.publish({ type: "session_revoked", tokenHash: principal.tokenHash });
  }

  /**
   * The first admin: ADMIN_EMAIL + ADMIN_PASSWORD create or update it; with neither and no admin
   * in the store, one is created with a random password, printed once.
   */
  async bootstrapAdmin(log: (line: string) => void): Promise<void> {
    const { adminEmail, adminPassword } = this.config;
    if (adminEmail && adminPassword) {
      const existing = await this.store.users.getByEmail(adminEmail);
      if (existing) {
        await this.store.users.update(existing.id, {
          role: "admin",
          passwordHash: await hashPassword(adminPassword),
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
    const staff = await this.store.users.listStaff();
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

/** The bearer token of a request: the Authorization header first, then the session cookie. */
export function requestToken(headers: Headers, cookie: string | undefined): string | null {
  const auth = headers.get("authorization");
  if (auth?.toLowerCase().startsWith("bearer ")) return auth.slice(7).trim();
  return cookie ?? null;
}

/** Origin rules for cookie-authenticated requests and socket upgrades. */
export function originAllowed(origin: string | null, host: string | null, allowed: string[]) {
  if (!origin) return true; // not a browser: cookies don't ride along on their own
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
