/** Chooses the bot: Gemini when an API key is configured, else the built-in bot. */
import type { Config } from "../config.ts";
import type { Knowledge } from "../help/knowledge.ts";
import { BuiltinBot } from "./builtin.ts";
import { GeminiBot } from "./gemini.ts";
import type { Bot } from "./types.ts";
import type { Logger } from "../log.ts";

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
