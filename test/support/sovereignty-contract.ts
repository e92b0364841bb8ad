import { beforeEach, describe, expect, it } from "vitest";
import type { Config } from "../../src/config/schema.ts";
import type { RoomDb } from "../../src/db/room-db.ts";
import type { EntryInput } from "../../src/sovereignty/model.ts";
import type { ReportFigures } from "../../src/sovereignty/report.ts";
import {
  sovereigntyEntries,
  sovereigntyMetricTypes,
  sovereigntyNeighborFigures,
  sovereigntyReports,
  sovereigntySettings,
  sovereigntyTotals,
  sovereigntyWeights,
} from "../../src/sovereignty/schema.ts";
import { DEFAULT_THRESHOLD, ledgerStore } from "../../src/sovereignty/store-ledger.ts";
import { monthIn } from "../../src/sovereignty/months.ts";
import { confederalTotals } from "../../src/sovereignty/totals.ts";
import { reportsStore } from "../../src/sovereignty/store-reports.ts";
import { type ReceivedFigure, type TotalsStore, totalsStore } from "../../src/sovereignty/totals-store.ts";

const MEALS = "https://w3id.org/pods/metrics/meals-prepared";
const REPAIRS = "https://w3id.org/pods/metrics/repairs";
const config = { url: "https://pod.example/" } as unknown as Config;
const now = new Date("2026-11-15T10:00:00Z");
const meta = { source: "app" as const, enteredBy: "member-1", now };
const entry = (date: string, quantity: number, extra: Partial<EntryInput> = {}): EntryInput => ({
  metric: "meals-prepared",
  date,
  quantityMilli: quantity * 1000,
  effortMilli: null,
  service: null,
  note: "",
  ...extra,
});
const custom = {
  slug: "bikes-fixed",
  labelEn: "Bikes fixed",
  labelEs: "Bicis arregladas",
  unit: "bike",
  category: "mobility",
  replaces: "market" as const,
  defaultWeightMilli: 1500,
};

/**
 * The sovereignty room's ledger, metric types, weights and threshold on both databases
 * (test/integration and test/postgres sovereignty-store.test.ts).
 */
export function describeSovereigntyContract(name: string, open: () => RoomDb): void {
  describeTotals(name, open);
  describeReports(name, open);
  describe(`${name} (the sovereignty ledger)`, () => {
    async function emptied() {
      const rooms = open();
      await rooms.write(async (db) => {
        for (const table of [sovereigntyEntries, sovereigntyMetricTypes, sovereigntyWeights, sovereigntySettings])
          await db.delete(rooms.table(table));
      });
      return { rooms, store: ledgerStore(rooms, config) };
    }

    it("lists the shared types with their default weights, then the pod's own with the pod's weight", async () => {
      const { store } = await emptied();
      const shared = await store.metricTypes();
      expect(shared.every((t) => t.shared)).toBe(true);
      const added = await store.addMetricType(custom, now);
      expect(added).toMatchObject({ slug: "bikes-fixed", iri: "https://pod.example/metrics/bikes-fixed" });
      expect(added).toMatchObject({ weightMilli: 1500, shared: false, labels: { es: "Bicis arregladas" } });
      await store.setWeight("bikes-fixed", 2000, "a repair takes two hours", now);
      await store.setWeight("bikes-fixed", 2500, "measured again", now);
      const types = await store.metricTypes();
      expect(types.length).toBe(shared.length + 1);
      expect(types.at(-1)).toMatchObject({ weightMilli: 2500, weightReason: "measured again" });
    });

    it("refuses a slug taken by a shared or an own type, also when two coordinators add it at once", async () => {
      const { store } = await emptied();
      const sharedSlug = (await store.metricTypes())[0]!.slug;
      await expect(store.addMetricType({ ...custom, slug: sharedSlug }, now)).rejects.toMatchObject({
        problem: { status: 409 },
      });
      const results = await Promise.allSettled([1, 2, 3].map(() => store.addMetricType(custom, now)));
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      expect(
        results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason.problem.status),
      ).toEqual([409, 409]);
      expect((await store.metricTypes()).filter((t) => t.slug === "bikes-fixed")).toHaveLength(1);
    });

    it("keeps the threshold the pod chose, the default until it chooses", async () => {
      const { store } = await emptied();
      expect(await store.threshold()).toBe(DEFAULT_THRESHOLD);
      await store.setThreshold(5);
      await store.setThreshold(7);
      expect(await store.threshold()).toBe(7);
    });

    it("sums the month's current entries per type and service, numbers on both databases", async () => {
      const { store } = await emptied();
      const [first] = await store.insertEntries(
        [entry("2026-10-01", 4), entry("2026-10-31", 2, { effortMilli: 1500 }), entry("2026-11-01", 9)],
        meta,
      );
      await store.insertEntries([entry("2026-10-20", 1, { service: "kitchen" })], meta);
      await store.correctEntry(first!.id, entry("2026-10-01", 6), meta);
      const totals = await store.monthTotals("2026-10");
      expect(totals.sort((a, b) => String(a.service).localeCompare(String(b.service)))).toEqual([
        { metric: "meals-prepared", service: "kitchen", quantityMilli: 1000, effortMilli: 0, entries: 1 },
        { metric: "meals-prepared", service: null, quantityMilli: 8000, effortMilli: 1500, entries: 2 },
      ]);
      const current = await store.currentEntries({ from: "2026-10-01", to: "2026-11-01" });
      expect(current.map((e) => e.quantityMilli)).toEqual([2000, 1000, 6000]);
      expect((await store.currentEntries({ limit: 1 })).map((e) => e.date)).toEqual(["2026-11-01"]);
    });

    it("keeps a corrected entry as history, newest first; a second correction of it is refused", async () => {
      const { store } = await emptied();
      const [original] = await store.insertEntries([entry("2026-10-05", 3)], meta);
      const fixed = await store.correctEntry(original!.id, entry("2026-10-05", 4), meta);
      const again = await store.correctEntry(fixed.id, entry("2026-10-06", 4), meta);
      expect((await store.entryHistory(again.id)).map((e) => e.id)).toEqual([again.id, fixed.id, original!.id]);
      await expect(store.correctEntry(original!.id, entry("2026-10-05", 5), meta)).rejects.toMatchObject({
        problem: { status: 409 },
      });
    });

    it("of two corrections of one entry at once, one is taken and the history does not fork", async () => {
      const { store } = await emptied();
      const [original] = await store.insertEntries([entry("2026-10-05", 3)], meta);
      const results = await Promise.allSettled(
        [4, 5, 6].map((n) => store.correctEntry(original!.id, entry("2026-10-05", n), meta)),
      );
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      expect(await store.currentEntries()).toHaveLength(1);
    });

    it("answers 404 for an unknown entry, read or corrected", async () => {
      const { store } = await emptied();
      await expect(store.getEntry("no-such-entry")).rejects.toMatchObject({ problem: { status: 404 } });
      await expect(store.entryHistory("no-such-entry")).rejects.toMatchObject({ problem: { status: 404 } });
      await expect(store.correctEntry("no-such-entry", entry("2026-10-05", 1), meta)).rejects.toMatchObject({
        problem: { status: 404 },
      });
    });

    it("takes an import's rows all or none: a row that fails leaves nothing stored", async () => {
      const { store } = await emptied();
      // A null quantity breaks NOT NULL on both databases, after the first row went in.
      const broken = { ...entry("2026-10-03", 1), quantityMilli: null as unknown as number };
      await expect(store.insertEntries([entry("2026-10-02", 1), broken], meta)).rejects.toThrow();
      expect(await store.currentEntries()).toEqual([]);
    });
  });
}

/** The confederal totals: a corrected report replaces, small counts add nothing, weights applied, months by label. */
function describeTotals(name: string, open: () => RoomDb): void {
  describe(`${name} (the confederal totals)`, () => {
    const weights = new Map([
      [MEALS, 1000],
      [REPAIRS, 2500],
    ]);
    let store: TotalsStore;
    beforeEach(async () => {
      const rooms = open();
      await rooms.write(async (db) => {
        await db.delete(rooms.table(sovereigntyNeighborFigures));
        await db.delete(rooms.table(sovereigntyTotals));
      });
      store = totalsStore(rooms);
    });
    const A = "https://a.example/users/pod";
    const B = "https://b.example/users/pod";
    const report = (podIri: string, month: string, version: string, figures: ReceivedFigure[]) =>
      store.replaceFigures({ podIri, month, reportIri: `${podIri}/r/${month}`, version, figures, at: new Date() });
    const meals = (quantityMilli: number | null, fewerThan: number | null = null): ReceivedFigure => ({
      metricIri: MEALS,
      unit: "meal",
      quantityMilli,
      fewerThan,
    });
    const totals = (from = "2026-01", to = "2026-12") => confederalTotals(store, { from, to }, weights);

    it("adds pods' numbers per month and type, with this pod's weights applied", async () => {
      await report(A, "2026-10", "2026-11-02T10:00:00Z", [
        meals(10_000),
        { metricIri: REPAIRS, unit: "repair", quantityMilli: 4000, fewerThan: null },
      ]);
      await report(B, "2026-10", "2026-11-03T10:00:00Z", [meals(32_000)]);
      expect(await totals()).toEqual([
        expect.objectContaining({
          month: "2026-10",
          metricIri: MEALS,
          quantityMilli: 42_000,
          liberatedMilli: 42_000,
          weightMilli: 1000,
          podCount: 2,
          pods: [A, B],
        }),
        expect.objectContaining({ metricIri: REPAIRS, quantityMilli: 4000, liberatedMilli: 10_000, pods: [A] }),
      ]);
    });

    it("a metric named twice in one report counts once, and leaves the totals whole when corrected", async () => {
      await report(A, "2026-10", "2026-11-02T10:00:00Z", [meals(10_000), meals(999_000_000), meals(5)]);
      expect((await totals())[0]).toMatchObject({ quantityMilli: 10_000, podCount: 1 });
      await report(A, "2026-10", "2026-11-03T10:00:00Z", [meals(4000)]);
      expect((await totals())[0]).toMatchObject({ quantityMilli: 4000, podCount: 1 });
    });

    it("a corrected report replaces the earlier figures; an older version never replaces a newer one", async () => {
      await report(A, "2026-10", "2026-11-02T10:00:00Z", [meals(10_000)]);
      await report(B, "2026-10", "2026-11-02T10:00:00Z", [meals(5000)]);
      expect(await report(A, "2026-10", "2026-11-05T10:00:00Z", [meals(12_000)])).toBe(true);
      expect((await totals())[0]).toMatchObject({ quantityMilli: 17_000, podCount: 2 });
      expect(await report(A, "2026-10", "2026-11-01T10:00:00Z", [meals(99_000)])).toBe(false);
      expect((await totals())[0]).toMatchObject({ quantityMilli: 17_000 });
      // A correction that drops a type takes it out of the totals.
      await report(A, "2026-10", "2026-11-06T10:00:00Z", []);
      await report(B, "2026-10", "2026-11-06T10:00:00Z", []);
      expect(await totals()).toEqual([]);
    });

    it("a count published as 'fewer than' adds nothing and is listed apart", async () => {
      await report(A, "2026-10", "2026-11-02T10:00:00Z", [meals(10_000)]);
      await report(B, "2026-10", "2026-11-02T10:00:00Z", [meals(null, 3)]);
      expect((await totals())[0]).toMatchObject({
        quantityMilli: 10_000,
        podCount: 1,
        pods: [A],
        fewerThanCount: 1,
        fewerThan: 3,
        fewerThanPods: [B],
      });
    });

    it("a type this pod has no weight for shows no hours", async () => {
      await report(A, "2026-10", "v1", [
        { metricIri: "https://b.example/metrics/bikes", unit: "bike", quantityMilli: 10_000, fewerThan: null },
      ]);
      expect((await totals())[0]).toMatchObject({ liberatedMilli: null, weightMilli: null, quantityMilli: 10_000 });
    });

    it("pods in different zones add up by their own month, not by instant", async () => {
      // Both instants say October where they were written: Sep 30 12:00 UTC is already Oct 1 in Auckland,
      // Nov 1 05:00 UTC is still Oct 31 in Honolulu. By instant (UTC) they would fall in two other months.
      await report(A, monthIn(new Date("2026-09-30T12:00:00Z"), "Pacific/Auckland"), "v1", [meals(10_000)]);
      await report(B, monthIn(new Date("2026-11-01T05:00:00Z"), "Pacific/Honolulu"), "v1", [meals(5000)]);
      expect(await totals()).toEqual([expect.objectContaining({ month: "2026-10", quantityMilli: 15_000 })]);
      expect(await totals("2026-11", "2026-11")).toEqual([]);
    });

    it("keeps the largest 'fewer than' bound of a cell, and forgets an unfollowed pod's figures", async () => {
      await report(A, "2026-10", "v1", [meals(null, 3)]);
      await report(B, "2026-10", "v1", [meals(null, 5)]);
      await report("https://c.example/users/pod", "2026-10", "v1", [meals(null, 2)]);
      expect((await totals())[0]).toMatchObject({ fewerThanCount: 3, fewerThan: 5, quantityMilli: 0 });
      await report(A, "2026-11", "v1", [meals(7000)]);
      await store.dropPodFigures(A);
      expect((await store.storedFigures()).map((f) => f.podIri).sort()).toEqual([B, "https://c.example/users/pod"]);
      expect((await totals()).map((cell) => [cell.month, cell.fewerThanCount])).toEqual([["2026-10", 2]]);
      expect(await store.latestMonth()).toBe("2026-10");
      expect(await store.latestMonth(REPAIRS)).toBeNull();
    });

    it("versions of one pod's month arriving at once leave the newest, counted once", async () => {
      await report(A, "2026-10", "2026-11-01T00:00:00Z", [meals(500)]);
      await report(B, "2026-10", "2026-11-01T00:00:00Z", [meals(100)]);
      const versions = ["2026-11-02T10:00:00Z", "2026-11-04T10:00:00Z", "2026-11-03T10:00:00Z", "2026-11-01T10:00:00Z"];
      await Promise.all(versions.map((version, i) => report(A, "2026-10", version, [meals((i + 1) * 1000)])));
      expect(await totals()).toEqual([expect.objectContaining({ quantityMilli: 2100, podCount: 2 })]);
      expect((await store.storedFigures()).find((f) => f.podIri === A)).toMatchObject({
        version: "2026-11-04T10:00:00Z",
      });
    });

    it("a throw inside the write leaves neither the figures nor the totals moved", async () => {
      const rooms = open();
      await report(A, "2026-10", "v1", [meals(1000)]);
      const failing = rooms.write(async (db) => {
        await store.replaceFiguresWithin(db, {
          podIri: A,
          month: "2026-10",
          reportIri: "r",
          version: "v2",
          figures: [meals(9000)],
          at: new Date(),
        });
        throw new Error("the rest of the write failed");
      });
      await expect(failing).rejects.toThrow("the rest of the write failed");
      expect(await totals()).toEqual([expect.objectContaining({ quantityMilli: 1000 })]);
    });
  });
}

/** The monthly reports: one per month, drafts then published, figures kept as JSON. */
function describeReports(name: string, open: () => RoomDb): void {
  describe(`${name} (the monthly reports)`, () => {
    const draft = (month: string, id = `r-${month}`) => ({
      id,
      month,
      status: "draft" as const,
      figures: { month, metrics: [{ slug: "meals-prepared", quantityMilli: 1500 }] } as unknown as ReportFigures,
      intro: "",
      progress: "",
      language: "en",
      revision: 0,
      createdAt: "2026-11-01T00:00:00Z",
      updatedAt: "2026-11-01T00:00:00Z",
      publishedAt: null,
    });
    async function emptied() {
      const rooms = open();
      await rooms.write((db) => db.delete(rooms.table(sovereigntyReports)));
      return { rooms, store: reportsStore(rooms) };
    }

    it("keeps one report a month, even when two drafts of it are made at once", async () => {
      const { store } = await emptied();
      const made = await Promise.all([draft("2026-10", "a"), draft("2026-10", "b")].map((r) => store.insertDraft(r)));
      expect(new Set(made.map((r) => r.id)).size).toBe(1);
      expect(await store.list()).toHaveLength(1);
      expect((await store.byMonth("2026-10"))?.figures).toEqual(draft("2026-10").figures);
    });

    it("lists newest month first; only published ones are counted and served", async () => {
      const { store } = await emptied();
      for (const month of ["2026-08", "2026-10", "2026-09"]) await store.insertDraft(draft(month));
      await store.update("r-2026-08", { status: "published", revision: 1, publishedAt: "2026-09-01T00:00:00Z" });
      await store.update("r-2026-10", { status: "published", revision: 1, publishedAt: "2026-11-01T00:00:00Z" });
      expect((await store.list()).map((r) => r.month)).toEqual(["2026-10", "2026-09", "2026-08"]);
      expect((await store.published(1)).map((r) => r.month)).toEqual(["2026-10"]);
      expect(await store.publishedCount()).toBe(2);
      expect(typeof (await store.byId("r-2026-10"))?.revision).toBe("number");
    });

    it("answers nothing for an unknown report, read or changed", async () => {
      const { store } = await emptied();
      expect(await store.byId("no-such-report")).toBeUndefined();
      expect(await store.update("no-such-report", { intro: "x" })).toBeUndefined();
    });
  });
}
