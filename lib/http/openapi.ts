/**
 * The OpenAPI 3.1 document of the HTTP API (`GET /api/openapi.json`, rendered at /api/docs),
 * generated with zod 4's `toJSONSchema` from the same schemas the routes validate with
 * (lib/contract/) and the response schemas of lib/contract/responses.ts. The routes stay plain
 * Hono routes; the table in ./openapi_operations.ts registers each one (tests/openapi_test.ts checks that every registered
 * route is in it, and validates real responses against it).
 */
import { z } from "zod";
import { errorResponse } from "../contract/responses.ts";
import { ROUTE_SCOPES } from "./scopes.ts";
import { OPERATIONS, type Schema } from "./openapi_operations.ts";

export { OPERATIONS };

/** "/api/conversations/:id" → "/api/conversations/{id}". */
export const openApiPath = (honoPath: string) => honoPath.replace(/:([A-Za-z]+)/g, "{$1}");

/** A schema inlined (no $defs: a "#/…" ref would point into the document, not the schema). */
function jsonSchema(schema: Schema, io: "input" | "output"): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: "any",
    target: "draft-2020-12",
    cycles: "throw",
  }) as Record<string, unknown>;
  return rest;
}

/** Query schemas become one parameter per property. */
function queryParameters(schema: Schema) {
  const js = jsonSchema(schema, "input") as {
    properties?: Record<string, unknown>;
    required?: string[];
  };
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({
    name,
    in: "query",
    required: js.required?.includes(name) ?? false,
    schema: s,
  }));
}

export function openApiDocument(version = "2") {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [route, op] of Object.entries(OPERATIONS)) {
    const [method, path] = route.split(" ");
    const params = [...path.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    const scope = ROUTE_SCOPES[`${method} ${path.replace(/\{([A-Za-z]+)\}/g, ":$1")}`];
    const responses: Record<string, unknown> = {};
    for (const [status, schema] of Object.entries(op.responses)) {
      responses[status] = schema
        ? {
          description: "OK",
          content: { "application/json": { schema: jsonSchema(schema, "output") } },
        }
        : { description: status === "204" ? "No content" : "HTML" };
    }
    responses.default = {
      description: "An error",
      content: { "application/json": { schema: jsonSchema(errorResponse, "output") } },
    };
    paths[path] ??= {};
    paths[path][method.toLowerCase()] = {
      summary: op.summary,
      description: `Who: ${op.who}. API token scope: ${
        scope === "any" ? "any" : scope ?? "tokens not accepted"
      }.`,
      parameters: [...params, ...(op.query ? queryParameters(op.query) : [])],
      ...(op.body
        ? {
          requestBody: {
            required: true,
            content: { "application/json": { schema: jsonSchema(op.body, "input") } },
          },
        }
        : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Parley HTTP API",
      version,
      description: "Authenticate with the session cookie or `Authorization: Bearer <token>` " +
        "(a session token or an API token). Errors are `{error: {code, message}}`.",
    },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
    },
    security: [{ bearer: [] }, {}],
    paths,
  };
}
