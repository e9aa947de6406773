/**
 * Attachments over HTTP: upload (multipart `file`) → a message with `attachmentIds` → the file
 * served only to the conversation's customer and staff, with headers that run and sniff nothing.
 * Every bad input gets the contract's error and changes nothing: a disguised or unknown type, a
 * zero-byte file, a bad name, an oversized body (declared or streamed), an id from another
 * conversation or already sent, a reader from elsewhere.
 */
import { assert, assertEquals } from "./assert.ts";
import { withTestServer } from "./helpers.ts";
import { DOCX, oleHeader, PDF, PNG_1PX, upload } from "./file_fixtures.ts";
import { keys } from "../lib/store/keys.ts";

const enc = new TextEncoder();

async function countKeys(kv: Deno.Kv, prefix: Deno.KvKey) {
  let n = 0;
  for await (const _ of kv.list({ prefix })) n++;
  return n;
}

Deno.test("attachments: upload, send, serve, and every bad input refused", async (t) => {
  await withTestServer(async (server) => {
    const { api, url } = server;
    const kv = server.services.store.kv;
    const admin = await server.admin();
    const agent = await api.agent(admin, "Ann", "ann@example.com");
    const carol = await api.guest("Carol");
    const conv = await api.start(carol);
    const dave = await api.guest("Dave");
    const other = await api.start(dave);
    const get = (id: string, token: string) =>
      fetch(new URL(`api/attachments/${id}`, url), {
        headers: { authorization: `Bearer ${token}` },
      });

    let png = "";
    await t.step("a PNG is stored and sent in a message", async () => {
      const res = await upload(url, carol.token, conv.id, "screen shot.png", PNG_1PX);
      assertEquals(res.status, 201);
      const { attachment } = res.body;
      assertEquals({ ...attachment, id: "" }, {
        id: "",
        name: "screen shot.png",
        type: "image/png",
        size: PNG_1PX.length,
      });
      png = attachment.id;
      const sent = await api.request("POST", `/api/conversations/${conv.id}/messages`, {
        token: carol.token,
        body: { text: "", attachmentIds: [png] },
      });
      assertEquals(sent.status, 201);
      assertEquals(sent.body.message.attachments, [attachment]);
      const listed = await api.messages(agent, conv.id);
      assertEquals(listed.at(-1)!.attachments, [attachment]);
    });

    await t.step("served to the customer and staff with safe headers", async () => {
      for (const token of [carol.token, agent.token, admin.token]) {
        const res = await get(png, token);
        assertEquals(res.status, 200);
        assertEquals(new Uint8Array(await res.arrayBuffer()), PNG_1PX);
        assertEquals(res.headers.get("content-type"), "image/png");
        assertEquals(res.headers.get("x-content-type-options"), "nosniff");
        assertEquals(res.headers.get("content-security-policy"), "default-src 'none'; sandbox");
        assert(res.headers.get("content-disposition")!.startsWith("inline;"));
      }
    });

    await t.step("another customer, a stranger, a malformed id: 404 or 401", async () => {
      const res = await get(png, dave.token);
      assertEquals(res.status, 404);
      assertEquals((await res.json()).error.code, "not_found");
      assertEquals((await fetch(new URL(`api/attachments/${png}`, url))).status, 401);
      const bad = await get("../../etc/passwd", carol.token);
      assertEquals(bad.status, 404);
      await bad.body?.cancel();
    });

    await t.step(
      "PDF, docx, text and a legacy .doc are accepted; non-images download",
      async () => {
        const cases: [string, Uint8Array, string][] = [
          ["invoice.pdf", PDF, "application/pdf"],
          [
            "report.docx",
            DOCX(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
          ],
          ["notes.txt", enc.encode("line one\nline two ✓\n"), "text/plain; charset=utf-8"],
          ["old.doc", oleHeader(), "application/msword"],
        ];
        for (const [name, bytes, type] of cases) {
          const res = await upload(url, agent.token, conv.id, name, bytes);
          assertEquals(res.status, 201, name);
          assertEquals(res.body.attachment.type, type);
          const served = await get(res.body.attachment.id, carol.token);
          assertEquals(served.headers.get("content-type"), type);
          assert(served.headers.get("content-disposition")!.startsWith("attachment;"), name);
          assertEquals(new Uint8Array(await served.arrayBuffer()), bytes);
        }
      },
    );

    await t.step("bad files: 400 naming file, nothing stored", async () => {
      const before = await countKeys(kv, ["attachments"]);
      const chunksBefore = await countKeys(kv, ["attachment_chunks"]);
      const html = enc.encode("<!doctype html><script>alert(1)</script>");
      const cases: [string, Uint8Array][] = [
        ["cat.png", html], // an HTML page disguised as an image
        ["page.txt", html], // markup is never stored as text
        ["page.html", html],
        ["empty.png", new Uint8Array()],
        ["photo.png", PDF], // a PDF named .png
        ["hello.png", enc.encode("hello")], // text named .png
        ["binary.bin", new Uint8Array([0, 1, 2, 3, 255, 254])],
        ["legacy.png", oleHeader()],
        ["x\u0001.png", PNG_1PX],
        ["evil\u202egnp.exe", PNG_1PX],
        ["a/b.png", PNG_1PX],
        ["..\\b.png", PNG_1PX],
      ];
      for (const [name, bytes] of cases) {
        const res = await upload(url, carol.token, conv.id, name, bytes);
        assertEquals(res.status, 400, JSON.stringify(name));
        assertEquals(res.body.error.code, "bad_request");
        assert(res.body.error.message.startsWith("file: "), res.body.error.message);
      }
      assertEquals(await countKeys(kv, ["attachments"]), before);
      assertEquals(await countKeys(kv, ["attachment_chunks"]), chunksBefore);
      assertEquals(await countKeys(kv, ["attachment_garbage"]), 0);
    });

    await t.step("not multipart, no file field, a stranger's conversation", async () => {
      const json = await api.request("POST", `/api/conversations/${conv.id}/attachments`, {
        token: carol.token,
        body: { file: "x" },
      });
      assertEquals(json.status, 400);
      const form = new FormData();
      form.append("other", "x");
      const none = await fetch(new URL(`api/conversations/${conv.id}/attachments`, url), {
        method: "POST",
        headers: { authorization: `Bearer ${carol.token}` },
        body: form,
      });
      assertEquals(none.status, 400);
      assert((await none.json()).error.message.startsWith("file: missing"));
      const theirs = await upload(url, carol.token, other.id, "a.png", PNG_1PX);
      assertEquals(theirs.status, 404);
    });

    await t.step("message ids: another conversation's, already sent, unknown → 400", async () => {
      const daves = await upload(url, dave.token, other.id, "d.png", PNG_1PX);
      assertEquals(daves.status, 201);
      const before = (await api.messages(carol, conv.id)).length;
      for (
        const ids of [[daves.body.attachment.id], [png], ["01J00000000000000000000000"], ["x"]]
      ) {
        const res = await api.request("POST", `/api/conversations/${conv.id}/messages`, {
          token: carol.token,
          body: { text: "look", attachmentIds: ids },
        });
        assertEquals(res.status, 400, JSON.stringify(ids));
        assert(res.body.error.message.startsWith("attachmentIds"), res.body.error.message);
      }
      const fresh = await upload(url, carol.token, conv.id, "b.png", PNG_1PX);
      const twice = await api.request("POST", `/api/conversations/${conv.id}/messages`, {
        token: carol.token,
        body: { text: "two", attachmentIds: [fresh.body.attachment.id, fresh.body.attachment.id] },
      });
      assertEquals(twice.status, 400);
      const empty = await api.request("POST", `/api/conversations/${conv.id}/messages`, {
        token: carol.token,
        body: { text: "" },
      });
      assertEquals(empty.status, 400);
      assertEquals((await api.messages(carol, conv.id)).length, before);
      // Dave's file is still unsent and his to use.
      const used = await api.request("POST", `/api/conversations/${other.id}/messages`, {
        token: dave.token,
        body: { text: "mine", attachmentIds: [daves.body.attachment.id] },
      });
      assertEquals(used.status, 201);
    });

    await t.step("deleting a customer's files removes manifests and chunks", async () => {
      const n = await server.services.files.deleteForCustomer(carol.user.id);
      assert(n >= 5, `deleted ${n}`);
      const res = await get(png, carol.token);
      assertEquals(res.status, 404);
      await res.body?.cancel();
      assertEquals(await countKeys(kv, keys.attachmentsByConversationPrefix(conv.id)), 0);
      assertEquals(await countKeys(kv, ["attachment_garbage"]), 0);
      // Dave's file remains (one chunk).
      assertEquals(await countKeys(kv, ["attachment_chunks"]), 1);
    });
  });
});

Deno.test("attachments: ATTACHMENT_MAX_MB is enforced while the body streams", async () => {
  await withTestServer(async (server) => {
    const { api, url } = server;
    const carol = await api.guest("Carol");
    const conv = await api.start(carol);
    const mib = 1024 * 1024;
    const big = new Uint8Array(mib + 1);
    big.set(PNG_1PX);
    const declared = await upload(url, carol.token, conv.id, "big.png", big);
    assertEquals(declared.status, 413);
    assertEquals(declared.body.error.code, "too_large");
    // No Content-Length: a chunked body is cut off once it passes the cap.
    const boundary = "----parley";
    const head = enc.encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\n` +
        "Content-Type: image/png\r\n\r\n",
    );
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(head);
      },
      pull(c) {
        if (sent >= 8 * mib) return c.close(); // it never gets this far
        sent += 64 * 1024;
        c.enqueue(new Uint8Array(64 * 1024));
      },
    });
    const res = await fetch(new URL(`api/conversations/${conv.id}/attachments`, url), {
      method: "POST",
      headers: {
        authorization: `Bearer ${carol.token}`,
        "content-type": `multipart/form-data; boundary=${boundary}`,
      },
      body,
    });
    assertEquals(res.status, 413);
    await res.body?.cancel();
    assert(sent < 8 * mib);
    let n = 0;
    for await (const _ of server.services.store.kv.list({ prefix: ["attachment_chunks"] })) n++;
    assertEquals(n, 0);
    // Exactly the limit is fine.
    const exact = await upload(url, carol.token, conv.id, "exact.png", big.subarray(0, mib));
    assertEquals(exact.status, 201);
    assertEquals(exact.body.attachment.size, mib);
  }, { ATTACHMENT_MAX_MB: "1" });
});

Deno.test("attachments: uploads are rate-limited per user", async () => {
  await withTestServer(async (server) => {
    const { api, url } = server;
    const carol = await api.guest("Carol");
    const conv = await api.start(carol);
    for (let i = 0; i < 2; i++) {
      assertEquals((await upload(url, carol.token, conv.id, "a.png", PNG_1PX)).status, 201);
    }
    const third = await upload(url, carol.token, conv.id, "a.png", PNG_1PX);
    assertEquals(third.status, 429);
    assert(Number(third.headers.get("retry-after")) > 0);
  }, { RATE_UPLOADS_PER_HOUR: "2" });
});
