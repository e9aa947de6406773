/** The composer's canned-reply helpers: the "/query", the filter, and the placeholders. */
import { assertEquals } from "../../tests/assert.ts";
import { fillPlaceholders, filterReplies, slashQuery } from "./canned.ts";

const reply = (shortcut: string, title: string) => ({
  id: shortcut,
  shortcut,
  title,
  text: "",
  scope: "team" as const,
});

Deno.test("canned: the slash query, filtered by shortcut then title", () => {
  assertEquals(slashQuery("/inv"), "inv");
  assertEquals(slashQuery("/"), "");
  assertEquals(slashQuery("hello /inv"), null);
  assertEquals(slashQuery("/inv more"), null);
  const all = [
    reply("refund", "Refund policy"),
    reply("invoice", "Where is my invoice"),
    reply("hi", "Greeting"),
  ];
  assertEquals(filterReplies(all, "inv").map((r) => r.shortcut), ["invoice"]);
  assertEquals(filterReplies(all, "re").map((r) => r.shortcut), ["refund", "invoice", "hi"]);
  assertEquals(filterReplies(all, "").length, 3);
});

Deno.test("canned: placeholders filled, unknown values empty", () => {
  const v = { customer: { name: "Cleo", email: null }, agent: { name: "Ann" } };
  assertEquals(
    fillPlaceholders(
      "Hi {{customer.name}} ({{ customer.email }}), {{agent.name}} here. {{other}}",
      v,
    ),
    "Hi Cleo (), Ann here. {{other}}",
  );
});
