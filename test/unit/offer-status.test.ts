import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  PUBLISHED_STATUSES,
  offerStatus,
  offerStatusSql,
  type EndsSide,
  type PublishedStatus,
} from "../../src/offers/status.ts";

/**
 * The offer status rule exists once, in two forms: offerStatus (JS, for the offers room and the view's
 * items) and offerStatusSql (the view's filter). For any quantities, end date and set of statuses, a row
 * is selected by the SQL exactly when its JS status is in the set, on each side of the ending_soon split.
 */
describe("offer status: the JS rule and its SQL predicate agree", () => {
  let dir: string;
  let db: Database.Database;
  const NOW = "2026-12-01T12:00:00.000Z";

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "offer-status-"));
    db = new Database(join(dir, "status.sqlite"));
    db.exec("CREATE TABLE t (quantity_milli INTEGER, available_milli INTEGER, ends_at TEXT)");
  });
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const milli = fc.option(fc.integer({ min: 0, max: 5 }), { nil: null });
  const endsAt = fc.option(
    fc.constantFrom("2026-11-30T12:00:00.000Z", NOW, "2026-12-01T12:00:00.001Z", "2027-01-01T00:00:00.000Z"),
    { nil: null },
  );
  const statuses = fc.subarray([...PUBLISHED_STATUSES]);

  it("selects a row exactly when its status is wanted", () => {
    fc.assert(
      fc.property(milli, milli, endsAt, statuses, (quantityMilli, availableMilli, ends, wanted) => {
        const status: PublishedStatus = offerStatus({ quantityMilli, availableMilli, endsAt: ends }, new Date(NOW));
        const side: EndsSide = ends === null ? "none" : "known";
        for (const split of ["any", side] as EndsSide[]) {
          const condition = offerStatusSql(wanted, "@now", split) ?? "1";
          const row = "SELECT @q AS quantity_milli, @a AS available_milli, @e AS ends_at";
          const selected = db
            .prepare(`SELECT count(*) AS n FROM (${row}) WHERE ${condition}`)
            .get({ q: quantityMilli, a: availableMilli, e: ends, now: NOW }) as { n: number };
          expect(selected.n === 1, `${status} in [${wanted}] (${split})`).toBe(wanted.includes(status));
        }
      }),
      { numRuns: 400 },
    );
  });
});
