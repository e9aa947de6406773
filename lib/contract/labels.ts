/**
 * Labels (v2): the body of PUT /api/conversations/:id/labels, and the admins' label list with
 * colours (the run-time setting "labels", edited on /admin). Shared by the server and the islands.
 */
import { z } from "zod";
import { isInvisible } from "./text.ts";

export const MAX_LABELS = 20;
export const MAX_LABEL_LENGTH = 40;
/** Labels an admin may list with colours. */
export const MAX_PALETTE = 100;

/** A label: trimmed, inner spaces collapsed, 1–40 characters, no control characters. */
export const labelName = z.string()
  .transform((s) => s.trim().replace(/\s+/g, " "))
  .pipe(
    z.string().min(1, "must not be empty")
      .max(MAX_LABEL_LENGTH, `must be at most ${MAX_LABEL_LENGTH} characters`)
      .refine((s) => !/\p{Cc}/u.test(s), "must not contain control characters")
      .refine((s) => !isInvisible(s), "must contain visible characters"),
  );

/** Distinct labels, compared without regard to case (the first spelling stays). */
export function dedupeLabels(labels: string[]): string[] {
  const seen = new Set<string>();
  return labels.filter((l) => {
    const k = l.toLocaleLowerCase("en");
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export const labelsBody = z.strictObject({
  labels: z.array(labelName).max(MAX_LABELS, `at most ${MAX_LABELS} labels`).transform(
    dedupeLabels,
  ),
});

export const labelColor = z.string().regex(/^#[0-9a-fA-F]{6}$/, "must be a colour like #1f6feb")
  .transform((s) => s.toLowerCase());

/** The setting "labels": the team's labels and their colours. */
export const labelSettingsSchema = z.strictObject({
  labels: z.array(z.strictObject({ name: labelName, color: labelColor }))
    .max(MAX_PALETTE, `at most ${MAX_PALETTE} labels`)
    .refine(
      (list) => dedupeLabels(list.map((l) => l.name)).length === list.length,
      "each label once",
    ),
});
export type LabelSettings = z.infer<typeof labelSettingsSchema>;

/**
 * A conversation as its customer sees it: labels are the team's own notes on it ("refund-abuse"),
 * so a customer's copy carries `labels: []` (HTTP, socket frames, the chat page); and when the team
 * snoozed it is the team's business too (`snoozedUntil` left out).
 */
export function customerView<C extends { labels?: string[]; snoozedUntil?: string | null }>(
  c: C,
): C {
  if (!c.labels?.length && c.snoozedUntil === undefined) return c;
  const { snoozedUntil: _, ...rest } = c;
  return (c.labels ? { ...rest, labels: [] } : rest) as C;
}
