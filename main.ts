/** Parley: reads the settings, starts the server (or WORKERS isolates). Everything else lives in lib/ and routes/. */
import { ConfigError, parseConfig } from "./lib/config.ts";
import { startServer } from "./lib/server/server.ts";
import { runWorkers } from "./lib/server/workers.ts";
import { onShutdownSignal } from "./lib/server/shutdown.ts";
import { StartupError } from "./lib/errors.ts";

try {
  const env = Deno.env.toObject();
  const config = parseConfig(env);
  if (config.workers > 1) await runWorkers(config, env);
  else {
    const server = await startServer(config, {
      onListen: (url) => console.log(`Listening on ${url}`),
    });
    onShutdownSignal(() => server.shutdown());
  }
} catch (err) {
  if (err instanceof ConfigError || err instanceof StartupError) {
    console.error(err.message);
    Deno.exit(1);
  }
  throw err;
}
