import { describe, expect, it } from "vitest";
import type { Config } from "../../src/config/schema.ts";
import type { RoomDb } from "../../src/db/room-db.ts";
import type { EntryInput } from "../../src/sovereignty/model.ts";
import {
  sovereigntyEntries,
  sovereigntyMetricTypes,
  sovereigntySettings,
  sovereigntyWeights,
} from "../../src/sovereignty/schema.ts";
import { DEFAULT_THRESHOLD, ledgerStore } from "../../src/sovereignty/store-ledger.ts";

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
