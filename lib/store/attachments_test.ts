import { assert, assertEquals, assertRejects } from "../../tests/assert.ts";
import { Attachments, CHUNK_BYTES } from "./attachments.ts";
import { keys } from "./keys.ts";

const meta = (id: string) => ({
  id,
  conversationId: "C",
  customerId: "U",
  uploaderId: "U",
  name: "a.bin",
  type: "application/pdf",
});

async function count(kv: Deno.Kv, prefix: Deno.KvKey) {
  let n = 0;
  for await (const _ of kv.list({ prefix })) n++;
  return n;
}

Deno.test("attachments store: chunks, half uploads, sweeps on several instances", async (t) => {
  const kv = await Deno.openKv(":memory:");
  let now = 1_000_000;
  const clock = { now: () => now };
  const a = new Attachments(kv, clock), b = new Attachments(kv, clock);
  const sweep = { uploadTimeoutMs: 60_000, unusedTtlMs: 3_600_000 };
  try {
    await t.step("a file is split under 64 KiB values and read back whole", async () => {
      const bytes = new Uint8Array(CHUNK_BYTES * 2 + 5).map((_, i) => (i * 31) % 251);
      const r = await a.save(meta("F1"), bytes);
      assertEquals(r.chunks, 3);
      for await (const e of kv.list<Uint8Array>({ prefix: keys.attachmentChunksPrefix("F1") })) {
        assert(e.value.byteLength <= CHUNK_BYTES);
      }
      const back = new Uint8Array(await new Response(a.stream(r)).arrayBuffer());
      assertEquals(back, bytes);
      assertEquals(await count(kv, ["attachment_garbage"]), 0);
    });

    await t.step(
      "a half-written upload is never served and its chunks are swept once",
      async () => {
        await kv.set(keys.attachmentGarbage("F2"), { since: now });
        await kv.set(keys.attachmentChunk("F2", 0), new Uint8Array(10));
        assertEquals(await a.get("F2"), null);
        assertEquals((await a.sweep(sweep)).abandoned, 0); // still within the upload's time
        now += 61_000;
        const [x, y] = await Promise.all([a.sweep(sweep), b.sweep(sweep)]);
        assert(x.abandoned + y.abandoned >= 1);
        assertEquals(await count(kv, keys.attachmentChunksPrefix("F2")), 0);
        assertEquals(await count(kv, ["attachment_garbage"]), 0);
      },
    );

    await t.step(
      "an upload the sweeper took for abandoned fails instead of half-serving",
      async () => {
        // The sweeper claims the marker while chunks are being written (an upload that started
        // past the timeout): the manifest commit fails.
        let hook: (() => Promise<unknown>) | null = () => a.sweep(sweep);
        const hooked = new Proxy(kv, {
          get(target, p) {
            if (p === "atomic") {
              return () => {
                const op = target.atomic(), commit = op.commit.bind(op);
                op.commit = async () => {
                  const h = hook;
                  hook = null;
                  if (h) await h();
                  return await commit();
                };
                return op;
              };
            }
            const v = Reflect.get(target, p);
            return typeof v === "function" ? v.bind(target) : v;
          },
        });
        const slow = new Attachments(hooked, { now: () => now - 120_000 });
        await assertRejects(() => slow.save(meta("F3"), new Uint8Array(CHUNK_BYTES * 20)));
        assertEquals(await a.get("F3"), null);
        await a.sweep(sweep); // chunks written after the claim
        now += 61_000;
        await a.sweep(sweep);
        assertEquals(await count(kv, keys.attachmentChunksPrefix("F3")), 0);
      },
    );

    await t.step("unsent files expire; sent ones stay; deleting by conversation", async () => {
      const r = await a.save(meta("F4"), new Uint8Array([1]));
      await kv.set(keys.attachment("F1"), { ...(await a.get("F1"))!, messageId: "M" });
      now += 3_600_001;
      const [x, y] = await Promise.all([a.sweep(sweep), b.sweep(sweep)]);
      assertEquals(x.unused + y.unused, 1);
      assertEquals(await a.get(r.id), null);
      assert(await a.get("F1"));
      assertEquals(await a.deleteForConversation("C"), 1);
      assertEquals(await count(kv, ["attachment_chunks"]), 0);
      assertEquals(await count(kv, ["attachments"]), 0);
    });
  } finally {
    kv.close();
  }
});
