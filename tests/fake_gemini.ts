/**
 * A local stand-in for the Gemini API that speaks its REST protocol, so that tests exercise the
 * real @google/genai SDK end to end: `POST /{v1,v1beta}/models/{model}:generateContent` (one JSON
 * response) and `POST /{v1,v1beta}/models/{model}:streamGenerateContent?alt=sse` (server-sent events,
 * one `data: {GenerateContentResponse}` per chunk). Each request takes the next scripted step and
 * is recorded for assertions.
 */

export type FakeStep =
  & (
    /** A text answer; streamed as one SSE event per chunk. */
    | { kind: "text"; chunks: string[]; chunkDelayMs?: number; finishReason?: string }
    /** A function call, optionally after some text. */
    | { kind: "functionCall"; name: string; args?: Record<string, unknown>; text?: string }
    /** An HTTP error with Google's error body (429 RESOURCE_EXHAUSTED, 500 INTERNAL, …). */
    | { kind: "error"; status: number }
    /** A withheld answer: a candidate finishing with SAFETY, or a blocked prompt. */
    | { kind: "safety"; where: "candidate" | "prompt" }
    /** A 200 response whose body is not JSON. */
    | { kind: "malformed" }
  )
  & {
    /** Wait this long before answering at all (headers included). */
    delayMs?: number;
  };

export interface RecordedRequest {
  /** `v1` or `v1beta`, from the path. */
  apiVersion: string;
  model: string;
  stream: boolean;
  /** The `x-goog-api-key` header. */
  apiKey: string | null;
  // deno-lint-ignore no-explicit-any
  body: any;
}

const ERROR_STATUS: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  403: "PERMISSION_DENIED",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
};

/** Parley pins `v1beta` (Google's documented surface); the SDK alone would call `v1` with a custom baseUrl. */
const ROUTE = /^\/(v1|v1beta)\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;

function candidate(parts: unknown[] | null, finishReason?: string) {
  return {
    ...(parts ? { content: { parts, role: "model" } } : {}),
    ...(finishReason ? { finishReason } : {}),
    index: 0,
  };
}

function responseChunk(model: string, candidates: unknown[], extra: Record<string, unknown> = {}) {
  return {
    candidates,
    usageMetadata: { promptTokenCount: 42, candidatesTokenCount: 7, totalTokenCount: 49 },
    modelVersion: model,
    responseId: crypto.randomUUID(),
    ...extra,
  };
}

const SAFETY_RATINGS = [{ category: "HARM_CATEGORY_HARASSMENT", probability: "HIGH" }];

/** The response chunks for a step (a unary response is all chunks merged). */
function chunksOf(step: FakeStep, model: string): unknown[] {
  switch (step.kind) {
    case "text":
      return step.chunks.map((text, i) =>
        responseChunk(model, [
          candidate([{ text }], i === step.chunks.length - 1 ? step.finishReason ?? "STOP" : ""),
        ])
      );
    case "functionCall": {
      const call = { functionCall: { name: step.name, args: step.args ?? {} } };
      const parts = step.text ? [{ text: step.text }, call] : [call];
      return [responseChunk(model, [candidate(parts, "STOP")])];
    }
    case "safety":
      return step.where === "prompt"
        ? [{ promptFeedback: { blockReason: "SAFETY", safetyRatings: SAFETY_RATINGS } }]
        : [responseChunk(model, [{ ...candidate(null, "SAFETY"), safetyRatings: SAFETY_RATINGS }])];
    default:
      return [];
  }
}

function errorResponse(status: number, message: string): Response {
  const body = { error: { code: status, message, status: ERROR_STATUS[status] ?? "UNKNOWN" } };
  return Response.json(body, { status });
}

export interface FakeGeminiOptions {
  /** Between SSE events; Google's server sends CRLF line ends. */
  eventDelimiter?: string;
}

export class FakeGemini {
  readonly requests: RecordedRequest[] = [];
  readonly #steps: FakeStep[] = [];
  readonly #ac = new AbortController();
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  readonly #delimiter: string;

  private constructor(options: FakeGeminiOptions) {
    this.#delimiter = options.eventDelimiter ?? "\r\n\r\n";
    this.#server = Deno.serve(
      { port: 0, hostname: "127.0.0.1", signal: this.#ac.signal, onListen: () => {} },
      (request) => this.#handle(request),
    );
  }

  static start(options: FakeGeminiOptions = {}): FakeGemini {
    return new FakeGemini(options);
  }

  /** The `httpOptions.baseUrl` to give the SDK. */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.#server.addr.port}`;
  }

  /** Queue the replies for the next requests, in order. */
  script(...steps: FakeStep[]): void {
    this.#steps.push(...steps);
  }

  async close(): Promise<void> {
    this.#ac.abort();
    await this.#server.finished;
  }

  async #handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const route = url.pathname.match(ROUTE);
    if (request.method !== "POST" || !route) return errorResponse(404, "Not found");
    const [, apiVersion, model, method] = route;
    const stream = method === "streamGenerateContent";
    if (stream && url.searchParams.get("alt") !== "sse") {
      return errorResponse(400, "this fake streams only with alt=sse");
    }
    const body = await request.json();
    this.requests.push({
      apiVersion,
      model,
      stream,
      apiKey: request.headers.get("x-goog-api-key"),
      body,
    });
    const step = this.#steps.shift();
    if (!step) return errorResponse(500, "The fake has no scripted reply for this request.");
    if (step.delayMs) {
      try {
        await delay(step.delayMs, this.#ac.signal);
      } catch {
        return new Response(null, { status: 503 }); // The fake is shutting down.
      }
    }
    if (step.kind === "error") return errorResponse(step.status, `Scripted ${step.status}.`);
    if (step.kind === "malformed") {
      const text = stream ? `data: {"candidates": [{"content": ${this.#delimiter}` : "{not json";
      return new Response(text, { headers: { "content-type": contentType(stream) } });
    }
    const chunks = chunksOf(step, model);
    if (!stream) return Response.json(mergeChunks(chunks));
    const chunkDelayMs = step.kind === "text" ? step.chunkDelayMs ?? 0 : 0;
    return new Response(this.#sse(chunks, chunkDelayMs), {
      headers: { "content-type": contentType(true) },
    });
  }

  #sse(chunks: unknown[], chunkDelayMs: number): ReadableStream<Uint8Array> {
    const encoder = new TextEncoder();
    const delimiter = this.#delimiter;
    const stopped = new AbortController();
    const signal = AbortSignal.any([stopped.signal, this.#ac.signal]);
    return new ReadableStream({
      async start(controller) {
        try {
          for (const [i, chunk] of chunks.entries()) {
            if (i > 0 && chunkDelayMs) await delay(chunkDelayMs, signal);
            controller.enqueue(encoder.encode(`data: ${JSON.stringify(chunk)}${delimiter}`));
          }
          controller.close();
        } catch {
          // The client went away mid-stream (an aborted request) or the fake is closing.
        }
      },
      cancel() {
        stopped.abort();
      },
    });
  }
}

function contentType(stream: boolean): string {
  return stream ? "text/event-stream" : "application/json; charset=UTF-8";
}

/** A unary response: the stream's text parts joined, its last finish reason. */
// deno-lint-ignore no-explicit-any
function mergeChunks(chunks: any[]): unknown {
  const last = chunks.at(-1) ?? {};
  const parts = chunks.flatMap((c) => c.candidates?.[0]?.content?.parts ?? []);
  const text = parts.filter((p) => "text" in p).map((p) => p.text).join("");
  const others = parts.filter((p) => !("text" in p));
  if (!last.candidates) return last;
  const merged = [...(text ? [{ text }] : []), ...others];
  return {
    ...last,
    candidates: [{ ...last.candidates[0], content: { parts: merged, role: "model" } }],
  };
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
