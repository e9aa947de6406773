/** POST /api/auth/claim {guestToken}: a signed-in customer takes over their guest conversations. */
import { Hono } from "hono";
import type { AppEnv } from "../../lib/http/env.ts";
import { principal } from "../../lib/http/authenticate.ts";
import { readBody } from "../../lib/http/parse.ts";
import { claimGuest } from "../../lib/auth/claim.ts";
import { claimBody } from "../../lib/contract/schemas.ts";
import type { Services } from "../../lib/server/services.ts";

export function claimRoutes({ auth, store, relay }: Pick<Services, "auth" | "store" | "relay">) {
  return new Hono<AppEnv>()
    .post("/claim", async (c) => {
      const { user } = principal(c, ["customer"]);
      const { guestToken } = await readBody(c, claimBody);
      const conversations = await claimGuest({ auth, kv: store.kv, relay }, user, guestToken);
      return c.json({ conversations });
    });
}
