/**
 * The website widget's weight, as a browser gets it from a running server: the loader
 * (`/widget.js`, what every page of the host site downloads) and the panel's own JavaScript (every
 * module the frame page's one module script imports, followed transitively). Sizes are the bytes
 * served and their gzip (CompressionStream, as the server's compress() sends them). A report line
 * of `deno task bench`, and runnable alone: `deno run -A bench/widget_sizes.ts http://HOST:PORT/`.
 */

export interface WidgetSizes {
  loaderBytes: number;
  loaderGzipBytes: number;
  /** The frame page's JavaScript: the files and their sum. */
  panelFiles: { name: string; bytes: number; gzipBytes: number }[];
  panelBytes: number;
  panelGzipBytes: number;
}

export const BUDGET = { loaderGzipBytes: 6 * 1024, panelGzipBytes: 40 * 1024 };

async function gzipSize(bytes: Uint8Array<ArrayBuffer>): Promise<number> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

async function get(url: URL): Promise<Uint8Array<ArrayBuffer>> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** The relative module imports of a bundle (esbuild writes `from"./x.js"` and `import"./x.js"`). */
const imports = (code: string) =>
  [...code.matchAll(/(?:from|import)\s*"(\.\/[\w.-]+\.js)"/g)].map((m) => m[1]);

export async function measureWidget(base: string): Promise<WidgetSizes> {
  const root = new URL(base);
  const loader = await get(new URL("/widget.js", root));
  // The server's own origin may always frame the panel.
  const frame = new URL(`/widget/frame?origin=${encodeURIComponent(root.origin)}`, root);
  const html = new TextDecoder().decode(await get(frame));
  const script = /<script type="module"[^>]*>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? "";
  const queue = [...script.matchAll(/from"(\/_islands\/[\w.-]+\.js)"/g)].map((m) => m[1]);
  if (queue.length === 0) throw new Error("the frame page loads no module: no panel island?");
  const panelFiles: WidgetSizes["panelFiles"] = [];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    seen.add(path);
    const bytes = await get(new URL(path, root));
    panelFiles.push({
      name: path.split("/").pop()!,
      bytes: bytes.length,
      gzipBytes: await gzipSize(bytes),
    });
    for (const next of imports(new TextDecoder().decode(bytes))) {
      queue.push(new URL(next, new URL(path, root)).pathname);
    }
  }
  return {
    loaderBytes: loader.length,
    loaderGzipBytes: await gzipSize(loader),
    panelFiles,
    panelBytes: panelFiles.reduce((sum, f) => sum + f.bytes, 0),
    panelGzipBytes: panelFiles.reduce((sum, f) => sum + f.gzipBytes, 0),
  };
}

if (import.meta.main) {
  const sizes = await measureWidget(Deno.args[0] ?? "http://127.0.0.1:8000/");
  console.log(JSON.stringify(sizes, null, 2));
}
