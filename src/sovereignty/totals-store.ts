import { and, asc, eq, gte, lte, max, sql } from "drizzle-orm";
import type { RoomDb, RoomQueries } from "../db/room-db.ts";
import { sovereigntyNeighborFigures, sovereigntyTotals } from "./schema.ts";

export interface ReceivedFigure {
  metricIri: string;
  unit: string;
  quantityMilli: number | null;
  fewerThan: number | null;
}

export interface PodMonthFigures {
  podIri: string;
  month: string;
  reportIri: string;
  /** The report's `updated` (or `published`): an older version never replaces a newer one. */
  version: string;
  figures: ReceivedFigure[];
  at: Date;
}

export type StoredFigure = typeof sovereigntyNeighborFigures.$inferSelect;
export type TotalRow = typeof sovereigntyTotals.$inferSelect;

/** The only code that reads or writes the pods' report figures and their confederal totals, on either database. */
export function totalsStore(rooms: RoomDb) {
  const f = rooms.table(sovereigntyNeighborFigures);
  const t = rooms.table(sovereigntyTotals);

  /** Adds (sign 1) or takes away (sign -1) one pod's figure from its month's total. */
  async function moveTotal(db: RoomQueries, month: string, figure: ReceivedFigure, sign: 1 | -1): Promise<void> {
    const reported = figure.quantityMilli === null ? 0 : 1;
    const bound = figure.fewerThan ?? 0;
    await db
      .insert(t)
      .values({
        metricIri: figure.metricIri,
        month,
        unit: figure.unit,
        quantityMilli: sign * (figure.quantityMilli ?? 0),
        podCount: sign * reported,
        fewerThanCount: sign * (1 - reported),
        fewerThan: figure.fewerThan,
      })
      .onConflictDoUpdate({
        target: [t.metricIri, t.month],
        set: {
          quantityMilli: sql`${t.quantityMilli} + ${sign * (figure.quantityMilli ?? 0)}`,
          podCount: sql`${t.podCount} + ${sign * reported}`,
          fewerThanCount: sql`${t.fewerThanCount} + ${sign * (1 - reported)}`,
          // The larger bound, written for both databases (two-argument max() is SQLite's, greatest() PostgreSQL's).
          fewerThan: sql`case when coalesce(${t.fewerThan}, 0) > ${bound} then ${t.fewerThan} else ${bound} end`,
          ...(figure.unit ? { unit: figure.unit } : {}),
        },
      });
    if (sign < 0)
      await db
        .delete(t)
        .where(and(eq(t.metricIri, figure.metricIri), eq(t.month, month), eq(t.podCount, 0), eq(t.fewerThanCount, 0)));
  }

  /**
   * A pod's figures for a month, replacing what that pod said for that month before (a corrected report
   * replaces the earlier one; each pod's latest counts once). False when what is stored is newer.
   */
  async function replaceFiguresWithin(db: RoomQueries, input: PodMonthFigures): Promise<boolean> {
    const samePodMonth = and(eq(f.podIri, input.podIri), eq(f.month, input.month));
    const before = await db.select().from(f).where(samePodMonth);
    if (before.some((row) => row.version > input.version)) return false;
    for (const old of before) await moveTotal(db, input.month, old, -1);
    await db.delete(f).where(samePodMonth);
    for (const figure of input.figures) {
      const stored = await db
        .insert(f)
        .values({
          podIri: input.podIri,
          month: input.month,
          reportIri: input.reportIri,
          version: input.version,
          receivedAt: input.at.toISOString(),
          ...figure,
        })
        .onConflictDoNothing()
        .returning({ metricIri: f.metricIri });
      // Only a stored figure counts: a metric named twice in one report is added once (and taken away once).
      if (stored.length === 1) await moveTotal(db, input.month, figure, 1);
    }
    return true;
  }

  /** One pod-month at a time across processes: two versions arriving together must not both move the totals. */
  const podMonth = (podIri: string, month: string) => ({ oneAtATime: `sovereignty-figures:${podIri}:${month}` });

  return {
    replaceFiguresWithin,
    /** Within a write that has taken the pod-month's turn (`turnOf`), or on its own. */
    turnOf: podMonth,
    replaceFigures: (input: PodMonthFigures) =>
      rooms.write((db) => replaceFiguresWithin(db, input), podMonth(input.podIri, input.month)),

    /** Forget a pod's figures (it was unfollowed or deleted itself). */
    dropPodFigures: (podIri: string) =>
      rooms.write(
        async (db) => {
          const rows = await db.select().from(f).where(eq(f.podIri, podIri));
          for (const row of rows) await moveTotal(db, row.month, row, -1);
          await db.delete(f).where(eq(f.podIri, podIri));
        },
        { oneAtATime: `sovereignty-figures:${podIri}` },
      ),

    /** Stored figures, of one metric type if given, within months [from, to] if given. */
    storedFigures: (query: { metricIri?: string; from?: string; to?: string } = {}): Promise<StoredFigure[]> =>
      rooms.read((db) =>
        db
          .select()
          .from(f)
          .where(
            and(
              query.metricIri ? eq(f.metricIri, query.metricIri) : undefined,
              query.from ? gte(f.month, query.from) : undefined,
              query.to ? lte(f.month, query.to) : undefined,
            ),
          ),
      ),

    /** The latest month any pod reported (for one metric type if given). */
    async latestMonth(metricIri?: string): Promise<string | null> {
      const [row] = await rooms.read((db) =>
        db
          .select({ month: max(t.month) })
          .from(t)
          .where(metricIri ? eq(t.metricIri, metricIri) : undefined),
      );
      return row?.month ?? null;
    },

    /** The totals of months [from, to] (of one metric type if given), month then type. */
    totalsIn: (query: { metricIri?: string; from: string; to: string }): Promise<TotalRow[]> =>
      rooms.read((db) =>
        db
          .select()
          .from(t)
          .where(
            and(
              query.metricIri ? eq(t.metricIri, query.metricIri) : undefined,
              gte(t.month, query.from),
              lte(t.month, query.to),
            ),
          )
          .orderBy(asc(t.month), asc(t.metricIri)),
      ),

    /** The pods that reported a cell, by IRI. */
    podsOf: (metricIri: string, month: string) =>
      rooms.read((db) =>
        db
          .select({ podIri: f.podIri, quantityMilli: f.quantityMilli })
          .from(f)
          .where(and(eq(f.metricIri, metricIri), eq(f.month, month)))
          .orderBy(asc(f.podIri)),
      ),
  };
}

export type TotalsStore = ReturnType<typeof totalsStore>;
