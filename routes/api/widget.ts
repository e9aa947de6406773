/**
 * /api/widget: what the website widget needs besides the chat API it shares with `/`.
 *
 * - `GET /settings` (anyone): the appearance the loader draws the launcher with. CORS answers only
 *   allowed origins, so on any other site the loader learns it isn't welcome.
 * - `POST /identify` (the panel, with its guest or customer token as Bearer, or none): verified
 *   identify (lib/widget/identity.ts) → `{user, token}`.
 * - `PUT /profile` (guest, customer): the pre-chat or offline form's name and email.
 * - `GET /availability` (guest, customer): whether anyone on the team is online, so the panel can
 *   say honestly that a person will answer by email later, and whether it is within business hours
 *   (`open`, and when not, `reopensAt` and `reopensText`).
 * The panel calls these from Parley's own origin with `Authorization: Bearer`, never a cookie.
 */
import { Hono } from "hono";
import { cors } from "hono/cors";
import type { AppEnv } from "../../lib/http/env.ts";
import { principal } from "../../lib/http/authenticate.ts";
import { readBody } from "../../lib/http/parse.ts";
import { identifyBody, profileBody } from "../../lib/contract/widget.ts";
import { publicSettings, WIDGET_SETTINGS } from "../../lib/widget/settings.ts";
import type { Services } from "../../lib/server/services.ts";

type WidgetDeps = Pick<
  Services,
  | "store"
  | "config"
  | "origins"
  | "identity"
  | "auth"
  | "signInLimits"
  | "clientAddress"
  | "businessHours"
>;

export function widgetApiRoutes(
  { store, config, origins, identity, auth, signInLimits, clientAddress, businessHours }:
    WidgetDeps,
) {
  return new Hono<AppEnv>()
    .use(cors({
      origin: async (origin) => (await origins.has(origin)) ? origin : null,
      allowMethods: ["GET", "POST", "PUT"],
      allowHeaders: ["content-type", "authorization"],
      maxAge: 600,
    }))
    .get("/settings", async (c) => {
      const settings = publicSettings(await store.settings.value(WIDGET_SETTINGS), config);
      c.header("Cache-Control", "no-cache");
      return c.json({ settings });
    })
    .post("/identify", async (c) => {
      const body = await readBody(c, identifyBody);
      // A sign-in like the others: it spends the address's budget (KV, every instance).
      await signInLimits.spendAddress(clientAddress(c));
      // Only a Bearer token counts: the panel never relies on a cookie (third-party frames).
      const bearer = /^bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "")?.[1]?.trim();
      const current = bearer ? await auth.resolve(bearer) : null;
      const identified = await identity.identify(
        body,
        current && bearer ? { principal: current, token: bearer } : null,
      );
      return c.json(identified);
    })
    .put("/profile", async (c) => {
      const { user } = principal(c, ["guest", "customer"]);
      const body = await readBody(c, profileBody);
      const record = await store.visitors.setContact(user.id, body);
      return c.json({ user: await auth.publicUser(record) });
    })
    .get("/availability", async (c) => {
      principal(c, ["guest", "customer"]);
      const [staff, hours] = await Promise.all([store.users.listStaff(), businessHours.status()]);
      return c.json({ online: staff.some((s) => s.state.status !== "offline"), ...hours });
    });
}
