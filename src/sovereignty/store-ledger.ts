import { and, asc, desc, eq, gte, isNotNull, lt, notInArray, sql } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import type { Config } from "../config/schema.ts";
import type { RoomDb, RoomQueries } from "../db/room-db.ts";
import { conflict, notFound } from "../http/problem.ts";
import type { Entry, EntryInput, MetricType } from "./model.ts";
import { sovereigntyEntries, sovereigntyMetricTypes, sovereigntySettings, sovereigntyWeights } from "./schema.ts";
import { INSTITUTIONS, METRIC_SLUG, METRIC_UNIT, SHARED_METRIC_BASE, SHARED_METRIC_TYPES } from "./taxonomy.ts";
import type { Institution } from "./taxonomy.ts";

export const DEFAULT_THRESHOLD = 3;
export const customMetricIri = (config: Config, slug: string) => new URL(`/metrics/${slug}`, config.url).href;

export interface MetricTypeInput {
  slug: string;
  labelEn: string;
  labelEs: string;
  unit: string;
  category: string;
  replaces: Institution;
  /** Hours of life liberated per unit (thousandths); 0 when not given. */
  defaultWeightMilli?: number;
}

export interface MonthTotal {
  metric: string;
  service: string | null;
  quantityMilli: number;
  effortMilli: number;
  entries: number;
}

type EntryMeta = { source: Entry["source"]; enteredBy: string; now: Date };

/** The only code that reads or writes the ledger, metric types, weights and threshold, on either database. */
export function ledgerStore(rooms: RoomDb, config: Config) {
  const types = rooms.table(sovereigntyMetricTypes);
  const weights = rooms.table(sovereigntyWeights);
  const entries = rooms.table(sovereigntyEntries);
  const settings = rooms.table(sovereigntySettings);

  /** Entries nothing supersedes: the ledger as it stands. */
  const current = (db: RoomQueries) =>
    notInArray(entries.id, db.select({ id: entries.supersedes }).from(entries).where(isNotNull(entries.supersedes)));

  async function metricTypesIn(db: RoomQueries): Promise<MetricType[]> {
    const own = new Map((await db.select().from(weights)).map((w) => [w.metric, w]));
    const withWeight = (type: Omit<MetricType, "weightMilli" | "weightReason">): MetricType => {
      const weight = own.get(type.slug);
      return {
        ...type,
        weightMilli: weight?.hoursPerUnitMilli ?? type.defaultWeightMilli,
        weightReason: weight?.reason ?? "",
      };
    };
    const shared = SHARED_METRIC_TYPES.map((t) =>
      withWeight({
        slug: t.slug,
        iri: `${SHARED_METRIC_BASE}${t.slug}`,
        labels: { en: t.en, es: t.es },
        unit: t.unit,
        category: t.category,
        replaces: t.replaces,
        shared: true,
        defaultWeightMilli: Math.round(t.weight * 1000),
      }),
    );
    const custom = (await db.select().from(types).orderBy(asc(types.slug))).map((t) =>
      withWeight({
        slug: t.slug,
        iri: customMetricIri(config, t.slug),
        labels: { en: t.labelEn, es: t.labelEs },
        unit: t.unit,
        category: t.category,
        replaces: t.replaces as Institution,
        shared: false,
        defaultWeightMilli: t.defaultWeightMilli,
      }),
    );
    return [...shared, ...custom];
  }

  async function entryIn(db: RoomQueries, id: string): Promise<Entry> {
    const [row] = await db.select().from(entries).where(eq(entries.id, id));
    if (!row) throw notFound(`no ledger entry ${id}`);
    return row as Entry;
  }

  const entryRow = (input: EntryInput, meta: EntryMeta, supersedes: string | null) => ({
    id: uuidv7(),
    ...input,
    source: meta.source,
    enteredBy: meta.enteredBy,
    supersedes,
    createdAt: meta.now.toISOString(),
  });

  return {
    /** The shared metric types and the pod's own, each with the pod's weight. */
    metricTypes: () => rooms.read(metricTypesIn),

    async addMetricType(input: MetricTypeInput, now: Date): Promise<MetricType> {
      if (!METRIC_SLUG.test(input.slug)) throw conflict(`metric type slug "${input.slug}" is not valid`);
      if (SHARED_METRIC_TYPES.some((t) => t.slug === input.slug))
        throw conflict(`metric type "${input.slug}" already exists`);
      if (!INSTITUTIONS.includes(input.replaces)) throw conflict(`unknown institution "${input.replaces}"`);
      if (!METRIC_UNIT.test(input.unit)) throw conflict(`unit "${input.unit}" is not a word such as "meal" or "kWh"`);
      return rooms.write(async (db) => {
        // Two coordinators adding one slug at once: the primary key keeps the first, the other is told.
        const added = await db
          .insert(types)
          .values({ ...input, createdAt: now.toISOString() })
          .onConflictDoNothing()
          .returning();
        if (added.length === 0) throw conflict(`metric type "${input.slug}" already exists`);
        return (await metricTypesIn(db)).find((t) => t.slug === input.slug)!;
      });
    },

    setWeight: (metric: string, hoursPerUnitMilli: number, reason: string, now: Date) =>
      rooms.write(async (db) => {
        const at = now.toISOString();
        await db
          .insert(weights)
          .values({ metric, hoursPerUnitMilli, reason, updatedAt: at })
          .onConflictDoUpdate({ target: weights.metric, set: { hoursPerUnitMilli, reason, updatedAt: at } });
      }),

    async threshold(): Promise<number> {
      const [row] = await rooms.read((db) => db.select().from(settings).limit(1));
      return row?.smallCountThreshold ?? DEFAULT_THRESHOLD;
    },

    setThreshold: (value: number) =>
      rooms.write(async (db) => {
        await db
          .insert(settings)
          .values({ id: 1, smallCountThreshold: value })
          .onConflictDoUpdate({ target: settings.id, set: { smallCountThreshold: value } });
      }),

    /** New entries, all in one write (a CSV import takes every row or none). */
    insertEntries: (inputs: EntryInput[], meta: EntryMeta): Promise<Entry[]> =>
      rooms.write(async (db) => {
        const stored: Entry[] = [];
        for (const input of inputs) {
          const [row] = await db
            .insert(entries)
            .values(entryRow(input, meta, null))
            .returning();
          stored.push(row as Entry);
        }
        return stored;
      }),

    /** A correction: a new entry superseding the current one (which stays, as history). */
    correctEntry: (id: string, input: EntryInput, meta: EntryMeta): Promise<Entry> =>
      rooms.write(
        async (db) => {
          await entryIn(db, id);
          const [newer] = await db.select().from(entries).where(eq(entries.supersedes, id));
          if (newer) throw conflict(`entry ${id} was already corrected by ${newer.id}; correct that one`);
          const [row] = await db
            .insert(entries)
            .values(entryRow(input, meta, id))
            .returning();
          return row as Entry;
        },
        // Two corrections of one entry at once: the second sees the first and is refused (no fork in the history).
        { oneAtATime: `sovereignty-entry:${id}` },
      ),

    getEntry: (id: string) => rooms.read((db) => entryIn(db, id)),

    /** An entry and the ones it corrected, newest first. */
    entryHistory: (id: string): Promise<Entry[]> =>
      rooms.read(async (db) => {
        const chain: Entry[] = [];
        let next: string | null = id;
        while (next && chain.length < 1000) {
          const row = await entryIn(db, next);
          chain.push(row);
          next = row.supersedes;
        }
        return chain;
      }),

    /** Current entries, newest day first, optionally within [fromDay, toDay). */
    currentEntries: (range: { from?: string; to?: string; limit?: number } = {}): Promise<Entry[]> =>
      rooms.read(
        async (db) =>
          (await db
            .select()
            .from(entries)
            .where(
              and(
                current(db),
                range.from ? gte(entries.date, range.from) : undefined,
                range.to ? lt(entries.date, range.to) : undefined,
              ),
            )
            .orderBy(desc(entries.date), desc(entries.id))
            .limit(range.limit ?? 100_000)) as Entry[],
      ),

    /** The month's current entries summed per metric type and charter service. */
    monthTotals: (month: string): Promise<MonthTotal[]> =>
      rooms.read((db) =>
        db
          .select({
            metric: entries.metric,
            service: entries.service,
            quantityMilli: sql<number>`sum(${entries.quantityMilli})`.mapWith(Number),
            effortMilli: sql<number>`coalesce(sum(${entries.effortMilli}), 0)`.mapWith(Number),
            entries: sql<number>`count(*)`.mapWith(Number),
          })
          .from(entries)
          .where(and(current(db), gte(entries.date, `${month}-01`), lt(entries.date, `${month}-32`)))
          .groupBy(entries.metric, entries.service),
      ),
  };
}

export type LedgerStore = ReturnType<typeof ledgerStore>;
