/**
 * Import cycles between the rooms of `lib/` (a folder of lib/ is one room; a file directly in lib/
 * is its own room), type-only imports included, tests excluded. `deno task cycles` prints them and
 * fails when there is one; tools/cycles_test.ts keeps lib/ free of them.
 */

export interface Cycle {
  rooms: string[];
  /** One import per edge inside the cycle: "a.ts imports b.ts". */
  edges: string[];
}

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) yield* walk(p);
    else if (/\.(ts|tsx)$/.test(e.name)) yield p;
  }
}

/** The room of a path relative to the root: "lib/chat/" or "lib/config.ts". */
const roomOf = (path: string) => {
  const parts = path.split("/");
  return parts.length > 2 ? `${parts[0]}/${parts[1]}/` : path;
};

function resolve(from: string, spec: string): string | null {
  if (!spec.startsWith(".")) return null;
  const base = from.split("/").slice(0, -1);
  for (const seg of spec.split("/")) {
    if (seg === "." || seg === "") continue;
    if (seg === "..") base.pop();
    else base.push(seg);
  }
  return base.join("/");
}

const IMPORT = /(?:import|export)\s[^;]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

/** The cycles between rooms of `<root>/lib`. */
export async function findCycles(root = "."): Promise<Cycle[]> {
  const graph = new Map<string, Map<string, string>>(); // room → (room it imports → an example)
  for await (const abs of walk(`${root}/lib`)) {
    const f = abs.slice(root.length + 1);
    if (f.endsWith("_test.ts") || f.endsWith("_test.tsx")) continue;
    const from = roomOf(f);
    if (!graph.has(from)) graph.set(from, new Map());
    for (const m of (await Deno.readTextFile(abs)).matchAll(IMPORT)) {
      const target = resolve(f, m[1] ?? m[2]);
      if (!target?.startsWith("lib/")) continue;
      const to = roomOf(target);
      if (to !== from && !graph.get(from)!.has(to)) {
        graph.get(from)!.set(to, `${f} imports ${target}`);
      }
    }
  }
  return stronglyConnected(graph).map((rooms) => ({
    rooms,
    edges: rooms.flatMap((a) =>
      [...graph.get(a) ?? []].filter(([b]) => rooms.includes(b)).map(([, why]) => why)
    ),
  }));
}

/** Tarjan's strongly connected components with more than one room. */
function stronglyConnected(graph: Map<string, Map<string, string>>): string[][] {
  let index = 0;
  const idx = new Map<string, number>(), low = new Map<string, number>();
  const on = new Set<string>(), stack: string[] = [], out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index), low.set(v, index), index++, stack.push(v), on.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!idx.has(w)) visit(w), low.set(v, Math.min(low.get(v)!, low.get(w)!));
      else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do w = stack.pop()!, on.delete(w), comp.push(w); while (w !== v);
      if (comp.length > 1) out.push(comp.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

if (import.meta.main) {
  const cycles = await findCycles(".");
  if (!cycles.length) {
    console.log("no import cycles between the rooms of lib/");
    Deno.exit(0);
  }
  for (const c of cycles) {
    console.log(`cycle: ${c.rooms.join(" ↔ ")}`);
    for (const e of c.edges) console.log(`  ${e}`);
  }
  Deno.exit(1);
}
