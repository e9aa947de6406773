/** POST /api/auth/claim {guestToken}: a signed-in customer takes over their guest conversations. */
import { Hono } from "hono";
import { z } from "zod";
import { type AppEnv, principal, readBody } from "../../lib/http.ts";
import { claimGuest } from "../../lib/claim.ts";

const claimBody = z.strictObject({ guestToken: z.string().min(1).max(200) });

export const claimRoutes = new Hono<AppEnv>()
  .post("/claim", async (c) => {
    const { user } = principal(c, ["customer"]);
    const { guestToken } = await readBody(c, claimBody);
    const conversations = await claimGuest(c.var.services, user, guestToken);
    return c.json({ conversations });
  });
