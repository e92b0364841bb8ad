/**
 * Publishing a monthly report is one write: the report's revision, this pod's figures in the confederal totals and
 * the event that sends it commit together or not at all (an in-process pod on a real SQLite file).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInProcessPod, type InProcessPod } from "../support/in-process-pod.ts";

describe("publishing a monthly report", () => {
  const clock = new Date("2026-11-15T10:00:00Z");
  let pod: InProcessPod;
  beforeAll(async () => {
    pod = await startInProcessPod({ now: () => new Date(clock) });
  }, 60_000);
  afterAll(async () => {
    await pod?.close();
  });

  it("a failure inside the publication leaves the draft, no figures in the totals; the next one publishes", async () => {
    const { sovereignty, events } = pod.pod;
    const meta = { source: "api" as const, enteredBy: "operator" };
    const added = await sovereignty.addEntry({ metric: "meals-prepared", date: "2026-10-12", quantity: "40" }, meta);
    expect(added.problems).toEqual([]);
    const draft = await sovereignty.draftFor(clock);
    expect(draft).toMatchObject({ month: "2026-10", status: "draft" });

    const recordWithin = events.recordWithin.bind(events);
    events.recordWithin = async () => {
      throw new Error("the event could not be recorded");
    };
    try {
      await expect(sovereignty.publish(draft.id)).rejects.toThrow("the event could not be recorded");
    } finally {
      events.recordWithin = recordWithin;
    }
    expect(await sovereignty.get(draft.id)).toMatchObject({ status: "draft", revision: 0 });
    expect(await sovereignty.storedFigures()).toEqual([]);

    const published = await sovereignty.publish(draft.id);
    expect(published).toMatchObject({ status: "published", revision: 1 });
    expect(await sovereignty.storedFigures()).toEqual([
      expect.objectContaining({ month: "2026-10", quantityMilli: 40_000, version: published.updatedAt }),
    ]);
    expect((await sovereignty.monthlyProgress())?.month).toBe("2026-10");
  });
});
