/**
 * The Gemini bot: answers with Google's Gemini (through @google/genai), grounded in the help
 * center and the customer's profile via function calls, streaming its draft to the customer. Any
 * failure of the model (timeout, rate limit, server error, blocked or malformed reply) is answered
 * by the fallback bot instead, so the customer always gets a reply.
 */
import { type Content, GoogleGenAI, type Part } from "@google/genai";
import type { Knowledge } from "../help/knowledge.ts";
import type { User } from "../contract/types.ts";
import { latestCustomerText } from "./builtin.ts";
import {
  BLOCKED_FINISH_REASONS,
  type ChunkPart,
  chunkSchema,
  groundingText,
  handoffArgsSchema,
  historyContents,
  searchArgsSchema,
  systemInstruction,
  TOOLS,
} from "./gemini_prompt.ts";
import type { Bot, BotContext, BotReply } from "./types.ts";
import type { Logger } from "../log.ts";

/** Model calls per reply: the answer plus up to three rounds of function calls. */
const MAX_CALLS = 4;

export interface GeminiBotOptions {
  apiKey: string;
  model: string;
  /** Google's endpoint when undefined; tests point it at tests/fake_gemini.ts. */
  baseUrl: string | undefined;
  /** Per model call. */
  timeoutMs: number;
  name: string;
  businessName: string;
  tone: string;
  knowledge: Knowledge;
  /** Answers when Gemini cannot (normally the built-in bot). */
  fallback: Bot;
  /** Failures are logged here (one line each, without message text or the key). */
  log?: Logger;
}

/** Why a model call did not produce a usable answer; logged as `kind`. */
class GeminiReplyError extends Error {
  constructor(readonly kind: "blocked" | "malformed" | "empty" | "too_many_calls") {
    super(kind);
  }
}

type Step =
  | { done: true; reply: BotReply }
  | { done: false; modelParts: Part[]; responses: Part[] };

const APOLOGY = "Sorry, I'm having trouble answering that right now. Would you like to talk to a " +
  'person from our team? Just say "talk to a human".';
const UNSURE = /\b(i'?m not sure|i am not sure|i don'?t know|i do not know|i couldn'?t find)\b/i;

export class GeminiBot implements Bot {
  readonly name: string;
  readonly #options: GeminiBotOptions;
  readonly #ai: GoogleGenAI;

  constructor(options: GeminiBotOptions) {
    this.name = options.name;
    this.#options = options;
    // v1beta is the Gemini API's current REST surface (function calling, system instructions);
    // pinned because the SDK picks v1 when given a custom baseUrl.
    this.#ai = new GoogleGenAI({
      apiKey: options.apiKey,
      apiVersion: "v1beta",
      ...(options.baseUrl ? { httpOptions: { baseUrl: options.baseUrl } } : {}),
    });
  }

  greet(customer: User): string {
    return this.#options.fallback.greet(customer);
  }

  async reply(ctx: BotContext): Promise<BotReply> {
    const started = Date.now();
    ctx.typing();
    const hits = this.#options.knowledge.search(latestCustomerText(ctx.history), 3);
    const contents = historyContents(ctx.history, groundingText(hits));
    const draft = { text: "" };
    for (let call = 1; call <= MAX_CALLS; call++) {
      const timeout = AbortSignal.timeout(this.#options.timeoutMs);
      try {
        const step = await this.#call(ctx, contents, draft, AbortSignal.any([ctx.signal, timeout]));
        if (step.done) return step.reply;
        contents.push({ role: "model", parts: step.modelParts });
        // Text said before a function call ("Let me check…") stays; the answer follows it.
        if (draft.text && !/\s$/.test(draft.text)) draft.text += "\n\n";
        contents.push({ role: "user", parts: step.responses });
      } catch (error) {
        // The runner discards the reply of a conversation that left the bot: return at once.
        if (ctx.signal.aborted) return { text: draft.text, outcome: "unsure", reason: "aborted" };
        this.#logFailure(error, timeout.aborted, ctx, call, started);
        return await this.#fallback(ctx);
      }
    }
    this.#logFailure(new GeminiReplyError("too_many_calls"), false, ctx, MAX_CALLS, started);
    return await this.#fallback(ctx);
  }

  /** One streamed model call; returns the final reply or the function calls' results. */
  async #call(
    ctx: BotContext,
    contents: Content[],
    draft: { text: string },
    abortSignal: AbortSignal,
  ): Promise<Step> {
    const stream = await this.#ai.models.generateContentStream({
      model: this.#options.model,
      contents,
      config: {
        systemInstruction: systemInstruction(this.#options, ctx.customer),
        tools: [{ functionDeclarations: TOOLS }],
        abortSignal,
      },
    });
    const parts: ChunkPart[] = [];
    for await (const raw of stream) {
      const chunk = chunkSchema.safeParse(raw);
      if (!chunk.success) throw new GeminiReplyError("malformed");
      if (chunk.data.promptFeedback?.blockReason) throw new GeminiReplyError("blocked");
      const candidate = chunk.data.candidates?.[0];
      if (candidate?.finishReason && BLOCKED_FINISH_REASONS.has(candidate.finishReason)) {
        throw new GeminiReplyError("blocked");
      }
      if (candidate?.finishReason === "MALFORMED_FUNCTION_CALL") {
        throw new GeminiReplyError("malformed");
      }
      for (const part of candidate?.content?.parts ?? []) {
        parts.push(part);
        if (part.text && !part.thought) {
          draft.text += part.text;
          ctx.partial(draft.text);
        }
      }
      ctx.typing();
    }
    return await this.#afterCall(ctx, parts, draft.text.trim());
  }

  async #afterCall(ctx: BotContext, parts: ChunkPart[], text: string): Promise<Step> {
    const calls = parts.flatMap((p) => (p.functionCall ? [p.functionCall] : []));
    const handoff = calls.find((c) => c.name === "handoff_to_human");
    if (handoff) {
      const args = handoffArgsSchema.safeParse(handoff.args ?? {});
      const reason = (args.success && args.data.reason) || "The assistant asked for a person.";
      return {
        done: true,
        reply: { text: text || "Let me get a person for you.", outcome: "handoff", reason },
      };
    }
    if (calls.length === 0) {
      if (!text) throw new GeminiReplyError("empty");
      return { done: true, reply: { text, outcome: UNSURE.test(text) ? "unsure" : "answered" } };
    }
    const responses: Part[] = [];
    for (const call of calls) {
      const response = await this.#runTool(ctx, call.name, call.args ?? {});
      responses.push({
        functionResponse: { name: call.name, response, ...(call.id ? { id: call.id } : {}) },
      });
    }
    return { done: false, modelParts: parts as Part[], responses };
  }

  async #runTool(
    ctx: BotContext,
    name: string,
    args: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    switch (name) {
      case "get_customer_profile": {
        const facts = await ctx.facts();
        return facts ? { profile: facts } : { error: "not signed in" };
      }
      case "search_help_center": {
        const parsed = searchArgsSchema.safeParse(args);
        if (!parsed.success) return { error: "query must be a non-empty string" };
        const hits = this.#options.knowledge.search(parsed.data.query, 3);
        return {
          results: hits.map((h) => ({
            title: h.title,
            heading: h.heading,
            link: `/help/${h.slug}`,
            passage: h.passage,
          })),
        };
      }
      default:
        return { error: `unknown function ${name}` };
    }
  }

  /** The fallback bot's answer; an apology offering a person if it is unsure too. */
  async #fallback(ctx: BotContext): Promise<BotReply> {
    const reply = await this.#options.fallback.reply(ctx);
    return reply.outcome === "unsure" ? { text: APOLOGY, outcome: "unsure" } : reply;
  }

  /** One JSON line, without message text, prompt or API key. */
  #logFailure(
    error: unknown,
    timedOut: boolean,
    ctx: BotContext,
    call: number,
    started: number,
  ): void {
    const status = typeof (error as { status?: unknown })?.status === "number"
      ? (error as { status: number }).status
      : undefined;
    const kind = timedOut
      ? "timeout"
      : error instanceof GeminiReplyError
      ? error.kind
      : error instanceof SyntaxError
      ? "malformed"
      : status === 429
      ? "rate_limited"
      : status !== undefined && status >= 500
      ? "server_error"
      : status !== undefined
      ? "client_error"
      : "network";
    this.#options.log?.warn("gemini failed", {
      event: "gemini_failed",
      kind,
      status,
      model: this.#options.model,
      conversationId: ctx.conversation.id,
      call,
      elapsedMs: Date.now() - started,
    });
  }
}
