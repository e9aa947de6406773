/** POST /api/auth/claim {guestToken}: a signed-in customer takes over their guest conversations. */
import { Hono } from "hono";
import { type AppEnv, principal, readBody } from "../../lib/http/mod.ts";
import { claimGuest } from "../../lib/auth/claim.ts";
import { claimBody } from "../../lib/contract/schemas.ts";

export const claimRoutes = new Hono<AppEnv>()
  .post("/claim", async (c) => {
    const { user } = principal(c, ["customer"]);
    const { guestToken } = await readBody(c, claimBody);
    const conversations = await claimGuest(c.var.services, user, guestToken);
    return c.json({ conversations });
  });
