/**
 * `deno run -A bench/store_appends.ts [--messages 40000] [--conversations 1000] [--burst 0]`:
 * the store's own cost per persisted message, without sockets: appends with clientIds through
 * the real group commit to a fresh KV file, `--in-flight` at a time, round-robin over the
 * conversations (or `--burst N` back to back per conversation). Reports this process's CPU (all
 * threads: JavaScript and SQLite's writer, from /proc/self/stat) and the KV file's growth (with
 * its WAL) per message. CPU time, unlike latency, holds up on a shared machine.
 */
import { createStore } from "../lib/store/mod.ts";
import { migrate } from "../lib/store/migrations.ts";
import { cpuMs } from "./proc.ts";

function arg(name: string, fallback: number): number {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Number(Deno.args[i + 1]) : fallback;
}

const MESSAGES = arg("messages", 40_000);
const CONVERSATIONS = arg("conversations", 1000);
const IN_FLIGHT = arg("in-flight", 2000);
const BURST = arg("burst", 0) || 1;

const dir = await Deno.makeTempDir({ prefix: "parley-store-bench-" });
const path = `${dir}/kv.sqlite`;
const kv = await Deno.openKv(path);
await migrate(kv);
const store = createStore(kv, { maxChecks: 100 });
const size = () => {
  let n = 0;
  for (const f of [path, `${path}-wal`]) {
    try {
      n += Deno.statSync(f).size;
    } catch { /* none yet */ }
  }
  return n;
};
const customer = await store.users.create({ name: "Bench", role: "customer" });
const ids: string[] = [];
for (let i = 0; i < CONVERSATIONS; i++) {
  ids.push(
    (await store.conversations.create(customer, { name: "Bot", text: "Hi" })).conversation.id,
  );
}
const text = "Hello, my order has not arrived yet. Can you check on it for me?";
const bytes0 = size(), cpu0 = cpuMs("self"), t0 = performance.now();
let next = 0;
async function worker() {
  while (next < MESSAGES) {
    const n = next++;
    await store.conversations.append({
      conversationId: ids[Math.floor(n / BURST) % ids.length],
      sender: "customer",
      authorId: customer.id,
      authorName: customer.name,
      text,
      clientId: `c${n}`,
    }, () => {});
  }
}
await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
const cpu = cpuMs("self") - cpu0, wall = performance.now() - t0, grown = size() - bytes0;
console.log(JSON.stringify({
  messages: MESSAGES,
  conversations: CONVERSATIONS,
  burst: BURST,
  cpuUsPerMessage: Math.round((cpu * 1000) / MESSAGES),
  wallMsgsPerS: Math.round(MESSAGES / (wall / 1000)),
  kvBytesPerMessage: Math.round(grown / MESSAGES),
  loadAverage: Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" "),
}));
kv.close();
await Deno.remove(dir, { recursive: true });
