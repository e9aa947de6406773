/**
 * The audit log: admin actions under ["audit", ulid] (./keys.ts), each written in the same commit
 * as the action it records (`addAudit(op, entry)`), read newest first in pages.
 *
 * Other features call `addAudit` inside their own commit, e.g. a GDPR export or erasure:
 *
 * ```ts
 * const op = kv.atomic().delete(keys.user(id));
 * addAudit(op, { actorId: admin.id, action: "customer.deleted", target: id, details: {} });
 * await op.commit();
 * ```
 */
import { ulidFactory } from "../ids.ts";
import { keys } from "./keys.ts";

export interface AuditInput {
  actorId: string;
  /** What was done, `noun.verb`: "agent.created", "webhook.deleted", "setting.changed", … */
  action: string;
  /** What it was done to (an id or a name). */
  target: string;
  details: Record<string, unknown>;
  /** When; default now. */
  at?: number;
}

export interface AuditEntry {
  id: string;
  at: string;
  actorId: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
}

const nextUlid = ulidFactory();

/** Adds an audit entry to a commit (one mutation). */
export function addAudit(op: Deno.AtomicOperation, input: AuditInput): Deno.AtomicOperation {
  const ms = input.at ?? Date.now();
  const id = nextUlid(ms);
  const entry: AuditEntry = {
    id,
    at: new Date(ms).toISOString(),
    actorId: input.actorId,
    action: input.action,
    target: input.target,
    details: input.details,
  };
  return op.set(keys.audit(id), entry);
}

export class AuditLog {
  constructor(private kv: Deno.Kv) {}

  /** Records an action on its own (when the action's commit is not ours to extend). */
  async record(input: AuditInput): Promise<void> {
    await addAudit(this.kv.atomic(), input).commit();
  }

  /** A page, newest first; `before` is the last page's `next` (the id of its last entry). */
  async page(
    limit: number,
    before?: string,
  ): Promise<{ entries: AuditEntry[]; next: string | null }> {
    const entries: AuditEntry[] = [];
    const selector = before
      ? { prefix: keys.auditPrefix(), end: keys.audit(before) }
      : { prefix: keys.auditPrefix() };
    const iter = this.kv.list<AuditEntry>(selector, { reverse: true, limit });
    for await (const e of iter) entries.push(e.value);
    return { entries, next: entries.length === limit ? entries[limit - 1].id : null };
  }
}
