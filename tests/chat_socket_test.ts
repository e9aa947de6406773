/**
 * The browser's socket client (lib/client/chat_socket.ts), run under Deno against a real server
 * that is stopped and started again on the same port and KV file: it reconnects, resubscribes with
 * `after`, re-sends the unacknowledged send with its clientId, and delivers every message once.
 */
import { effect } from "@preact/signals";
import { within } from "./wait.ts";
import { assert, assertEquals } from "./assert.ts";
import { startTestServer, type TestServer } from "./helpers.ts";
import { ChatSocket, type ConnectionState } from "../lib/client/chat_socket.ts";
import type { Message } from "../lib/contract/types.ts";

/** Resolves when `socket.state` becomes `state`. */
function stateIs(socket: ChatSocket, state: ConnectionState): Promise<void> {
  return new Promise((resolve) => {
    let dispose: (() => void) | undefined = undefined;
    dispose = effect(() => {
      if (socket.state.value !== state) return;
      resolve();
      queueMicrotask(() => dispose?.());
    });
  });
}

class Inbox {
  messages: Message[] = [];
  #waiters: (() => void)[] = [];
  push = (m: Message) => {
    this.messages.push(m);
    for (const w of this.#waiters.splice(0)) w();
  };
  async until(test: (ms: Message[]) => boolean, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!test(this.messages)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; have seqs ${this.messages.map((m) => m.seq)}`);
      await within(new Promise<void>((r) => this.#waiters.push(r)), "a message", left);
    }
  }
}

Deno.test("ChatSocket survives a server restart without losing or repeating a message", async () => {
  const dir = await Deno.makeTempDir();
  const env = { KV_PATH: `${dir}/kv.sqlite` };
  let server: TestServer = await startTestServer(env);
  let socket: ChatSocket | undefined;
  try {
    const guest = await server.api.guest("Sam");
    const conversation = await server.api.start(guest);
    socket = new ChatSocket({
      url: server.wsUrl,
      token: guest.token,
      minDelayMs: 20,
      maxDelayMs: 200,
      random: () => 0.5,
    });
    const inbox = new Inbox();
    socket.subscribe(conversation.id, { message: inbox.push });
    await inbox.until((ms) => ms.length === 1);
    const first = await socket.send(conversation.id, "hello", "c1");
    assertEquals(first.seq, 2);
    await inbox.until((ms) => ms.some((m) => m.sender === "bot" && m.seq > 2));

    await server.shutdown();
    await stateIs(socket, "offline");
    const pending = socket.send(conversation.id, "sent while down", "c2");
    server = await startTestServer({ ...env, PORT: String(server.port) });
    const second = await pending;
    assertEquals(second.text, "sent while down");
    await inbox.until((ms) => ms.some((m) => m.sender === "bot" && m.seq > second.seq));

    const again = await socket.send(conversation.id, "sent while down", "c2");
    assertEquals(again.id, second.id, "a repeated clientId is the same message");
    const stored = await server.api.messages(guest, conversation.id);
    assertEquals(inbox.messages.map((m) => m.seq), stored.map((m) => m.seq));
    assertEquals(stored.filter((m) => m.text === "sent while down").length, 1);
    assert(socket.state.peek() === "online");
  } finally {
    socket?.close();
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
