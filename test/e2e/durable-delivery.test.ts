import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectionItems, startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";

const CLI = fileURLToPath(new URL("../../src/cli/pod.ts", import.meta.url));
const run = promisify(execFile);

describe("deliveries survive a crash: the queue lives in the pod's SQLite file", () => {
  let a: PodProcess;
  let b: PodProcess;

  beforeAll(async () => {
    [a, b] = await Promise.all([startPod("a"), startPod("b")]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it("a Follow queued while the server is down (after a SIGKILL) is delivered when it starts again", async () => {
    await a.kill();
    // The operator command queues the Follow in A's database; no server of A is running to send it.
    const { stdout } = await run(process.execPath, [CLI, "follow", b.handle], { env: { ...process.env, ...a.env } });
    expect(JSON.parse(stdout)).toMatchObject({ actorIri: b.actorUrl, state: "pending" });
    const status = JSON.parse(
      (await run(process.execPath, [CLI, "status"], { env: { ...process.env, ...a.env } })).stdout,
    );
    expect(status.queue.queued).toBeGreaterThan(0);
    expect(await collectionItems(b, `${b.actorUrl}/followers`)).toEqual([]);

    await a.start();
    // The earlier graceful stop (SIGTERM) said so in the log; the SIGKILL left no such line.
    expect(a.logs().match(/"msg":"stopped"/g) ?? []).toHaveLength(0);
    await waitUntil(async () => (await collectionItems(b, `${b.actorUrl}/followers`)).includes(a.actorUrl));
    await waitUntil(async () => (await a.admin("GET", "/following")).body.items[0]?.state === "accepted");
  });

  it("SIGTERM stops the pod gracefully: it finishes, closes the database and exits 0", async () => {
    await b.restart();
    expect(b.logs()).toMatch(/"msg":"shutting down/);
    expect(b.logs()).toMatch(/"msg":"stopped"/);
    expect(b.exitCodes().at(-1)).toBe(0);
    // The restarted pod still knows its follower: nothing was lost.
    expect((await b.admin("GET", "/followers")).body.items.map((f: { actorIri: string }) => f.actorIri)).toEqual([
      a.actorUrl,
    ]);
  });
});
