/** Shared fixtures for the bot tests: the shipped help center, two customers, messages. */
import { BuiltinBot } from "../lib/bot/builtin.ts";
import { DEFAULT_KNOWLEDGE_DIR } from "../lib/config.ts";
import { KnowledgeBase } from "../lib/help/knowledge.ts";
import type { Message, User } from "../lib/contract/types.ts";

export const knowledge = await KnowledgeBase.load(DEFAULT_KNOWLEDGE_DIR);
export const builtinBot = new BuiltinBot({
  name: "Parley Assistant",
  businessName: "Acme",
  knowledge,
});

export const ADA: User = {
  id: "u1",
  name: "Ada Lovelace",
  email: "ada@example.com",
  role: "customer",
  createdAt: "2026-11-21T09:30:00.000Z",
};
export const GUEST: User = { id: "g1", name: "Guest 42", role: "guest", createdAt: ADA.createdAt };

export function message(seq: number, sender: Message["sender"], text: string): Message {
  return {
    id: `m${seq}`,
    conversationId: "c1",
    seq,
    sender,
    authorId: sender === "customer" ? ADA.id : sender,
    authorName: sender === "agent" ? "Sam" : sender,
    text,
    createdAt: "2026-11-22T10:00:00.000Z",
    private: false,
  };
}
