/**
 * The benchmark's KV commit floor (bench/commit_floor.ts): every paced commit is timed and lands,
 * and the filesystem under a folder is named from /proc/mounts.
 */
import { assert, assertEquals } from "./assert.ts";
import { commitFloor, mediumOf } from "../bench/commit_floor.ts";

Deno.test("commit floor: 200 paced message-shaped commits, each timed, none failed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "parley-floor-test-" });
  try {
    const floor = await commitFloor(dir, 500, 0.4);
    assertEquals(floor.commits, 200);
    assertEquals(floor.latencyMs.count, 200);
    assert(floor.latencyMs.p50 > 0 && floor.latencyMs.p50 <= floor.latencyMs.max);
    assertEquals(floor.failed, 0);
    assertEquals(floor.dir, await Deno.realPath(dir));
    // The probe cleans up after itself.
    assertEquals([...Deno.readDirSync(dir)].length, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mediumOf names the filesystem of the longest mount point holding the folder", () => {
  const mounts = [
    "/dev/vda / ext4 rw,relatime 0 0",
    "proc /proc proc rw,nosuid 0 0",
    "tmpfs /mnt/ram tmpfs rw,size=4g 0 0",
    "/dev/vdb /mnt/ramdisk xfs rw 0 0",
    "",
  ].join("\n");
  assertEquals(mediumOf("/tmp/parley", mounts), "ext4 on /dev/vda");
  assertEquals(mediumOf("/mnt/ram", mounts), "tmpfs");
  assertEquals(mediumOf("/mnt/ram/x/y", mounts), "tmpfs");
  assertEquals(mediumOf("/mnt/ramdisk/kv", mounts), "xfs on /dev/vdb"); // not /mnt/ram's
  assertEquals(mediumOf("/proc/self", mounts), "proc");
  assertEquals(mediumOf("/anything", ""), "unknown");
});
