/**
 * The browser's conversation model (lib/client/conversation.ts) under Deno, with a real ChatSocket
 * against a real server.
 */
import { effect } from "@preact/signals";
import { within } from "./wait.ts";
import { assertEquals } from "./assert.ts";
import { startTestServer } from "./helpers.ts";
import { ChatSocket } from "../lib/client/chat_socket.ts";
import { ConversationModel } from "../lib/client/conversation.ts";

/** Resolves once `test` holds for the model's messages. */
function messagesWhere(model: ConversationModel, test: (seqs: number[]) => boolean) {
  return within(
    new Promise<void>((resolve) => {
      let dispose: (() => void) | undefined = undefined;
      dispose = effect(() => {
        if (!test(model.messages.value.map((m) => m.seq))) return;
        resolve();
        queueMicrotask(() => dispose?.());
      });
    }),
    "the model's messages",
  );
}

Deno.test("a send acknowledged before the model attaches doesn't hide what came before it", async () => {
  const server = await startTestServer();
  const guest = await server.api.guest();
  const conversation = await server.api.start(guest); // the bot's greeting is seq 1
  const socket = new ChatSocket({ url: server.wsUrl, token: guest.token });
  try {
    // As on the page: the model starts empty, and Preact attaches it a frame later (its
    // useSignalEffect re-runs are deferred), by which time the first send may be acknowledged.
    const model = new ConversationModel(() => socket, conversation, [], () => guest.user.id);
    model.send("Hello");
    await messagesWhere(model, (seqs) => seqs.includes(2));
    const detach = model.attach();
    // The bot's answer (seq 3) comes after the greeting in the subscription's replay.
    await messagesWhere(model, (seqs) => seqs.includes(3));
    assertEquals(model.messages.peek().map((m) => m.seq), [1, 2, 3]);
    assertEquals(model.pending.peek(), []);
    detach();
  } finally {
    socket.close();
    await server.shutdown();
  }
});
