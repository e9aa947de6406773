/**
 * The loader checks messages by hand (no dependencies), the panel with zod: both must accept
 * exactly the same messages. Property tests over valid messages, near misses (a key dropped, added
 * or given any value) and arbitrary values.
 */
import fc from "fast-check";
import { assertEquals } from "../../../tests/assert.ts";
import { parseFrameMessage, parseHostMessage } from "./protocol.ts";
import { frameMessageSchema, hostMessageSchema } from "./protocol_schema.ts";

/** Plain objects, as postMessage delivers them (a structured clone never has a null prototype). */
// deno-lint-ignore no-explicit-any
const record = (model: any, constraints: any = {}) =>
  fc.record(model, { ...constraints, noNullPrototype: true });
const hex64 = fc.stringMatching(/^[0-9a-fA-F]{64}$/);
const text = (min: number, max: number) => fc.string({ minLength: min, maxLength: max });
const stored = fc.option(text(0, 300), { nil: null });

const hostMessages = fc.oneof(
  record({
    parley: fc.constant(1),
    type: fc.constant("state"),
    open: fc.boolean(),
    fullscreen: fc.boolean(),
  }),
  record({
    parley: fc.constant(1),
    type: fc.constant("identify"),
    userId: text(1, 200),
    name: text(1, 80),
    email: text(3, 254),
    userHash: hex64,
  }, { requiredKeys: ["parley", "type", "userId", "userHash"] }),
  record({ parley: fc.constant(1), type: fc.constantFrom("logout", "focus") }),
  record({
    parley: fc.constant(1),
    type: fc.constant("stored"),
    values: record({ token: stored, conversation: stored, prechat: stored }),
  }),
);

const frameMessages = fc.oneof(
  record({ parley: fc.constant(1), type: fc.constantFrom("ready", "close") }),
  record({
    parley: fc.constant(1),
    type: fc.constant("unread"),
    count: fc.integer({ min: 0, max: 100_000 }),
  }),
  record({
    parley: fc.constant(1),
    type: fc.constant("message"),
    conversationId: text(1, 64),
    sender: fc.constantFrom("bot", "agent"),
    authorName: text(0, 200),
    createdAt: text(0, 40),
  }),
  record({ parley: fc.constant(1), type: fc.constant("session"), active: fc.boolean() }),
  record({
    parley: fc.constant(1),
    type: fc.constant("identity"),
    ok: fc.constant(true),
    externalId: text(1, 200),
    name: text(0, 80),
  }),
  record({
    parley: fc.constant(1),
    type: fc.constant("identity"),
    ok: fc.constant(false),
    code: text(0, 40),
    message: text(0, 500),
  }),
  record({
    parley: fc.constant(1),
    type: fc.constant("store"),
    name: fc.constantFrom("token", "conversation", "prechat"),
    value: stored,
  }),
);

type Plain = Record<string, unknown>;

/** A valid message, or one with a key dropped, added, or set to anything (nested ones too). */
function nearMisses(valid: fc.Arbitrary<Plain>): fc.Arbitrary<unknown> {
  return fc.tuple(valid, fc.nat(), fc.string({ maxLength: 12 }), fc.anything(), fc.nat(3))
    .map(([message, pick, extra, value, how]) => {
      const copy = structuredClone(message) as Plain;
      const target = isPlain(copy.values) && pick % 3 === 0 ? copy.values as Plain : copy;
      const names = Object.keys(target);
      const name = names[pick % names.length];
      if (how === 0) return copy;
      if (how === 1) delete target[name];
      else if (how === 2) target[extra] = value;
      else target[name] = value;
      return copy;
    });
}

const withoutUndefined = (v: unknown) =>
  JSON.parse(JSON.stringify(v, (_k, x) => x === undefined ? undefined : x));

const isPlain = (v: unknown): v is Plain =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function agree(
  hand: (v: unknown) => unknown,
  schema: typeof hostMessageSchema | typeof frameMessageSchema,
) {
  return (value: unknown) => {
    const byHand = hand(value);
    const byZod = schema.safeParse(value);
    assertEquals(byHand !== null, byZod.success, `disagree on ${JSON.stringify(value)}`);
    // The same, up to keys whose value is undefined (as they travel: postMessage, JSON).
    if (byZod.success) assertEquals(withoutUndefined(byHand), withoutUndefined(byZod.data));
  };
}

Deno.test("host → panel: hand checks and zod agree", () => {
  fc.assert(fc.property(hostMessages, (m) => void assertEquals(parseHostMessage(m), m)));
  fc.assert(fc.property(nearMisses(hostMessages), agree(parseHostMessage, hostMessageSchema)), {
    numRuns: 2000,
  });
  fc.assert(fc.property(fc.anything(), agree(parseHostMessage, hostMessageSchema)));
});

Deno.test("panel → host: hand checks and zod agree", () => {
  fc.assert(fc.property(frameMessages, (m) => void assertEquals(parseFrameMessage(m), m)));
  fc.assert(fc.property(nearMisses(frameMessages), agree(parseFrameMessage, frameMessageSchema)), {
    numRuns: 2000,
  });
  fc.assert(fc.property(fc.anything(), agree(parseFrameMessage, frameMessageSchema)));
});

Deno.test("messages are refused for what they are, not only by the property tests", () => {
  const hash = "0".repeat(64);
  const refused = [
    null,
    "ready",
    [1, "ready"],
    { type: "ready" },
    { parley: 2, type: "ready" },
    { parley: 1, type: "ready", extra: 1 },
    { parley: 1, type: "unread", count: -1 },
    { parley: 1, type: "unread", count: 1.5 },
    {
      parley: 1,
      type: "message",
      conversationId: "c",
      sender: "customer",
      authorName: "",
      createdAt: "",
    },
    { parley: 1, type: "store", name: "__proto__", value: "x" },
    { parley: 1, type: "store", name: "token", value: "x".repeat(301) },
  ];
  for (const m of refused) assertEquals(parseFrameMessage(m), null, JSON.stringify(m));
  assertEquals(parseHostMessage({ parley: 1, type: "identify", userId: "u", userHash: "x" }), null);
  assertEquals(
    parseHostMessage({ parley: 1, type: "identify", userId: "u", userHash: hash, role: "admin" }),
    null,
  );
});
