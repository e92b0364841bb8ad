import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInProcessPod, type InProcessPod } from "../support/in-process-pod.ts";

/**
 * A lesson learned becomes one practice, published once, however many times it is promoted at once (two
 * coordinators pressing the button together): the lesson is taken for its practice in the practice's own write.
 */
describe("promoting a lesson to a practice", () => {
  let pod: InProcessPod;

  beforeAll(async () => {
    pod = await startInProcessPod();
  }, 60_000);
  afterAll(async () => {
    await pod?.close();
  });

  it("three promotions at once make one practice, and each answers with it", async () => {
    const { memory, practices } = pod.pod;
    const lesson = await memory.create({
      kind: "lesson",
      title: "Cold chain",
      summary: "Keep the freezer log.",
      visibility: "public",
    });
    const promoted = await Promise.all([
      memory.promote(lesson.id),
      memory.promote(lesson.id),
      memory.promote(lesson.id),
    ]);
    const made = await practices.list({ status: "published", limit: 10 });
    expect(made.map((p) => p.title)).toEqual(["Cold chain"]);
    expect(promoted.map((entry) => entry.practiceId)).toEqual([made[0]!.id, made[0]!.id, made[0]!.id]);
  });
});
