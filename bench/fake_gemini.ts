/**
 * A Gemini stand-in that answers instantly, for measuring the bot's own overhead: it speaks
 * `POST /v1beta/models/{model}:streamGenerateContent?alt=sse` (one SSE event) and
 * `POST /v1beta/models/{model}:generateContent` (one JSON body), always with the same text. The
 * same paths under /v1/ work too (the version @google/genai 3 uses by default).
 */
export const FAKE_ANSWER = "You can reset your password from the sign-in page.";

/** The SDK's API version varies (v1beta, v1); any is accepted. */
const ROUTE = /^\/v1\w*\/models\/[^/:]+:(generateContent|streamGenerateContent)$/;

const body = JSON.stringify({
  candidates: [{
    content: { role: "model", parts: [{ text: FAKE_ANSWER }] },
    finishReason: "STOP",
    index: 0,
  }],
  usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 10, totalTokenCount: 20 },
  modelVersion: "fake",
});

export interface FakeGemini {
  baseUrl: string;
  /** Requests answered so far. */
  requests(): number;
  close(): Promise<void>;
}

export function startFakeGemini(): FakeGemini {
  let count = 0;
  const ac = new AbortController();
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", signal: ac.signal, onListen: () => {} },
    async (req) => {
      const route = new URL(req.url).pathname.match(ROUTE);
      if (req.method !== "POST" || !route) return new Response("not found", { status: 404 });
      await req.body?.cancel();
      count++;
      return route[1] === "streamGenerateContent"
        ? new Response(`data: ${body}\r\n\r\n`, {
          headers: { "content-type": "text/event-stream" },
        })
        : new Response(body, { headers: { "content-type": "application/json" } });
    },
  );
  return {
    baseUrl: `http://127.0.0.1:${server.addr.port}`,
    requests: () => count,
    async close() {
      ac.abort();
      await server.finished;
    },
  };
}
