/**
 * `deno run -A bench/bot_builtin.ts [samples]`: the built-in bot's cost. In this process: loading
 * its word data (SUBTLEX, stop words, the language detector) and indexing the shipped help center.
 * Then Parley started as `deno task start` does, without a Gemini key, driven over a WebSocket:
 * customer's send → the bot's typing frame, and → its committed reply (medians, one message at a
 * time), for a help-center answer. Also a bare KV commit's time on the same disk: a reply waits
 * for two durable commits, so that much of it is the disk's, not the code's.
 */
import { ParleyApi } from "./clients.ts";
import { botRun } from "./load_bot.ts";
import { startParley, stop } from "./spawn.ts";

const samples = Number(Deno.args[0] ?? 100);
const ms = (n: number) => `${n.toFixed(1)} ms`;

let t = performance.now();
await import("../lib/help/text.ts");
await import("../lib/bot/intents.ts");
const loadMs = performance.now() - t;
const { KnowledgeBase } = await import("../lib/help/knowledge.ts");
const { DEFAULT_KNOWLEDGE_DIR } = await import("../lib/config.ts");
t = performance.now();
const kb = await KnowledgeBase.load(DEFAULT_KNOWLEDGE_DIR);
const indexMs = performance.now() - t;
console.log(
  `word data loaded in ${
    ms(loadMs)
  }; help center (${kb.index.sections.length} sections) indexed in ${ms(indexMs)}`,
);

const dir = await Deno.makeTempDir({ prefix: "parley-bot-bench-" });

/**
 * A bare KV commit on this disk (the message, a record and a signal sum): each reply waits for two
 * durable commits (the customer's message, then the bot's), so their time is the floor under the
 * reply's, whatever the code does.
 */
async function bareCommitMs(path: string, n = 200): Promise<number> {
  const kv = await Deno.openKv(path);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await kv.atomic()
      .set(["messages", "c", i], { text: "How do I reset my password?", seq: i })
      .set(["conversations", "c"], { lastSeq: i })
      .sum(["signal", 0], 1n)
      .commit();
    times.push(performance.now() - t0);
  }
  kv.close();
  return times.sort((a, b) => a - b)[n >> 1];
}
const bareMs = await bareCommitMs(`${dir}/bare.sqlite`);
const server = await startParley({
  kvPath: `${dir}/bench.sqlite`,
  admin: { email: "bench@example.com", password: "bench-password-1" },
  limits: { RATE_AUTH_PER_MIN: "1000000" },
});
try {
  const api = new ParleyApi(server.url);
  const result = await botRun(api, server.url.replace(/^http/, "ws") + "ws", samples);
  console.log(
    `built-in bot, ${result.samples} replies: send → typing median ${ms(result.typingMs.p50)}, ` +
      `→ committed reply median ${ms(result.replyMs.p50)} (p99 ${ms(result.replyMs.p99)})`,
  );
  console.log(
    `a bare KV commit on this disk: median ${ms(bareMs)}; the reply beyond two of them: ${
      ms(result.replyMs.p50 - 2 * bareMs)
    }`,
  );
  console.log(
    `replies: ${JSON.stringify(Object.keys(result.replyTexts).map((x) => x.slice(-40)))}`,
  );
} finally {
  await stop(server.child);
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}
