/**
 * Chooses the bot and the agent's assistant: Gemini when an API key is configured (with the
 * built-in bot, and the help-center assistant, as their fallbacks), else the built-in ones.
 */
import type { Config } from "../config.ts";
import type { Knowledge } from "../help/knowledge.ts";
import { BuiltinBot } from "./builtin.ts";
import { GeminiBot } from "./gemini.ts";
import type { Bot } from "./types.ts";
import type { Logger } from "../log.ts";
import { type Assistant, type CannedReplies, HelpCenterAssistant } from "./assist.ts";
import { GeminiAssistant } from "./gemini_assist.ts";

export function createBot(config: Config, knowledge: Knowledge, log?: Logger): Bot {
  const builtin = new BuiltinBot({
    name: config.botName,
    businessName: config.businessName,
    knowledge,
  });
  if (!config.gemini) return builtin;
  return new GeminiBot({
    ...config.gemini,
    name: config.botName,
    businessName: config.businessName,
    tone: config.botTone,
    knowledge,
    fallback: builtin,
    log,
  });
}

export function createAssistant(
  config: Config,
  knowledge: Knowledge,
  log?: Logger,
  canned?: CannedReplies,
): Assistant {
  const helpCenter = new HelpCenterAssistant(knowledge, canned);
  if (!config.gemini) return helpCenter;
  return new GeminiAssistant({ ...config.gemini, knowledge, fallback: helpCenter, log });
}
