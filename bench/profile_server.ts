/**
 * Parley for `deno task bench --profile DIR`: the same server as main.ts, but it shuts down on
 * SIGTERM and exits normally, so `deno run --cpu-prof` gets to write its profile.
 */
import { parseConfig } from "../lib/config.ts";
import { startServer } from "../lib/server/server.ts";

const server = await startServer(parseConfig(Deno.env.toObject()), {
  onListen: (url) => console.log(`Listening on ${url}`),
});
Deno.addSignalListener("SIGTERM", async () => {
  await server.shutdown();
  Deno.exit(0);
});
