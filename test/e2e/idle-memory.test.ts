import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";

/** The pod's "memory given back" log lines, with the RSS before and after. */
const releases = (pod: PodProcess) =>
  pod
    .logs()
    .split("\n")
    .filter((line) => line.startsWith("{") && line.includes("idle: memory given back"))
    .map((line) => JSON.parse(line) as { rssBeforeMb: number; rssAfterMb: number });

describe("a real pod gives memory back when it goes quiet (README Speed: idle memory)", () => {
  let pod: PodProcess;
  beforeAll(async () => {
    pod = await startPod("idle-memory", { LOG_LEVEL: "debug" });
  });
  afterAll(async () => {
    await pod.stop();
  });

  it("once after its start, once after a burst of requests, and not at every quiet moment in between", {
    timeout: 90_000,
  }, async () => {
    await waitUntil(() => releases(pod).length === 1, 20_000);
    const [afterStart] = releases(pod);
    expect(afterStart!.rssAfterMb).toBeLessThan(afterStart!.rssBeforeMb);

    // Two more quiet ticks (2 s each) give nothing back again: there was no work since.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(releases(pod)).toHaveLength(1);

    // Work: about a thousand page reads, 32 at a time, so that the pod's loop is busy while they last.
    for (let round = 0; round < 40; round++) {
      const pages = await Promise.all(Array.from({ length: 32 }, () => fetch(`${pod.url}/`)));
      for (const page of pages) expect(page.status).toBe(200);
      await Promise.all(pages.map((page) => page.text()));
    }
    // Not sooner than RELEASE_GAP_MS (30 s) after the first.
    await waitUntil(() => releases(pod).length === 2, 60_000);
  });
});
