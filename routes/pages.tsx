/** Pages. A plain placeholder until the chat and console islands land. */
import { Hono } from "hono";
import type { AppEnv } from "../lib/http.ts";

export const pageRoutes = new Hono<AppEnv>()
  .get("/", (c) =>
    c.html(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Parley</title></head>` +
        `<body><main><h1>Parley</h1><p>The API is at /api and the socket at /ws.</p></main></body></html>`,
    ));
