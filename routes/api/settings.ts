/** /api/settings/:name: admins read and change a run-time setting (lib/store/settings.ts). */
import { Hono } from "hono";
import type { AppEnv } from "../../lib/http/env.ts";
import { principal } from "../../lib/http/authenticate.ts";
import { readBody } from "../../lib/http/parse.ts";
import { settingBody } from "../../lib/contract/schemas.ts";
import { notFound } from "../../lib/errors.ts";
import type { Services } from "../../lib/server/services.ts";

export function settingsRoutes(
  { store, settingDefinitions }: Pick<Services, "store" | "settingDefinitions">,
) {
  const definition = (name: string) => {
    const found = settingDefinitions.find((d) => d.name === name);
    if (!found) throw notFound(`The setting "${name}"`);
    return found;
  };
  return new Hono<AppEnv>()
    .get("/:name", async (c) => {
      principal(c, ["admin"]);
      const def = definition(c.req.param("name"));
      return c.json({ name: def.name, ...await store.settings.get(def) });
    })
    .put("/:name", async (c) => {
      const { user } = principal(c, ["admin"]);
      const def = definition(c.req.param("name"));
      const { value, revision } = await readBody(c, settingBody);
      const entry = await store.settings.set(def, value, {
        revision,
        by: user.id,
        audit: {
          actorId: user.id,
          action: "setting.changed",
          target: def.name,
          details: { revision: revision ?? null },
        },
      });
      return c.json({ name: def.name, ...entry });
    });
}
