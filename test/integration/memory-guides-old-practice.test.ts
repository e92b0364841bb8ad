/**
 * A guide link is found by its guide's id, whatever its age: the links once searched only the newest 200
 * published practices, so an older practice's link vanished from offers' pages and Notes. And hostile search
 * words on the public search page are a 400 naming the field or an ordinary page, never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { practices } from "../../src/practices/schema.ts";
import { startInProcessPod, type InProcessPod } from "../support/in-process-pod.ts";
import { sqliteOf } from "../support/sqlite-of.ts";

describe("memory: guide links of older practices, and hostile search words", () => {
  let pod: InProcessPod;
  const at = new Date().toISOString();
  const practice = (n: number) => ({
    id: `01900000-0000-7000-9000-${String(n).padStart(12, "0")}`,
    title: `Practice ${n}`,
    summary: `Practice ${n} in short`,
    body: "",
    problem: "",
    outcomes: "",
    language: "en",
    tags: [],
    status: "published" as const,
    createdAt: at,
    updatedAt: at,
  });

  beforeAll(async () => {
    pod = await startInProcessPod();
  });
  afterAll(async () => pod?.close());

  it("links a practice older than the newest 200 published ones, and keeps showing it", async () => {
    // 250 published practices, the first the oldest (ids sort by age, as uuidv7 ones do).
    sqliteOf(pod.pod)
      .db.insert(practices)
      .values(Array.from({ length: 250 }, (_, n) => practice(n)))
      .run();
    const oldest = practice(0);
    const subject = { subjectKind: "offer" as const, subjectId: "offer-old-practice" };
    await pod.pod.memory.attachGuide(subject, "practice", oldest.id);
    expect(pod.pod.memory.guidesOfOffer(subject.subjectId).map((g) => g.name)).toEqual(["Practice 0"]);
    expect(pod.pod.memory.guidesOfOffer(subject.subjectId)[0]!.url).toContain(oldest.id);
  });

  it("answers hostile words on the public search with a 400 naming the field or an ordinary page", async () => {
    const search = (q: string) => fetch(`${pod.url}/memory/search?q=${encodeURIComponent(q)}`);
    const long = await search("x".repeat(10_000));
    expect(long.status).toBe(400);
    expect(long.headers.get("content-type")).toContain("application/problem+json");
    expect(await long.text()).toContain("q");
    for (const q of ['"', "' OR 1=1 --", "NEAR(a b)", "a:* | !b & (c", "*", "\\", "()&|!:*<->"]) {
      const page = await search(q);
      expect(page.status, q).toBe(200);
    }
  });
});
