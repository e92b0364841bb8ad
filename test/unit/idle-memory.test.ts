import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BUSY, idleStep, QUIET } from "../../src/roles/idle-memory.ts";

describe("when a process gives memory back", () => {
  it("once when the loop goes quiet, and again only after work came back", () => {
    const ticks = [0.3, 0.004, 0.002, 0.001, (QUIET + BUSY) / 2, 0.002, BUSY + 0.01, 0.2, 0.003, 0.001];
    let ready = true;
    const released: number[] = [];
    ticks.forEach((utilization, tick) => {
      const step = idleStep(ready, utilization);
      ready = step.ready;
      if (step.release) released.push(tick);
    });
    // Tick 1 is the first quiet one; the light work at tick 4 is not enough to do it again; tick 6's is.
    expect(released).toEqual([1, 8]);
  });

  it("a process that starts quiet gives back what its start left", () => {
    expect(idleStep(true, 0)).toEqual({ ready: false, release: true });
  });
});

describe("releaseMemory, in a process of its own", () => {
  it("returns the pages a burst of work left to the system, and leaves no global gc behind", () => {
    const module = fileURLToPath(new URL("../../src/roles/idle-memory.ts", import.meta.url));
    // A heap grown by 200 MB of short-lived objects that survived long enough to reach the old generation.
    const script = `
      import { releaseMemory } from ${JSON.stringify(module)};
      let kept = [];
      for (let i = 0; i < 200; i++) kept.push(Array.from({ length: 32 * 1024 }, (_, j) => ({ i, j })));
      kept = null;
      await new Promise((resolve) => setTimeout(resolve, 200));
      const before = process.memoryUsage.rss();
      releaseMemory();
      const after = process.memoryUsage.rss();
      console.log(JSON.stringify({ before, after, gc: typeof globalThis.gc }));
    `;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    const { before, after, gc } = JSON.parse(run.stdout) as { before: number; after: number; gc: string };
    expect(gc).toBe("undefined");
    // An ordinary full collection frees the objects but keeps most pages (measured: 437 → 373 MB; this: → 89 MB).
    expect(after).toBeLessThan(before / 2);
  });
});
