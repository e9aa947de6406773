/**
 * Files in a conversation's UI: `AttachFiles` (the **Attach file** button, pasting a screenshot into
 * its composer, dropping files on the page: each is uploaded, then sent as a message of its own) and
 * `AttachmentList` (images as thumbnails whose alt text is the file name, other files as
 * download buttons). Files are fetched with the page's credentials (the widget's Bearer token)
 * and shown through object URLs.
 */
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { api, fetchFile, newClientId, uploadFile } from "../lib/client/api.ts";
import type { Attachment } from "../lib/contract/types.ts";

const IMAGES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);
const ACCEPT = "image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain," +
  ".txt,.csv,.log,.md,.docx,.xlsx,.pptx,.doc,.xls,.ppt";

export interface AttachFilesProps {
  /** The conversation to send to (the customer's page creates it first if need be). */
  conversationId: () => Promise<string>;
  /** The widget's Bearer token; undefined: the session cookie. */
  token?: string | null;
  disabled?: boolean;
}

export function AttachFiles(props: AttachFilesProps) {
  const status = useSignal<string | null>(null);
  const error = useSignal<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const root = useRef<HTMLSpanElement>(null);
  const latest = useRef(props);
  latest.current = props;

  const send = async (files: File[]) => {
    const { conversationId, token } = latest.current;
    for (const file of files) {
      status.value = `Uploading ${file.name || "file"}…`;
      try {
        const id = await conversationId();
        const attachment = await uploadFile(id, file, { token });
        await api("POST", `/api/conversations/${id}/messages`, {
          text: "",
          attachmentIds: [attachment.id],
          clientId: newClientId(),
        }, { token });
        error.value = null;
      } catch (err) {
        error.value = err instanceof Error ? err.message : String(err);
      }
    }
    status.value = null;
  };

  useEffect(() => {
    const files = (list: FileList | null | undefined) => [...(list ?? [])];
    const onPaste = (e: ClipboardEvent) => {
      const pasted = files(e.clipboardData?.files);
      if (!pasted.length || latest.current.disabled) return;
      e.preventDefault();
      void send(pasted);
    };
    const onDragOver = (e: DragEvent) => {
      if (e.dataTransfer?.types.includes("Files")) e.preventDefault();
    };
    const onDrop = (e: DragEvent) => {
      const dropped = files(e.dataTransfer?.files);
      if (!dropped.length) return;
      e.preventDefault();
      if (!latest.current.disabled) void send(dropped);
    };
    // Pasting counts in this composer's form only (not in another box on the page, such as a
    // private note's); dropping counts anywhere on the page.
    const pasteTarget: EventTarget = root.current?.closest("form") ?? globalThis;
    pasteTarget.addEventListener("paste", onPaste as EventListener);
    addEventListener("dragover", onDragOver);
    addEventListener("drop", onDrop);
    return () => {
      pasteTarget.removeEventListener("paste", onPaste as EventListener);
      removeEventListener("dragover", onDragOver);
      removeEventListener("drop", onDrop);
    };
  }, []);

  return (
    <span class="attach" ref={root}>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        accept={ACCEPT}
        onChange={(e) => {
          const chosen = [...(e.currentTarget.files ?? [])];
          e.currentTarget.value = "";
          if (chosen.length) void send(chosen);
        }}
      />
      <button
        type="button"
        class="secondary"
        disabled={props.disabled || status.value !== null}
        onClick={() => input.current?.click()}
      >
        Attach file
      </button>
      {status.value && <span class="attach-status" role="status">{status.value}</span>}
      {error.value && <span class="field-error" role="alert">{error.value}</span>}
    </span>
  );
}

const sizeText = (n: number) =>
  n < 1024
    ? `${n} B`
    : n < 1024 * 1024
    ? `${Math.round(n / 1024)} KiB`
    : `${(n / 1024 / 1024).toFixed(1)} MiB`;

/** An object URL of the file while mounted. */
function useFileUrl(id: string, token: string | null | undefined) {
  const url = useSignal<string | null>(null);
  useEffect(() => {
    let made: string | null = null, live = true;
    fetchFile(id, token).then((blob) => {
      if (!live) return;
      made = URL.createObjectURL(blob);
      url.value = made;
    }).catch(() => {});
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [id, token]);
  return url.value;
}

function Thumbnail({ file, token }: { file: Attachment; token?: string | null }) {
  const url = useFileUrl(file.id, token);
  return url
    ? (
      <a href={url} target="_blank" rel="noopener" class="thumb-link">
        <img class="thumb" src={url} alt={file.name} />
      </a>
    )
    : <span class="thumb loading" role="img" aria-label={file.name} />;
}

function Download({ file, token }: { file: Attachment; token?: string | null }) {
  return (
    <button
      type="button"
      class="file link"
      onClick={async () => {
        const blob = await fetchFile(file.id, token);
        const a = document.createElement("a");
        a.href = URL.createObjectURL(blob);
        a.download = file.name;
        a.click();
        setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
      }}
    >
      📎 {file.name} <span class="muted">({sizeText(file.size)})</span>
    </button>
  );
}

export function AttachmentList(
  { files, token }: { files: Attachment[]; token?: string | null },
) {
  return (
    <ul class="attachments" aria-label="Files">
      {files.map((f) => (
        <li key={f.id}>
          {IMAGES.has(f.type)
            ? <Thumbnail file={f} token={token} />
            : <Download file={f} token={token} />}
        </li>
      ))}
    </ul>
  );
}
