/**
 * Which files Parley accepts, decided by their content (magic bytes, via `file-type`), not by
 * their name: images (PNG, JPEG, GIF, WebP), PDF, plain UTF-8 text, and office documents (the
 * zip-based .docx/.xlsx/.pptx and the legacy OLE .doc/.xls/.ppt). A name's extension, when it has
 * one, must agree with the content: an HTML page named `.png` is refused. File names are checked,
 * not rewritten: a path separator or a control character is a 400 naming `file`.
 */
import { fileTypeFromBuffer } from "file-type";
import { badRequest } from "../errors.ts";

interface Kind {
  /** The type the file is stored and served with. */
  type: string;
  /** Extensions a name may have for this content. */
  exts: string[];
  label: string;
}

const TEXT: Kind = {
  type: "text/plain; charset=utf-8",
  exts: ["txt", "text", "log", "csv", "md"],
  label: "plain text",
};

/** file-type's answers we accept, by its `mime`. */
const KINDS: Record<string, Kind> = {
  "image/png": { type: "image/png", exts: ["png"], label: "a PNG image" },
  "image/jpeg": { type: "image/jpeg", exts: ["jpg", "jpeg", "jfif"], label: "a JPEG image" },
  "image/gif": { type: "image/gif", exts: ["gif"], label: "a GIF image" },
  "image/webp": { type: "image/webp", exts: ["webp"], label: "a WebP image" },
  "application/pdf": { type: "application/pdf", exts: ["pdf"], label: "a PDF" },
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
    type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    exts: ["docx"],
    label: "a Word document",
  },
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
    type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    exts: ["xlsx"],
    label: "an Excel workbook",
  },
  "application/vnd.openxmlformats-officedocument.presentationml.presentation": {
    type: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    exts: ["pptx"],
    label: "a PowerPoint presentation",
  },
};

/** Legacy office files are OLE compound files (`cfb`): which one is told by the name alone. */
const OLE: Record<string, Kind> = {
  doc: { type: "application/msword", exts: ["doc"], label: "a Word document" },
  xls: { type: "application/vnd.ms-excel", exts: ["xls"], label: "an Excel workbook" },
  ppt: { type: "application/vnd.ms-powerpoint", exts: ["ppt"], label: "a PowerPoint file" },
};

/** Images a browser may show inline (served without `Content-Disposition: attachment`). */
export const SAFE_IMAGES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);

export const MAX_NAME_LENGTH = 200;

/**
 * The name as given, if acceptable: 1–200 characters, not "." or "..", no `/` or `\`, no control
 * characters (C0, DEL, C1) and no bidirectional overrides (which can disguise an extension).
 */
export function checkFileName(raw: string): string {
  const name = raw.normalize("NFC").trim();
  if (name === "" || name === "." || name === "..") {
    throw badRequest("file: the file needs a name");
  }
  if ([...name].length > MAX_NAME_LENGTH) {
    throw badRequest(`file: the name is over ${MAX_NAME_LENGTH} characters; rename the file`);
  }
  if (/[/\\]/.test(name)) {
    throw badRequest("file: the name must not contain / or \\ (path separators); rename the file");
  }
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(name)) {
    throw badRequest("file: the name must not contain control characters; rename the file");
  }
  return name;
}

const extOf = (name: string) => {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
};

/** UTF-8 text with no control characters but tab, newlines and form feed, not markup. */
function isPlainText(bytes: Uint8Array): boolean {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text)) return false;
  // A page or an SVG is never stored as text, whatever its name says.
  return !/^\s*</.test(text.replace(/^\uFEFF/, ""));
}

/**
 * The media type to store `bytes` under, from their content; the name's extension (if any) must
 * agree. Throws 400 naming `file` for anything else.
 */
export async function sniffType(name: string, bytes: Uint8Array): Promise<string> {
  if (bytes.length === 0) throw badRequest("file: the file is empty (0 bytes)");
  const ext = extOf(name);
  const found = await fileTypeFromBuffer(bytes);
  let kind: Kind | undefined;
  if (found?.mime === "application/x-cfb") kind = OLE[ext];
  else if (found) kind = KINDS[found.mime];
  else if (isPlainText(bytes)) kind = TEXT;
  if (!kind) {
    throw badRequest(
      "file: this kind of file is not accepted (by its content). Send an image (PNG, JPEG, " +
        "GIF, WebP), a PDF, plain text or an office document.",
    );
  }
  if (ext && !kind.exts.includes(ext)) {
    throw badRequest(
      `file: the name ends in .${ext} but the content is ${kind.label}; files are checked by ` +
        "their content. Rename it or send the right file.",
    );
  }
  return kind.type;
}
