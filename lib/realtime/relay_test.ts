/**
 * The relay's source of other instances' commits (./relay.ts `startWatch`): with KV in a local
 * file (`pollMs` set) it polls the signal keys and opens no watch, which would hear only this
 * process and cost a read and a wake-up per commit; otherwise (remote, in memory) it watches.
 */
import { assertEquals } from "../../tests/assert.ts";
import { createLogger } from "../log.ts";
import { OwnSignals } from "./own_signals.ts";
import { Relay } from "./relay.ts";

async function watchesOpened(pollMs: number): Promise<number> {
  const kv = await Deno.openKv(":memory:");
  let watches = 0;
  const counted = new Proxy(kv, {
    get(target, prop) {
      if (prop === "watch") watches++;
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const relay = new Relay(counted, {
    broadcast: false,
    ownSignals: new OwnSignals(),
    pollMs,
    log: createLogger("error"),
  });
  relay.startWatch();
  relay.close();
  kv.close();
  return watches;
}

Deno.test("relay: a local file's signal keys are polled, not watched; other stores are watched", async () => {
  assertEquals(await watchesOpened(100), 0);
  assertEquals(await watchesOpened(0), 1);
});
