/**
 * The browser's paged list (./paged_list.ts) under live frames: a conversation no page brought
 * yet is placed where it sorts if that is within what is loaded, one that leaves the filter goes,
 * an older frame changes nothing, and one that sorts below the loaded rows waits for its page.
 */
import { assertEquals } from "../../tests/assert.ts";
import type { Conversation } from "../contract/types.ts";
import { PagedList } from "./paged_list.ts";

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute)).toISOString();

function conv(id: string, minute: number, mode: Conversation["mode"] = "waiting"): Conversation {
  return {
    id,
    customerId: "c",
    customerName: "C",
    status: "open",
    mode,
    assigneeId: null,
    assigneeName: null,
    createdAt: at(0),
    updatedAt: at(minute),
    lastSeq: 1,
    lastMessage: null,
    waitingSince: null,
    botMisses: 0,
  };
}

const waiting = (c: Conversation) => c.status === "open" && c.mode === "waiting";
const ids = (list: PagedList) => list.items.peek().map((c) => c.id);

Deno.test("paged list: live frames for loaded and not yet loaded conversations", () => {
  const list = new PagedList("mode=waiting", waiting, {
    conversations: [conv("b", 20), conv("a", 30), conv("c", 10)],
    next: "cursor-after-c",
  });
  assertEquals(ids(list), ["a", "b", "c"]);

  // A conversation no page has brought, newer than the last loaded row: placed in order.
  list.apply(conv("d", 15));
  assertEquals(ids(list), ["a", "b", "d", "c"]);
  // One that sorts below everything loaded, with more pages to come: its page brings it.
  list.apply(conv("e", 5));
  assertEquals(ids(list), ["a", "b", "d", "c"]);
  // New activity moves a row to the top; an older frame of it changes nothing.
  list.apply(conv("c", 40));
  list.apply(conv("c", 11));
  assertEquals(ids(list), ["c", "a", "b", "d"]);
  // Leaving the filter removes it; a frame of a conversation outside the filter adds nothing.
  list.apply(conv("a", 41, "human"));
  list.apply(conv("f", 42, "bot"));
  assertEquals(ids(list), ["c", "b", "d"]);

  // Everything loaded (no next page): anything that matches has its place.
  const all = new PagedList("mode=waiting", waiting, {
    conversations: [conv("x", 20)],
    next: null,
  });
  all.apply(conv("y", 1));
  assertEquals(ids(all), ["x", "y"]);
});
