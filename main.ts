/** Parley: reads the settings, starts the server. Everything else lives in lib/ and routes/. */
import { ConfigError, parseConfig } from "./lib/config.ts";
import { startServer } from "./lib/server.ts";

try {
  const config = parseConfig(Deno.env.toObject());
  await startServer(config, {
    onListen: (url) => console.log(`Listening on ${url}`),
  });
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    Deno.exit(1);
  }
  throw err;
}
