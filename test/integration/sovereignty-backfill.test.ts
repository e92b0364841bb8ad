/**
 * A new follower reads a pod's earlier reports (two pod processes, real HTTP and signatures): B publishes two
 * months of reports (the earlier one corrected) before C follows it; once B accepts, C's totals show both
 * months, the corrected figures only. Unfollowing and following again gives the same totals, not double.
 * In the Mastodon-compatible API, each pod's apps show the reports as posts, and a correction B publishes
 * later edits C's post.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addMonths, monthIn } from "../../src/sovereignty/months.ts";
import { mastodonGet, operatorAppToken } from "../support/oauth-consent.ts";
import { followAndWait, startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";

const ZONE = "America/Mexico_City";

interface Cell {
  month: string;
  quantity: string;
  pods: string[];
}

describe("a new follower backfills earlier sovereignty reports", () => {
  let b: PodProcess;
  let c: PodProcess;
  const last = addMonths(monthIn(new Date(), ZONE), -1);
  const before = addMonths(last, -1);
  const env = { POD_TIME_ZONE: ZONE, LOG_LEVEL: "warn" };

  beforeAll(async () => {
    [b, c] = await Promise.all([startPod("sov-bf-b", env), startPod("sov-bf-c", env)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([b?.stop(), c?.stop()]);
  });

  const cMeals = async (): Promise<Cell[]> =>
    ((await (await fetch(`${c.url}/view/sovereignty?metric=meals-prepared`)).json()) as { items: Cell[] }).items;

  const publish = async (month: string) => {
    const draft = await b.admin("POST", "/sovereignty/reports/draft", { month });
    expect(draft.status, JSON.stringify(draft.body)).toBe(201);
    expect(draft.body.month).toBe(month);
    const published = await b.admin("POST", `/sovereignty/reports/${draft.body.id}/publish`);
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    return published.body as { revision: number };
  };

  it("B publishes two months (the earlier corrected) before anyone follows it", async () => {
    const entry = (month: string, quantity: number) =>
      b.admin("POST", "/sovereignty/entries", { metric: "meals-prepared", date: `${month}-10`, quantity });
    expect((await entry(before, 30)).status).toBe(201);
    expect((await entry(last, 45)).status).toBe(201);
    expect((await publish(before)).revision).toBe(1);
    expect((await entry(before, 5)).status).toBe(201);
    expect((await publish(before)).revision).toBe(2);
    expect((await publish(last)).revision).toBe(1);
    // A month not over yet cannot be drafted.
    const early = await b.admin("POST", "/sovereignty/reports/draft", { month: monthIn(new Date(), ZONE) });
    expect(early.status).toBe(400);
    expect(early.body.field).toBe("month");
  });

  it("C follows B: once accepted, C's totals show both months, each once, with the corrected figures", async () => {
    expect(await cMeals()).toEqual([]);
    await followAndWait(c, b);
    await waitUntil(async () => (await cMeals()).length === 2);
    const cells = await cMeals();
    expect(cells.map((x) => [x.month, x.quantity, x.pods])).toEqual([
      [before, "35", [b.actorUrl]],
      [last, "45", [b.actorUrl]],
    ]);
  });

  it("unfollowing empties them; following again shows the same totals, not double", async () => {
    expect((await c.admin("DELETE", `/following?target=${encodeURIComponent(b.handle)}`)).status).toBeLessThan(300);
    await waitUntil(async () => (await cMeals()).length === 0);
    await followAndWait(c, b);
    await waitUntil(async () => (await cMeals()).length === 2);
    expect((await cMeals()).map((x) => [x.month, x.quantity, x.pods.length])).toEqual([
      [before, "35", 1],
      [last, "45", 1],
    ]);
  });

  it("apps show the reports as posts: B's own, and on C a later correction edits B's post", async () => {
    const reports = (await b.admin("GET", "/sovereignty/reports")).body.items as { id: string; month: string }[];
    const noteOf = (month: string) => `${b.url}/reports/${reports.find((r) => r.month === month)!.id}/note`;
    const home = async (pod: PodProcess, token: string) =>
      (await mastodonGet(pod.url, token, "/api/v1/timelines/home?limit=40")).body as {
        uri: string;
        content: string;
        edited_at: string | null;
      }[];
    const bHome = await home(b, await operatorAppToken(b.url));
    expect(bHome.filter((s) => s.uri === noteOf(last) || s.uri === noteOf(before))).toHaveLength(2);
    const cToken = await operatorAppToken(c.url);
    expect(
      (await b.admin("POST", "/sovereignty/entries", { metric: "meals-prepared", date: `${last}-20`, quantity: 5 }))
        .status,
    ).toBe(201);
    expect((await publish(last)).revision).toBe(2);
    await waitUntil(async () => (await cMeals()).some((x) => x.month === last && x.quantity === "50"));
    await waitUntil(async () =>
      (await home(c, cToken)).some((s) => s.uri === noteOf(last) && s.content.includes("Meals prepared: 50 meal")),
    );
    const posts = (await home(c, cToken)).filter((s) => s.uri === noteOf(last));
    expect(posts).toHaveLength(1);
    expect(posts[0]!.edited_at).not.toBeNull();
  });
});
