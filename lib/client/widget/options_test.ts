import { assertEquals, assertMatch } from "../../../tests/assert.ts";
import { readOptions } from "./options.ts";

const attributes = (values: Record<string, string>) => (name: string) => values[name] ?? null;

Deno.test("readOptions: data-* attributes, checked", () => {
  const warnings: string[] = [];
  const options = readOptions(
    attributes({ position: "left", color: "#0A0", open: "", locale: "fr-CA", sound: "false" }),
    undefined,
    (w) => warnings.push(w),
  );
  assertEquals(options, {
    position: "left",
    color: "#00aa00",
    open: true,
    locale: "fr-CA",
    sound: false,
  });
  assertEquals(warnings, []);
});

Deno.test("readOptions: window.parleySettings wins over attributes", () => {
  const options = readOptions(
    attributes({ position: "left", color: "#000000" }),
    { position: "right", open: false },
    () => {},
  );
  assertEquals(options, { position: "right", color: "#000000", open: false });
});

Deno.test("readOptions: a bad value is reported and ignored, never applied", () => {
  const warnings: string[] = [];
  const options = readOptions(
    attributes({ color: "red; background: url(x)" }),
    { position: "middle", locale: "<script>", open: "yes", sound: 1 },
    (w) => warnings.push(w),
  );
  assertEquals(options, {});
  assertEquals(warnings.length, 5);
  assertMatch(warnings.join("\n"), /parleySettings\.position/);
  assertMatch(warnings.join("\n"), /data-color/);
});
