import { assertEquals, assertRejects } from "../../tests/assert.ts";
import { AppError } from "../errors.ts";
import { createStore } from "./mod.ts";
import { keys } from "./keys.ts";

Deno.test("visitors: one customer per external id, even when two instances race", async () => {
  using kv = await Deno.openKv(":memory:");
  const one = createStore(kv), two = createStore(kv);
  const [a, b] = await Promise.all([
    one.visitors.identify("ext-1", "Customer", { name: "Ada" }),
    two.visitors.identify("ext-1", "Customer", { email: "Ada@Example.com" }),
  ]);
  assertEquals(a.id, b.id);
  const stored = await one.users.get(a.id);
  assertEquals([stored?.role, stored?.externalId], ["customer", "ext-1"]);
  assertEquals((await one.visitors.byExternalId("ext-1"))?.id, a.id);
  assertEquals((await one.visitors.identify("ext-2", "Customer")).name, "Customer");
});

Deno.test("visitors: contact details are not sign-ins, and accounts keep their own", async () => {
  using kv = await Deno.openKv(":memory:");
  const store = createStore(kv);
  const guest = await store.users.create({ name: "Guest", role: "guest" });
  const updated = await store.visitors.setContact(guest.id, { name: "Grace", email: "G@X.io" });
  assertEquals([updated.name, updated.email], ["Grace", "g@x.io"]);
  assertEquals((await kv.get(keys.userByEmail("g@x.io"))).value, null, "not in the sign-in index");
  const account = await store.users.create({
    name: "Rita",
    email: "rita@x.io",
    role: "customer",
    passwordHash: "hash",
  });
  const refused = await assertRejects(() =>
    store.visitors.setContact(account.id, { email: "other@x.io" })
  ) as AppError;
  assertEquals(refused.code, "forbidden");
  assertEquals((await store.users.get(account.id))?.email, "rita@x.io");
  const agent = await store.users.create({ name: "Ann", role: "agent", email: "ann@x.io" });
  assertEquals(
    (await assertRejects(() => store.visitors.setContact(agent.id, { name: "A" })) as AppError)
      .code,
    "forbidden",
  );
});

Deno.test("visitors: a guest who only filled a form still expires", async () => {
  using kv = await Deno.openKv(":memory:");
  const clock = { t: Date.parse("2026-01-01T00:00:00Z"), now: () => clock.t };
  const store = createStore(kv, { clock });
  const guest = await store.users.create({ name: "Guest", role: "guest" }, 60_000);
  const named = await store.visitors.setContact(guest.id, { name: "Grace" });
  assertEquals([named.name, named.expiresAt], ["Grace", guest.expiresAt]);
  clock.t += 60_000;
  const gone = await assertRejects(() => store.visitors.setContact(guest.id, { name: "G" }));
  assertEquals((gone as AppError).code, "not_found");
});
