/**
 * Identity verification for the website widget (`Parley("identify", {userId, userHash, …})`), the
 * pattern Intercom and Chatwoot use: the website's server computes `userHash` = hex
 * HMAC-SHA256(WIDGET_SECRET, userId), and Parley recomputes it and compares in constant time. A
 * verified identify makes the visitor the customer tied to that `externalId` (created on first
 * sight), so the same person has the same history on every device. The guest the visitor was
 * until then hands over their conversations, as a sign-in does (lib/auth/claim.ts).
 */
import type { Auth, Principal } from "../auth/auth.ts";
import type { Visitors } from "../store/visitors.ts";
import type { UserRecord } from "../store/users.ts";
import type { Conversation, User } from "../contract/types.ts";
import type { IdentifyBody } from "../contract/widget.ts";
import { forbidden, unauthorized } from "../errors.ts";

const encoder = new TextEncoder();

async function hmac(secret: string, userId: string): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(userId)));
}

/** The `userHash` a website sends for `userId`: hex HMAC-SHA256(secret, userId). */
export async function userHashFor(secret: string, userId: string): Promise<string> {
  return Array.from(await hmac(secret, userId), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Whether `userHash` (hex, any case) is the HMAC of `userId`. The comparison takes the same time
 * whichever byte differs: every byte is looked at, and differences are OR-ed together.
 */
export async function verifyUserHash(
  secret: string,
  userId: string,
  userHash: string,
): Promise<boolean> {
  const expected = await hmac(secret, userId);
  if (!/^[0-9a-fA-F]{64}$/.test(userHash)) return false;
  let difference = 0;
  for (let i = 0; i < expected.length; i++) {
    difference |= expected[i] ^ parseInt(userHash.slice(2 * i, 2 * i + 2), 16);
  }
  return difference === 0;
}

export interface IdentityDeps {
  /** WIDGET_SECRET; null: identify is off. */
  secret: string | null;
  visitors: Visitors;
  auth: Pick<Auth, "issue" | "publicUser" | "logout">;
  /** Moves a guest session's conversations to `customer` and ends that session. */
  claim(customer: UserRecord, guest: Principal): Promise<Conversation[]>;
}

export interface Identified {
  user: User;
  /** The session to use from now on (the caller's own when it already was this customer). */
  token: string;
  /** Conversations taken over from the guest the visitor was. */
  claimed: number;
}

export class WidgetIdentity {
  constructor(private deps: IdentityDeps) {}

  get enabled(): boolean {
    return this.deps.secret !== null;
  }

  /**
   * Verifies `body` and signs the visitor in as the customer it names. `current` is the session
   * the widget held (a guest, or an earlier identify), with its token.
   */
  async identify(
    body: IdentifyBody,
    current: { principal: Principal; token: string } | null,
  ): Promise<Identified> {
    const { secret, visitors, auth } = this.deps;
    if (secret === null) {
      throw forbidden(
        "identify is off on this Parley server: set WIDGET_SECRET to turn it on (docs/widget.md).",
      );
    }
    if (!(await verifyUserHash(secret, body.userId, body.userHash))) {
      throw unauthorized(
        "userHash does not match userId: compute it on your server as hex HMAC-SHA256 of userId " +
          "with WIDGET_SECRET (docs/widget.md). The visitor stays a guest.",
      );
    }
    const before = current?.principal.user;
    const guest = before?.role === "guest" ? before : null;
    const record = await visitors.identify(
      body.userId,
      guest && guest.name !== "Guest" ? guest.name : "Customer",
      {
        name: body.name,
        email: body.email ?? guest?.email,
        timeZone: body.timeZone ?? guest?.timeZone,
      },
    );
    if (current && before?.id === record.id) {
      return { user: await auth.publicUser(record), token: current.token, claimed: 0 };
    }
    let claimed = 0;
    if (current && guest) claimed = (await this.deps.claim(record, current.principal)).length;
    else if (current && before?.externalId) await auth.logout(current.principal); // someone else
    const issued = await auth.issue(record);
    return { user: issued.user, token: issued.token, claimed };
  }
}
