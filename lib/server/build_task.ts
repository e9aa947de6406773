/**
 * `deno task build`: bundles the islands once and writes them, with a manifest, to ISLANDS_DIR
 * (default `_build/islands/`), for servers started with ISLANDS=prebuilt (Deno Deploy).
 */
import { ConfigError, parseConfig } from "../config.ts";
import { buildIslands } from "../islands/build.ts";
import { writeIslandBuild } from "../islands/prebuilt.ts";

try {
  const { dir } = parseConfig(Deno.env.toObject()).islands;
  const build = await buildIslands();
  const manifest = await writeIslandBuild(build, dir);
  console.log(
    `Wrote ${Object.keys(manifest.islands).length} islands in ${build.files.size} files ` +
      `to ${dir} (${Math.round(build.ms)} ms)`,
  );
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    Deno.exit(1);
  }
  throw err;
}
