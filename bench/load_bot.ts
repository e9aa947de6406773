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
  const typing: number[] = [], reply: number[] = [];
  const replyTexts: Record<string, number> = {};
  // One reply per conversation first, not counted: a fresh server compiles the bot's code on its
  // first replies, which a running one has long done.
  for (let i = -CONVERSATIONS; i < samples; i++) {
    if (i === 0) {
      typing.length = reply.length = 0;
      for (const text of Object.keys(replyTexts)) delete replyTexts[text];
    }
    const { id, ws } = convs[(i + CONVERSATIONS) % CONVERSATIONS];
    const typed = nextFrame<Frame>(ws, (f: Frame) => f.type === "typing" && f.typing === true)
      .then(() => typing.push(performance.now() - t0));
    const replied = nextFrame<Frame>(
      ws,
      (f: Frame) => f.type === "message" && f.message?.sender === "bot",
    ).then((f) => {
      reply.push(performance.now() - t0);
      replyTexts[f.message!.text] = (replyTexts[f.message!.text] ?? 0) + 1;
    });
    const quiet = nextFrame<Frame>(ws, (f: Frame) => f.type === "typing" && f.typing === false);
    const t0 = performance.now();
    ws.send(JSON.stringify({
      type: "send",
      conversationId: id,
      text: "How do I reset my password?",
      clientId: `bot-${i < 0 ? `warm${-i}` : i}`,
    }));
    await Promise.all([typed, replied, quiet]);
  }
  await closeAll(convs.map((c) => c.ws));
  return {
    samples,
    typingMs: latencyStats(typing),
    replyMs: latencyStats(reply),
    replyTexts,
  };
}
