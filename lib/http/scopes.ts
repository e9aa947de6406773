/**
 * What an API token may call: every /api route, by method and path pattern, mapped to the scope
 * it needs. A token holding `admin` may call anything a token may call; a route mapped to null
 * (signing in and out, the widget's own calls) refuses tokens altogether, and so does any route
 * missing from the table; "any": every token (public documents). Sessions (cookies and sign-in tokens) are not limited here: their roles
 * are checked by each route. tests/scopes_test.ts checks that every registered route is listed.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./env.ts";
import type { TokenScope } from "../contract/operations.ts";
import { AppError } from "../errors.ts";

export const ROUTE_SCOPES: Record<string, TokenScope | null | "any"> = {
  "POST /api/auth/guest": null,
  "POST /api/auth/register": null,
  "POST /api/auth/login": null,
  "POST /api/auth/logout": null,
  "GET /api/auth/me": "conversations:read",
  "POST /api/auth/claim": null,
  "POST /api/agents": "admin",
  "GET /api/agents": "conversations:read",
  "PUT /api/agents/me/status": null,
  "PUT /api/agents/:id": "admin",
  "GET /api/customers/:id": "customers:read",
  "POST /api/conversations": null,
  "GET /api/conversations": "conversations:read",
  "GET /api/conversations/counts": "conversations:read",
  "GET /api/conversations/:id": "conversations:read",
  "POST /api/conversations/:id/read": "conversations:write",
  "GET /api/conversations/:id/messages": "conversations:read",
  "POST /api/conversations/:id/messages": "conversations:write",
  "POST /api/conversations/:id/handoff": null,
  "POST /api/conversations/:id/takeover": "conversations:write",
  "POST /api/conversations/:id/handback": "conversations:write",
  "POST /api/conversations/:id/transfer": "conversations:write",
  "POST /api/conversations/:id/resolve": "conversations:write",
  "POST /api/conversations/:id/transcript": null,
  "GET /api/metrics": "admin",
  "POST /api/conversations/:id/messages/:seq/feedback": null,
  "GET /api/conversations/:id/feedback": "conversations:read",
  "POST /api/conversations/:id/suggest": "conversations:read",
  "GET /api/conversations/:id/summary": "conversations:read",
  "GET /api/help/articles": "admin",
  "GET /api/help/articles/:slug": "admin",
  "PUT /api/help/articles/:slug": "admin",
  "DELETE /api/help/articles/:slug": "admin",
  "POST /api/help/preview": "admin",
  "GET /api/bot/metrics": "admin",
  "POST /api/bot/eval": "admin",
  "GET /api/widget/settings": null,
  "POST /api/widget/identify": null,
  "PUT /api/widget/profile": null,
  "GET /api/widget/availability": null,
  "GET /api/settings/:name": "admin",
  "PUT /api/settings/:name": "admin",
  "POST /api/webhooks": "webhooks:manage",
  "GET /api/webhooks": "webhooks:manage",
  "GET /api/webhooks/deliveries": "webhooks:manage",
  "POST /api/webhooks/deliveries/:id/redeliver": "webhooks:manage",
  "DELETE /api/webhooks/:id": "webhooks:manage",
  "POST /api/tokens": "admin",
  "GET /api/tokens": "admin",
  "DELETE /api/tokens/:id": "admin",
  "GET /api/audit": "admin",
  "POST /api/conversations/:id/rating": null,
  "GET /api/conversations/:id/rating": "conversations:read",
  "GET /api/reports": "admin",
  "PUT /api/conversations/:id/labels": "conversations:write",
  "GET /api/labels": "conversations:read",
  "GET /api/canned-replies": "conversations:read",
  "POST /api/canned-replies": "conversations:write",
  "PUT /api/canned-replies/:id": "conversations:write",
  "DELETE /api/canned-replies/:id": "conversations:write",
  "GET /api/search": "conversations:read",
  "POST /api/conversations/:id/snooze": "conversations:write",
  "DELETE /api/conversations/:id/snooze": "conversations:write",
  "POST /api/conversations/:id/attachments": "conversations:write",
  "GET /api/attachments/:id": "conversations:read",
  "GET /api/customers/:id/export": "customers:read",
  "DELETE /api/customers/:id": "customers:write",
  "GET /api/openapi.json": "any",
  "GET /api/docs": "any",
};

interface Compiled {
  method: string;
  pattern: RegExp;
  scope: TokenScope | null | "any";
  /** Literal segments first: /agents/me/status wins over /agents/:id. */
  literals: number;
}

const compiled: Compiled[] = Object.entries(ROUTE_SCOPES).map(([route, scope]) => {
  const [method, path] = route.split(" ");
  const segments = path.split("/");
  const pattern = new RegExp(
    "^" +
      segments.map((s) => (s.startsWith(":") ? "[^/]+" : s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
        .join("/") +
      "/?$",
  );
  return { method, pattern, scope, literals: segments.filter((s) => !s.startsWith(":")).length };
}).sort((a, b) => b.literals - a.literals);

/** The table's entry for a request, if any ({scope} with null: tokens refused). */
export function scopeFor(
  method: string,
  path: string,
): { scope: TokenScope | null | "any" } | null {
  const m = method === "HEAD" ? "GET" : method;
  const hit = compiled.find((r) => r.method === m && r.pattern.test(path));
  return hit ? { scope: hit.scope } : null;
}

/** Refuses a token-authenticated request its scopes don't cover (403 `forbidden`). */
export function tokenScopes(): MiddlewareHandler<AppEnv> {
  return async function tokenScopes(c, next) {
    const token = c.var.principal?.apiToken;
    if (token) {
      const entry = scopeFor(c.req.method, c.req.path);
      if (!entry || entry.scope === null) {
        throw new AppError("forbidden", "API tokens can't call this endpoint; sign in instead.");
      }
      const scope = entry.scope;
      if (scope !== "any" && !token.scopes.includes(scope) && !token.scopes.includes("admin")) {
        throw new AppError("forbidden", `This token lacks the scope ${scope}.`);
      }
    }
    await next();
  };
}
