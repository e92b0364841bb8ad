import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logRecords, startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";

/** The pod's "memory given back" log lines, with the RSS before and after. */
const releases = (pod: PodProcess) =>
  logRecords<{ rssBeforeMb: number; rssAfterMb: number }>(pod, "idle: memory given back");

describe("a real pod gives memory back when it goes quiet (README Speed: idle memory)", () => {
  let pod: PodProcess;
  beforeAll(async () => {
    pod = await startPod("idle-memory", { LOG_LEVEL: "debug" });
  });
  afterAll(async () => {
    await pod.stop();
  });

  it("once after its start, again after a burst of requests, and not while it stays quiet", {
    timeout: 120_000,
  }, async () => {
    await waitUntil(() => releases(pod).length === 1, 30_000);
    const [afterStart] = releases(pod);
    expect(afterStart!.rssAfterMb).toBeLessThan(afterStart!.rssBeforeMb);

    // Quiet for longer than the 30 s between collections: V8's own follow-up collections are not work.
    await new Promise((resolve) => setTimeout(resolve, 40_000));
    expect(releases(pod)).toHaveLength(1);

    // Work: about a thousand page reads, 32 at a time, so that the pod's loop is busy while they last.
    for (let round = 0; round < 40; round++) {
      const pages = await Promise.all(Array.from({ length: 32 }, () => fetch(`${pod.url}/`)));
      for (const page of pages) expect(page.status).toBe(200);
      await Promise.all(pages.map((page) => page.text()));
    }
    await waitUntil(() => releases(pod).length === 2, 30_000);
  });
});
