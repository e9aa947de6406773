/**
 * /api/tokens: admins create API tokens (the secret shown once), list them (names, scopes, last
 * use) and revoke them. A token works as `Authorization: Bearer <secret>`, acting as the admin who
 * made it within its scopes (lib/http/scopes.ts). Only the secret's SHA-256 is stored.
 */
import { Hono } from "hono";
import type { AppEnv } from "../../lib/http/env.ts";
import { principal } from "../../lib/http/authenticate.ts";
import { idParam, readBody } from "../../lib/http/parse.ts";
import { type ApiToken, tokenBody } from "../../lib/contract/operations.ts";
import { notFound } from "../../lib/errors.ts";
import { newToken, sha256Hex } from "../../lib/ids.ts";
import { API_TOKEN_PREFIX } from "../../lib/auth/auth.ts";
import type { ApiTokenRecord } from "../../lib/store/api_tokens.ts";
import type { Services } from "../../lib/server/services.ts";

const view = (t: ApiTokenRecord): ApiToken => ({
  id: t.id,
  name: t.name,
  scopes: t.scopes,
  createdAt: t.createdAt,
  lastUsedAt: t.lastUsedAt,
});

export function tokenRoutes(
  { store, clock, newId }: Pick<Services, "store" | "clock" | "newId">,
) {
  return new Hono<AppEnv>()
    .post("/", async (c) => {
      const { user } = principal(c, ["admin"]);
      const body = await readBody(c, tokenBody);
      const secret = API_TOKEN_PREFIX + newToken();
      const record: ApiTokenRecord = {
        id: newId(),
        name: body.name,
        scopes: [...new Set(body.scopes)],
        hash: await sha256Hex(secret),
        createdBy: user.id,
        createdAt: new Date(clock.now()).toISOString(),
        lastUsedAt: null,
      };
      await store.apiTokens.create(record, {
        actorId: user.id,
        action: "token.created",
        target: record.id,
        details: { name: record.name, scopes: record.scopes },
        at: clock.now(),
      });
      return c.json(
        { token: { id: record.id, name: record.name, scopes: record.scopes }, secret },
        201,
      );
    })
    .get("/", async (c) => {
      principal(c, ["admin"]);
      return c.json({ tokens: (await store.apiTokens.list()).map(view) });
    })
    .delete("/:id", idParam("Token"), async (c) => {
      const { user } = principal(c, ["admin"]);
      const id = c.req.param("id");
      const ok = await store.apiTokens.revoke(id, {
        actorId: user.id,
        action: "token.revoked",
        target: id,
        details: {},
        at: clock.now(),
      });
      if (!ok) throw notFound("Token");
      return c.body(null, 204);
    });
}
