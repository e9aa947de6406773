import { assertEquals } from "../../../tests/assert.ts";
import type { Conversation, Message } from "../../contract/types.ts";
import type { ChatSocket, ConversationHandlers } from "../chat_socket.ts";
import { UnreadTracker } from "./unread.ts";

const conversation = (id: string, lastSeq: number, status = "open") =>
  ({ id, lastSeq, status, updatedAt: "" }) as Conversation;
const message = (conversationId: string, seq: number, sender: Message["sender"]) =>
  ({ conversationId, seq, sender, authorName: sender, text: "hi", createdAt: "" }) as Message;

/** A socket that records subscriptions and lets the test deliver frames. */
function fakeSocket() {
  const subs = new Map<string, { handlers: ConversationHandlers; after: number }>();
  const socket = {
    subscribe(id: string, handlers: ConversationHandlers, after = 0) {
      subs.set(id, { handlers, after });
      return () => subs.delete(id);
    },
  } as unknown as ChatSocket;
  return { socket, subs };
}

Deno.test("unread: server counts, then new agent and bot messages, each reported once", () => {
  const reported: Message[] = [];
  const tracker = new UnreadTracker((m) => reported.push(m), () => "me");
  const { socket, subs } = fakeSocket();
  const list = [conversation("a", 4), conversation("b", 2), conversation("c", 9, "resolved")];
  tracker.load(list.map((c) => ({ ...c, unread: c.id === "a" ? 1 : 3 })));
  assertEquals(tracker.counts.value, { a: 1, b: 3, c: 0 });
  tracker.watch(socket, list, "a", () => {});
  assertEquals([...subs.keys()], ["b"], "only open conversations not on screen");
  assertEquals(subs.get("b")!.after, 2);

  subs.get("b")!.handlers.message!(message("b", 3, "agent"));
  subs.get("b")!.handlers.message!(message("b", 3, "agent")); // the same again
  subs.get("b")!.handlers.message!(message("b", 4, "customer"));
  assertEquals(tracker.counts.value.b, 4);
  assertEquals(reported.map((m) => m.seq), [3]);

  tracker.known("a", 4);
  tracker.arrived("a", message("a", 4, "bot"), false); // history: not new
  tracker.arrived("a", message("a", 5, "bot"), true); // seen on screen: reported, not counted
  assertEquals([tracker.counts.value.a, reported.length], [1, 2]);

  // This visitor's other tab read b up to 3: not everything, so the count stays; then up to 4.
  subs.get("b")!.handlers.read!({ type: "read", conversationId: "b", userId: "me", seq: 3 });
  assertEquals(tracker.counts.value.b, 4);
  subs.get("b")!.handlers.read!({ type: "read", conversationId: "b", userId: "me", seq: 4 });
  assertEquals(tracker.counts.value.b, 0);

  tracker.watch(socket, list, "b", () => {}); // b on screen now: its watcher goes, a gets one
  assertEquals([...subs.keys()], ["a"]);
  tracker.reset();
  assertEquals([subs.size, tracker.counts.value], [0, {}]);
});
