/**
 * `deno task bench:attachments`: upload throughput of one 10 MiB file through
 * `POST /api/conversations/:id/attachments` (multipart, content sniffing, chunked KV commits) and
 * the download back through `GET /api/attachments/:id`, against a server in this process on a
 * fresh KV file (as `deno task start` uses) and, for comparison, `:memory:`. Prints the median
 * and the best of `--runs` (default 5) in MiB/s.
 */
import { parseConfig } from "../lib/config.ts";
import { startServer } from "../lib/server/server.ts";

const runs = Number(Deno.args[Deno.args.indexOf("--runs") + 1]) || 5;
const SIZE = 10 * 1024 * 1024;
const ADMIN = { email: "bench@bench.local", password: "bench-password-1" };

/** A 10 MiB "PDF": a real PDF header, then filler (the sniffer reads the head). */
function payload(): Uint8Array {
  const bytes = new Uint8Array(SIZE);
  bytes.set(new TextEncoder().encode("%PDF-1.4\n"));
  for (let i = 16; i < SIZE; i++) bytes[i] = (i * 31) & 0xff;
  return bytes;
}

async function measure(kvPath: string) {
  const server = await startServer(
    parseConfig({
      PORT: "0",
      HOST: "127.0.0.1",
      KV_PATH: kvPath,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: "error",
      RATE_UPLOADS_PER_HOUR: "1000",
    }),
  );
  try {
    const api = (path: string, init: RequestInit = {}) => fetch(new URL(path, server.url), init);
    const guest = await (await api("api/auth/guest", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    })).json();
    const auth = { authorization: `Bearer ${guest.token}` };
    const conv = (await (await api("api/conversations", { method: "POST", headers: auth }))
      .json()).conversation;
    const bytes = payload();
    const up: number[] = [], down: number[] = [];
    for (let i = 0; i < runs; i++) {
      const form = new FormData();
      form.append(
        "file",
        new File([bytes as Uint8Array<ArrayBuffer>], "big.pdf", { type: "application/pdf" }),
      );
      let t0 = performance.now();
      const res = await api(`api/conversations/${conv.id}/attachments`, {
        method: "POST",
        headers: auth,
        body: form,
      });
      const { attachment } = await res.json();
      if (res.status !== 201) throw new Error(`upload: ${res.status}`);
      up.push(performance.now() - t0);
      t0 = performance.now();
      const got = await api(`api/attachments/${attachment.id}`, { headers: auth });
      const n = (await got.arrayBuffer()).byteLength;
      if (n !== SIZE) throw new Error(`download: ${n} bytes`);
      down.push(performance.now() - t0);
    }
    const mibps = (ms: number) => (SIZE / 1024 / 1024 / (ms / 1000)).toFixed(1);
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    return {
      kv: kvPath.endsWith(".sqlite") ? "file" : kvPath,
      uploadMedianMs: Math.round(med(up)),
      uploadMiBps: mibps(med(up)),
      uploadBestMiBps: mibps(Math.min(...up)),
      downloadMedianMs: Math.round(med(down)),
      downloadMiBps: mibps(med(down)),
    };
  } finally {
    await server.shutdown();
  }
}

const dir = await Deno.makeTempDir();
try {
  const rows = [await measure(`${dir}/bench.sqlite`), await measure(":memory:")];
  console.table(rows);
} finally {
  await Deno.remove(dir, { recursive: true });
}
