/**
 * Files: `POST /api/conversations/:id/attachments` (multipart field `file`) stores one, and
 * `GET /api/attachments/:id` serves it to the conversation's customer and staff, with headers
 * that keep a browser from running or sniffing it (lib/files/).
 */
import { Hono } from "hono";
import type { AppEnv } from "../../lib/http/env.ts";
import { principal } from "../../lib/http/authenticate.ts";
import { idParam } from "../../lib/http/parse.ts";
import { readUpload } from "../../lib/http/upload.ts";
import { megabytes } from "../../lib/files/files.ts";
import { SAFE_IMAGES } from "../../lib/files/sniff.ts";
import type { Services } from "../../lib/server/services.ts";

/** Under /api/conversations. */
export function uploadRoutes({ files }: Pick<Services, "files">) {
  return new Hono<AppEnv>()
    .use("/:id/attachments", idParam("Conversation"))
    .post("/:id/attachments", async (c) => {
      const { user } = principal(c);
      const file = await readUpload(c.req.raw, files.maxBytes, megabytes(files.maxBytes));
      const attachment = await files.upload(user, c.req.param("id"), file);
      return c.json({ attachment }, 201);
    });
}

/** `filename*` (RFC 6266/8187) plus an ASCII fallback. */
function disposition(kind: "inline" | "attachment", name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%;]/g, "_");
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** Under /api/attachments. */
export function attachmentRoutes({ files }: Pick<Services, "files">) {
  return new Hono<AppEnv>()
    .use("/:id", idParam("File"))
    .get("/:id", async (c) => {
      const { user } = principal(c);
      const { record, body } = await files.open(user, c.req.param("id"));
      const inline = SAFE_IMAGES.has(record.type);
      return new Response(body, {
        headers: {
          "Content-Type": record.type,
          "Content-Length": String(record.size),
          "X-Content-Type-Options": "nosniff",
          "Content-Security-Policy": "default-src 'none'; sandbox",
          "Content-Disposition": disposition(inline ? "inline" : "attachment", record.name),
          "Cache-Control": "private, max-age=86400, immutable",
          "Cross-Origin-Resource-Policy": "same-origin",
        },
      });
    });
}
