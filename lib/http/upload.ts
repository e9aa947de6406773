/**
 * A multipart upload read with a byte cap: the body is counted as it streams in and cut off past
 * the file limit plus a little multipart overhead, so no request makes the server hold more than
 * that (the declared Content-Length is refused up front when it is already too big).
 */
import { AppError, badRequest, tooLarge } from "../errors.ts";

/** Room for the multipart boundaries and part headers around the file. */
export const MULTIPART_OVERHEAD = 16 * 1024;

export interface UploadedFile {
  name: string;
  bytes: Uint8Array;
}

/** The multipart field `file` of `req`, at most `maxBytes` (413 beyond, 400 if malformed). */
export async function readUpload(
  req: Request,
  maxBytes: number,
  what: string,
): Promise<UploadedFile> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data\s*;/i.test(type)) {
    throw badRequest("Content-Type: send the file as multipart/form-data, in the field `file`");
  }
  const cap = maxBytes + MULTIPART_OVERHEAD;
  const tooBig = () => tooLarge(`file: files are at most ${what}`);
  const declared = Number(req.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > cap) throw tooBig();
  if (!req.body) throw badRequest("file: missing; send the file in the multipart field `file`");
  let seen = 0;
  const capped = req.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > cap) controller.error(tooBig());
        else controller.enqueue(chunk);
      },
    }),
  );
  let form: FormData;
  try {
    form = await new Response(capped, { headers: { "content-type": type } }).formData();
  } catch (err) {
    if (seen > cap) throw tooBig();
    if (err instanceof AppError) throw err;
    throw badRequest("body: not a valid multipart/form-data body");
  }
  const files = form.getAll("file");
  const file = files[0];
  if (!(file instanceof File)) {
    throw badRequest("file: missing; send the file in the multipart field `file`");
  }
  if (files.length > 1) throw badRequest("file: one file per upload");
  if (file.size > maxBytes) throw tooBig();
  if (file.size === 0) throw badRequest("file: the file is empty (0 bytes)");
  return { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) };
}
