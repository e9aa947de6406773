/**
 * Labels on conversations (PUT /api/conversations/:id/labels, agents and admins) and the team's
 * label list with colours (the run-time setting "labels", stored by lib/store/settings.ts). A
 * label change is one checked commit of the conversation that also moves its ["by_label", …]
 * entries and label counters (lib/store/lists.ts `reindex`), so `?label=` lists and counts follow
 * at once on every instance; it is published like any state change (no system message).
 */
import type { Store } from "../store/mod.ts";
import { defineSetting } from "../store/settings.ts";
import { isStaff, type UserRecord } from "../store/users.ts";
import type { Publisher } from "../realtime/publisher.ts";
import type { Conversation } from "../contract/types.ts";
import { type LabelSettings, labelSettingsSchema } from "../contract/labels.ts";
import { forbidden } from "../errors.ts";

export const LABEL_SETTINGS = defineSetting("labels", labelSettingsSchema, { labels: [] });

export class ConversationLabels {
  constructor(private store: Store, private publisher: Publisher) {}

  /** Replaces the conversation's labels (already validated, trimmed and distinct). */
  async set(user: UserRecord, id: string, labels: string[]): Promise<Conversation> {
    if (!isStaff(user.role)) throw forbidden("Only agents and admins label conversations.");
    const same = (a: readonly string[], b: readonly string[]) =>
      a.length === b.length && a.every((l, i) => l === b[i]);
    const result = (await this.store.conversations.change(
      id,
      (c) => same(c.labels ?? [], labels) ? null : { next: { ...c, labels } },
    ))!;
    this.publisher.changed(result);
    return result.conversation;
  }

  /** The team's labels and colours (agents' consoles show them). */
  async palette(): Promise<LabelSettings> {
    return (await this.store.settings.get(LABEL_SETTINGS)).value;
  }
}
