/** Canned replies (v2): the object and the bodies of POST/PUT /api/canned-replies[/:id]. */
import { z } from "zod";
import { isInvisible, longerThan, MAX_MESSAGE_LENGTH } from "./text.ts";

export interface CannedReply {
  id: string;
  shortcut: string;
  title: string;
  text: string;
  scope: "team" | "personal";
}

/** Per owner (the team, or one agent). */
export const MAX_CANNED_REPLIES = 500;

/** The placeholders filled in before sending (lib/client/canned.ts). */
export const PLACEHOLDERS = ["{{customer.name}}", "{{customer.email}}", "{{agent.name}}"] as const;

const visible = (s: string) => !isInvisible(s);

export const cannedBody = z.strictObject({
  shortcut: z.string().trim().regex(
    /^[\p{L}\p{N}][\p{L}\p{N}_-]{0,31}$/u,
    "must be 1–32 letters, digits, - or _ (typed after /)",
  ),
  title: z.string().trim().min(1, "must not be empty").max(100).refine(visible, "must be visible"),
  text: z.string().trim().min(1, "must not be empty").max(16_000)
    .refine((s) => !longerThan(s, MAX_MESSAGE_LENGTH), "must be at most 4000 characters")
    .refine(visible, "must be visible"),
  scope: z.enum(["team", "personal"]).optional(),
});
export type CannedBody = z.infer<typeof cannedBody>;
