/**
 * `@Name` mentions in private notes: each colleague (agent or admin) whose name follows an `@` in
 * a note gets a `mention` frame on their console's sockets, on every instance (the relay carries
 * it; the feed takes it to other instances: lib/realtime/feed.ts). Names are matched whole and
 * without regard to case ("@ann lee" mentions Ann Lee; "@Annie" does not mention Ann); the writer
 * is never told of their own mention.
 */
import type { Relay } from "../realtime/relay.ts";
import type { UserRecord, Users } from "../store/users.ts";
import type { Message } from "../contract/types.ts";

/** The ids of the staff named after an `@` in `text` (longest names first, so "Ann Lee" wins). */
export function mentioned(text: string, staff: { id: string; name: string }[]): string[] {
  let lower = text.toLowerCase();
  const out: string[] = [];
  for (const s of [...staff].sort((a, b) => b.name.length - a.name.length)) {
    const needle = `@${s.name.toLowerCase()}`;
    let at = lower.indexOf(needle);
    while (at >= 0) {
      const after = lower.slice(at + needle.length, at + needle.length + 1);
      if (!/[\p{L}\p{N}_]/u.test(after)) {
        out.push(s.id);
        // Taken by this (longer) name: "@ann lee" is not also "@ann".
        lower = lower.slice(0, at) + " ".repeat(needle.length) + lower.slice(at + needle.length);
        break;
      }
      at = lower.indexOf(needle, at + 1);
    }
  }
  return out;
}

export class Mentions {
  constructor(private users: Pick<Users, "listStaff">, private relay: Relay) {}

  /** Tells each colleague the note mentions (the note is committed already). */
  async notify(author: UserRecord, note: Message): Promise<string[]> {
    if (!note.text.includes("@")) return [];
    const staff = (await this.users.listStaff()).map(({ record }) => record);
    const ids = mentioned(note.text, staff).filter((id) => id !== author.id);
    await Promise.all(ids.map((userId) =>
      this.relay.publish({
        type: "mention",
        userId,
        conversationId: note.conversationId,
        seq: note.seq,
        byName: author.name,
        text: note.text.slice(0, 200),
      })
    ));
    return ids;
  }
}
