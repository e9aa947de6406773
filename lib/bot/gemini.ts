/**
 * The Gemini bot: answers with Google's Gemini (through @google/genai), grounded in the help
 * center and the customer's own profile via function calls, streaming its draft to the customer.
 * Untrusted text is fenced in the prompt (./gemini_prompt.ts) and every answer is validated (zod)
 * and checked (./gemini_guard.ts) before the customer sees it. Any failure of the model (timeout,
 * rate limit, server error, blocked or malformed reply) is answered by the fallback model
 * (`GEMINI_FALLBACK_MODEL`), then by the built-in bot, so the customer always gets a reply.
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
  newBoundary,
  systemInstruction,
  TOOLS,
} from "./gemini_prompt.ts";
import { guardAnswer } from "./gemini_guard.ts";
import { type Attempt, runTool } from "./gemini_tools.ts";
import { citedSlug } from "./metrics.ts";
import type { Bot, BotContext, BotReply } from "./types.ts";
import type { Logger } from "../log.ts";

/** Model calls per reply: the answer plus up to three rounds of function calls. */
const MAX_CALLS = 4;

export interface GeminiBotOptions {
  apiKey: string;
  model: string;
  /** Tried once when `model` fails; then `fallback` answers. */
  fallbackModel?: string | null;
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

type FailureKind = "blocked" | "malformed" | "empty" | "too_many_calls" | "instruction_leak";

/** Why a model call did not produce a usable answer; logged as `kind`. */
class GeminiReplyError extends Error {
  constructor(readonly kind: FailureKind) {
    super(kind);
  }
}

type Step =
  | { done: true; reply: BotReply }
  | { done: false; modelParts: Part[]; responses: Part[] };

type Outcome =
  | { ok: true; reply: BotReply }
  | { ok: false; aborted?: boolean; final?: boolean };

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
    ctx.typing();
    const models = [this.#options.model, this.#options.fallbackModel].filter(
      (m, i, all): m is string => !!m && all.indexOf(m) === i,
    );
    for (const [i, model] of models.entries()) {
      if (i > 0) ctx.partial(""); // the failed model's draft is gone
      const outcome = await this.#attempt(ctx, model);
      if (outcome.ok) return outcome.reply;
      if (outcome.aborted) return { text: "", outcome: "unsure", reason: "aborted" };
      if (outcome.final) break;
    }
    return await this.#fallback(ctx);
  }

  async #attempt(ctx: BotContext, model: string): Promise<Outcome> {
    const started = Date.now();
    const boundary = newBoundary();
    const hits = this.#options.knowledge.search(latestCustomerText(ctx.history), 3);
    const attempt: Attempt = {
      model,
      boundary,
      instruction: systemInstruction(this.#options, ctx.customer, boundary),
      sources: hits.map((h) => ({ slug: h.slug, title: h.title, text: h.passage })),
      otherText: "",
      profileUsed: false,
    };
    const contents = historyContents(ctx.history, groundingText(hits, boundary), boundary);
    const draft = { text: "" };
    for (let call = 1; call <= MAX_CALLS; call++) {
      const timeout = AbortSignal.timeout(this.#options.timeoutMs);
      // A call that stops early (a blocked or malformed chunk) leaves the rest of its response
      // unread: aborting it afterwards releases the connection.
      const ended = new AbortController();
      try {
        const signal = AbortSignal.any([ctx.signal, timeout, ended.signal]);
        const step = await this.#call(ctx, attempt, contents, draft, signal);
        if (step.done) return this.#checked(ctx, attempt, step.reply, call, started);
        contents.push({ role: "model", parts: step.modelParts });
        // Text said before a function call ("Let me check…") stays; the answer follows it.
        if (draft.text && !/\s$/.test(draft.text)) draft.text += "\n\n";
        contents.push({ role: "user", parts: step.responses });
      } catch (error) {
        // The runner discards the reply of a conversation that left the bot: return at once.
        if (ctx.signal.aborted) return { ok: false, aborted: true };
        this.#logFailure(error, timeout.aborted, ctx, attempt, call, started);
        return { ok: false };
      } finally {
        ended.abort();
      }
    }
    this.#logFailure(
      new GeminiReplyError("too_many_calls"),
      false,
      ctx,
      attempt,
      MAX_CALLS,
      started,
    );
    return { ok: false };
  }

  /** The guard's verdict on a finished answer (./gemini_guard.ts). */
  #checked(
    ctx: BotContext,
    attempt: Attempt,
    reply: BotReply,
    call: number,
    started: number,
  ): Outcome {
    const { text, problems } = guardAnswer({
      text: reply.text,
      instruction: attempt.instruction,
      boundary: attempt.boundary,
      sources: attempt.sources,
      otherText: attempt.otherText,
      articleExists: (slug) => !!this.#options.knowledge.article(slug),
      fromHelpCenter: reply.outcome === "answered" && !attempt.profileUsed,
    });
    if (text === null) {
      // An injection that got the model to talk about its rules: no other model gets that prompt.
      const error = new GeminiReplyError("instruction_leak");
      this.#logFailure(error, false, ctx, attempt, call, started);
      return { ok: false, final: true };
    }
    if (problems.length) {
      this.#options.log?.warn("gemini answer corrected", {
        event: "gemini_guard",
        problems,
        model: attempt.model,
        conversationId: ctx.conversation.id,
      });
    }
    const slug = citedSlug(text);
    return {
      ok: true,
      reply: {
        ...reply,
        text,
        meta: { ...reply.meta, source: "gemini", ...(slug ? { slug } : {}) },
      },
    };
  }

  /** One streamed model call; returns the final reply or the function calls' results. */
  async #call(
    ctx: BotContext,
    attempt: Attempt,
    contents: Content[],
    draft: { text: string },
    abortSignal: AbortSignal,
  ): Promise<Step> {
    const stream = await this.#ai.models.generateContentStream({
      model: attempt.model,
      contents,
      config: {
        systemInstruction: attempt.instruction,
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
          // The boundary in a draft means an injection is under way: show nothing of it.
          if (!draft.text.includes(attempt.boundary)) ctx.partial(draft.text);
        }
      }
      ctx.typing();
    }
    return await this.#afterCall(ctx, attempt, parts, draft.text.trim());
  }

  async #afterCall(
    ctx: BotContext,
    attempt: Attempt,
    parts: ChunkPart[],
    text: string,
  ): Promise<Step> {
    const calls = parts.flatMap((p) => (p.functionCall ? [p.functionCall] : []));
    const handoff = calls.find((c) => c.name === "handoff_to_human");
    if (handoff) {
      const args = handoffArgsSchema.safeParse(handoff.args ?? {});
      const reason = (args.success && args.data.reason) || "The assistant asked for a person.";
      return {
        done: true,
        reply: {
          text: text || "Let me get a person for you.",
          outcome: "handoff",
          reason,
          meta: { handoff: "model" },
        },
      };
    }
    if (calls.length === 0) {
      if (!text) throw new GeminiReplyError("empty");
      return { done: true, reply: { text, outcome: UNSURE.test(text) ? "unsure" : "answered" } };
    }
    const responses: Part[] = [];
    for (const call of calls) {
      const response = await runTool(
        ctx,
        attempt,
        this.#options.knowledge,
        call.name,
        call.args ?? {},
      );
      responses.push({
        functionResponse: { name: call.name, response, ...(call.id ? { id: call.id } : {}) },
      });
    }
    return { done: false, modelParts: parts as Part[], responses };
  }

  /** The fallback bot's answer; an apology offering a person if it is unsure too. */
  async #fallback(ctx: BotContext): Promise<BotReply> {
    const reply = await this.#options.fallback.reply(ctx);
    const meta = { ...reply.meta, source: "fallback" as const };
    return reply.outcome === "unsure"
      ? { text: APOLOGY, outcome: "unsure", meta }
      : { ...reply, meta };
  }

  /** One JSON line, without message text, prompt or API key. */
  #logFailure(
    error: unknown,
    timedOut: boolean,
    ctx: BotContext,
    attempt: Attempt,
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
      model: attempt.model,
      conversationId: ctx.conversation.id,
      call,
      elapsedMs: Date.now() - started,
    });
  }
}
