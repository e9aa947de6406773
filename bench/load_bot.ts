/**
 * Bot overhead, measured against Parley started with a fake Gemini that answers instantly: a
 * customer sends a message to a conversation the bot holds; we time the first bot `typing` frame
 * and the committed bot `message` frame. One message at a time, so nothing queues; one reply per
 * conversation first, as a warm-up, is not counted.
 */
import { closeAll, nextFrame, openParleySocket, type ParleyApi, pool } from "./clients.ts";
import { type LatencyStats, latencyStats } from "./proc.ts";

export interface BotResult {
  samples: number;
  /** Customer's send → first bot typing frame. */
  typingMs: LatencyStats;
  /** Customer's send → the bot's committed message frame. */
  replyMs: LatencyStats;
  /** Replies and their texts, to tell which bot answered (the driver compares with the fake's). */
  replyTexts: Record<string, number>;
}

const CONVERSATIONS = 5;

interface Frame {
  type: string;
  role?: string;
  typing?: boolean;
  message?: { sender: string; text: string };
}

export async function botRun(api: ParleyApi, wsUrl: string, samples: number): Promise<BotResult> {
  const convs = await pool(Array.from({ length: CONVERSATIONS }), CONVERSATIONS, async (_, i) => {
    const guest = await api.guest(`Bot customer ${i}`);
    const id = await api.startConversation(guest.token);
    const ws = await openParleySocket(wsUrl, guest.token);
    const greeted = nextFrame(ws, (f) => f.type === "message");
    ws.send(JSON.stringify({ type: "subscribe", conversationId: id }));
    await greeted;
    return { id, ws };
  });
  /** One message on conversation `c`: the times to typing and to the reply, and its text. */
  const one = async ({ id, ws }: (typeof convs)[number], clientId: string) => {
    let t0 = 0;
    const typed = nextFrame<Frame>(ws, (f: Frame) => f.type === "typing" && f.typing === true)
      .then(() => performance.now() - t0);
    const replied = nextFrame<Frame>(
      ws,
      (f: Frame) => f.type === "message" && f.message?.sender === "bot",
    ).then((f) => ({ ms: performance.now() - t0, text: f.message!.text }));
    const quiet = nextFrame<Frame>(ws, (f: Frame) => f.type === "typing" && f.typing === false);
    t0 = performance.now();
    ws.send(JSON.stringify({
      type: "send",
      conversationId: id,
      text: "How do I reset my password?",
      clientId,
    }));
    const [typingMs, reply] = await Promise.all([typed, replied, quiet]);
    return { typingMs, replyMs: reply.ms, text: reply.text };
  };
  // One reply per conversation first, not counted: a fresh server compiles the bot's code on its
  // first replies, which a running one has long done.
  for (const [i, c] of convs.entries()) await one(c, `bot-warm${i}`);
  const typing: number[] = [], reply: number[] = [];
  const replyTexts: Record<string, number> = {};
  for (let i = 0; i < samples; i++) {
    const r = await one(convs[i % CONVERSATIONS], `bot-${i}`);
    typing.push(r.typingMs);
    reply.push(r.replyMs);
    replyTexts[r.text] = (replyTexts[r.text] ?? 0) + 1;
  }
  await closeAll(convs.map((c) => c.ws));
  return {
    samples,
    typingMs: latencyStats(typing),
    replyMs: latencyStats(reply),
    replyTexts,
  };
}
