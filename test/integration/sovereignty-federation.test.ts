/**
 * The sovereignty ledger and reports across three pod processes (real HTTP, real signatures): A and B keep
 * ledgers through the admin API (one entry, CSV all-or-nothing, a correction), draft and publish last month's
 * report; C follows both and its totals add A's and B's month; B's small count is "fewer than 3"; A's
 * corrected report replaces its earlier figures; A's charter page shows the month's progress.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { followAndWait, startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";

const ZONE = "America/Mexico_City";
/** Last month in the pods' time zone, and a day in it. */
function lastMonth(): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, year: "numeric", month: "2-digit" }).formatToParts(
    new Date(),
  );
  const year = Number(parts.find((p) => p.type === "year")!.value);
  const month = Number(parts.find((p) => p.type === "month")!.value);
  const date = new Date(Date.UTC(year, month - 2, 1));
  return date.toISOString().slice(0, 7);
}

const charter = {
  changeNote: "First charter",
  services: [{ key: "kitchen", name: "Community kitchen", category: "meals", area: "North End", languages: ["en"] }],
  planned: [
    {
      key: "clinic",
      name: "Street clinic",
      category: "health",
      target: "2027-Q1",
      needs: { people: 2, skills: ["nurse"], materials: ["first-aid kits"] },
    },
  ],
};

interface Cell {
  month: string;
  metricIri: string;
  quantity: string;
  hoursLiberated: string | null;
  pods: string[];
  fewerThanPods: string[] | null;
}

describe("sovereignty across pods", () => {
  let a: PodProcess;
  let b: PodProcess;
  let c: PodProcess;
  const month = lastMonth();
  const day = `${month}-15`;
  const env = { POD_TIME_ZONE: ZONE, LOG_LEVEL: "warn" };

  beforeAll(async () => {
    [a, b, c] = await Promise.all([startPod("sov-a", env), startPod("sov-b", env), startPod("sov-c", env)]);
    await followAndWait(c, a);
    await followAndWait(c, b);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), c?.stop()]);
  });

  const cTotals = async (metric: string): Promise<Cell[]> =>
    ((await (await fetch(`${c.url}/view/sovereignty?metric=${metric}`)).json()) as { items: Cell[] }).items;

  it("keeps ledgers: an entry, a CSV refused whole with row and column named, then a good CSV", async () => {
    expect((await a.admin("PUT", "/charter", charter)).status).toBe(201);
    const one = await a.admin("POST", "/sovereignty/entries", {
      metric: "meals-prepared",
      date: day,
      quantity: "40",
      hours: "6",
      service: "kitchen",
      note: "private",
    });
    expect(one.status, JSON.stringify(one.body)).toBe(201);

    const bad = await a.admin("POST", "/sovereignty/entries.csv", {
      csv: `metric,date,quantity\nmeals-prepared,${day},10\nmeals-prepared,${month}-40,3\n`,
    });
    expect(bad.status).toBe(400);
    expect(bad.contentType).toMatch(/problem\+json/);
    expect(bad.body.detail).toBe(`row 3, date: "${month}-40" is not a date such as 2026-10-31`);
    const listed = await a.admin("GET", `/sovereignty/entries?month=${month}`);
    expect(listed.body.items).toHaveLength(1);

    const good = await a.admin("POST", "/sovereignty/entries.csv", {
      csv: `metric,date,quantity,hours,service,note\nmeals-prepared,${day},20,,kitchen,\nrepairs,${day},5,,,\n`,
    });
    expect(good.body).toEqual({ imported: 2 });
    for (const entry of [
      { metric: "meals-prepared", date: day, quantity: 32 },
      { metric: "evictions-prevented", date: day, quantity: 2 },
    ])
      expect((await b.admin("POST", "/sovereignty/entries", entry)).status).toBe(201);
  });

  it("publishes last month's reports; C adds both pods' month, B's small count stays 'fewer than 3'", async () => {
    for (const pod of [a, b]) {
      const draft = await pod.admin("POST", "/sovereignty/reports/draft");
      expect(draft.body.month).toBe(month);
      const published = await pod.admin("POST", `/sovereignty/reports/${draft.body.id}/publish`);
      expect(published.status, JSON.stringify(published.body)).toBe(200);
      expect(published.body.revision).toBe(1);
    }
    await waitUntil(async () => (await cTotals("meals-prepared")).some((cell) => cell.pods.length === 2));
    const [meals] = await cTotals("meals-prepared");
    expect(meals).toMatchObject({ month, quantity: "92", hoursLiberated: "92", pods: [a.actorUrl, b.actorUrl].sort() });
    const [evictions] = await cTotals("evictions-prevented");
    expect(evictions).toMatchObject({
      quantity: "0",
      pods: [],
      fewerThanCount: 1,
      fewerThan: 3,
      fewerThanPods: [b.actorUrl],
    });
    const csv = await (await fetch(`${c.url}/view/sovereignty.csv`)).text();
    expect(csv).toContain(`${month},https://w3id.org/pods/metrics/meals-prepared,meal,92,1,92,`);
    // B's report, as its followers read it: the small count as words, never as a number.
    const [report] = (await b.admin("GET", "/sovereignty/reports")).body.items as { id: string }[];
    const article = await c.getActivityPub(`${b.url}/reports/${report!.id}`);
    const figure = article.attachment.find((f: { resourceConformsTo?: string }) =>
      f.resourceConformsTo?.endsWith("evictions-prevented"),
    );
    expect(figure).toMatchObject({ type: "EconomicEvent", fewerThan: 3, period: month });
    expect(figure).not.toHaveProperty("resourceQuantity");
    expect(article.content).toContain("Evictions prevented: fewer than 3 household");
  });

  it("a corrected report replaces A's earlier figures in C's totals (not added to them)", async () => {
    const entries = (await a.admin("GET", `/sovereignty/entries?month=${month}`)).body.items as {
      id: string;
      metric: string;
      quantityMilli: number;
    }[];
    const forty = entries.find((e) => e.metric === "meals-prepared" && e.quantityMilli === 40_000)!;
    const corrected = await a.admin("POST", `/sovereignty/entries/${forty.id}/correction`, {
      metric: "meals-prepared",
      date: day,
      quantity: "50",
      service: "kitchen",
    });
    expect(corrected.status).toBe(201);
    const history = await a.admin("GET", `/sovereignty/entries/${corrected.body.id}/history`);
    expect(history.body.items.map((e: { quantityMilli: number }) => e.quantityMilli)).toEqual([50_000, 40_000]);
    const reports = await a.admin("POST", "/sovereignty/reports/draft");
    const republished = await a.admin("POST", `/sovereignty/reports/${reports.body.id}/publish`);
    expect(republished.body.revision).toBe(2);
    await waitUntil(async () => (await cTotals("meals-prepared"))[0]?.quantity === "102");
    expect((await cTotals("meals-prepared"))[0]!.pods).toHaveLength(2);
  });

  it("A's charter page shows the month's progress toward its next service", async () => {
    const page = await (await fetch(`${a.url}/charter`, { headers: { accept: "text/html" } })).text();
    expect(page).toContain(`${month}: progress toward Street clinic`);
    expect(page).toContain("Meals prepared: 70 meal (0 the month before)");
    expect(page).toContain("Still needed: 2 people, nurse, first-aid kits.");
  });

  it("when C unfollows B, B's figures leave C's totals", async () => {
    const before = (await cTotals("meals-prepared"))[0]!;
    expect(before.pods).toHaveLength(2);
    expect((await c.admin("DELETE", `/following?target=${encodeURIComponent(b.handle)}`)).status).toBeLessThan(300);
    await waitUntil(async () => (await cTotals("meals-prepared"))[0]?.pods.length === 1);
    const after = (await cTotals("meals-prepared"))[0]!;
    expect(after.pods).toEqual([a.actorUrl]);
    expect(Number(after.quantity)).toBeLessThan(Number(before.quantity));
  });
});
