/**
 * A user-supplied name in markup: isolated from the text around it (`<bdi>`), with its own bidi
 * controls balanced (lib/contract/text.ts), so that a name holding U+202E (right-to-left
 * override) or a stray U+2069 can't reorder what is shown beside it. Every place that shows a
 * customer's, agent's or author's name uses this; running text built as a string (option
 * labels, system messages) uses `isolateName`.
 */
import { balanceBidi } from "../lib/contract/text.ts";

export function Name({ name }: { name: string }) {
  return <bdi>{balanceBidi(name)}</bdi>;
}
