/**
 * GET /api/openapi.json (the OpenAPI 3.1 document: lib/http/openapi.ts) and GET /api/docs, the
 * same document as a readable page served by Parley itself (no CDN, no script).
 */
import { Hono } from "hono";
import { renderToString } from "preact-render-to-string";
import type { AppEnv } from "../../lib/http/env.ts";
import { openApiDocument } from "../../lib/http/openapi.ts";

interface DocOperation {
  summary: string;
  description: string;
  parameters: { name: string; in: string; required: boolean; schema: unknown }[];
  requestBody?: { content: { "application/json": { schema: unknown } } };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
}

const pretty = (v: unknown) => JSON.stringify(v, null, 2);

function DocsPage({ doc }: { doc: ReturnType<typeof openApiDocument> }) {
  const entries = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods as Record<string, DocOperation>).map(([method, op]) => ({
      path,
      method,
      op,
    }))
  );
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Parley HTTP API</title>
        <link rel="stylesheet" href="/static/app.css" />
      </head>
      <body>
        <main class="page wide">
          <h1>{doc.info.title}</h1>
          <p>{doc.info.description}</p>
          <p>
            Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI{" "}
            {doc.openapi}).
          </p>
          <nav aria-label="Endpoints">
            <ul>
              {entries.map(({ path, method, op }) => (
                <li key={`${method} ${path}`}>
                  <a href={`#${method}-${path}`}>
                    <code>{method.toUpperCase()} {path}</code>
                  </a>{" "}
                  — {op.summary}
                </li>
              ))}
            </ul>
          </nav>
          {entries.map(({ path, method, op }) => (
            <section class="card" id={`${method}-${path}`} key={`${method} ${path}`}>
              <h2>
                <code>{method.toUpperCase()} {path}</code>
              </h2>
              <p>{op.summary}. {op.description}</p>
              {op.parameters.length > 0 && (
                <>
                  <h3>Parameters</h3>
                  <ul>
                    {op.parameters.map((p) => (
                      <li key={p.name}>
                        <code>{p.name}</code> ({p.in}
                        {p.required ? ", required" : ""}): <code>{JSON.stringify(p.schema)}</code>
                      </li>
                    ))}
                  </ul>
                </>
              )}
              {op.requestBody && (
                <details>
                  <summary>Request body (JSON)</summary>
                  <pre>{pretty(op.requestBody.content["application/json"].schema)}</pre>
                </details>
              )}
              {Object.entries(op.responses).map(([status, r]) => (
                <details key={status}>
                  <summary>Response {status}: {r.description}</summary>
                  {r.content && <pre>{pretty(r.content["application/json"].schema)}</pre>}
                </details>
              ))}
            </section>
          ))}
        </main>
      </body>
    </html>
  );
}

export function openApiRoutes() {
  const doc = openApiDocument();
  const json = JSON.stringify(doc);
  const page = "<!doctype html>" + renderToString(<DocsPage doc={doc} />);
  return new Hono<AppEnv>()
    .get("/openapi.json", (c) => c.body(json, 200, { "content-type": "application/json" }))
    .get("/docs", (c) => c.html(page));
}
