import { and, asc, desc, eq, gte, isNotNull, lt, notInArray, sql } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import type { Config } from "../config/schema.ts";
import type { Db } from "../db/client.ts";
import { preparedOnce } from "../db/prepared.ts";
import { conflict, notFound } from "../http/problem.ts";
import { parseCsv } from "./csv.ts";
import { type Entry, type EntryInput, type EntryProblem, type MetricType, parseMilli } from "./model.ts";
import { isDay } from "./months.ts";
import { sovereigntyEntries, sovereigntyMetricTypes, sovereigntyWeights } from "./schema.ts";
import {
  type Institution,
  INSTITUTIONS,
  METRIC_SLUG,
  METRIC_UNIT,
  SHARED_METRIC_BASE,
  SHARED_METRIC_TYPES,
} from "./taxonomy.ts";

type Reader = Pick<Db, "select">;
const NOTE_MAX = 500;
/** The most rows one CSV import takes (a month of a busy pod's entries, several times over). */
export const CSV_MAX_ROWS = 2000;
export const CSV_COLUMNS = ["metric", "date", "quantity", "hours", "service", "note"] as const;

export const customMetricIri = (config: Config, slug: string) => new URL(`/metrics/${slug}`, config.url).href;

// Every totals page and ledger form reads both: prepared once per database.
const allWeights = (db: Db) => db.select().from(sovereigntyWeights).prepare();
const customTypes = (db: Db) =>
  db.select().from(sovereigntyMetricTypes).orderBy(asc(sovereigntyMetricTypes.slug)).prepare();

/** The shared metric types and the pod's own, each with the pod's weight. */
export function listMetricTypes(db: Db, config: Config): MetricType[] {
  const weights = new Map(
    preparedOnce(db, allWeights)
      .all()
      .map((w) => [w.metric, w]),
  );
  const withWeight = (type: Omit<MetricType, "weightMilli" | "weightReason">): MetricType => {
    const own = weights.get(type.slug);
    return { ...type, weightMilli: own?.hoursPerUnitMilli ?? type.defaultWeightMilli, weightReason: own?.reason ?? "" };
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
  const custom = preparedOnce(db, customTypes)
    .all()
    .map((t) =>
      withWeight({
        slug: t.slug,
        iri: customMetricIri(config, t.slug),
        labels: { en: t.labelEn, es: t.labelEs },
        unit: t.unit,
        category: t.category,
        replaces: t.replaces,
        shared: false,
        defaultWeightMilli: t.defaultWeightMilli,
      }),
    );
  return [...shared, ...custom];
}

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

export function addMetricType(db: Db, config: Config, input: MetricTypeInput, now: Date): MetricType {
  if (!METRIC_SLUG.test(input.slug)) throw conflict(`metric type slug "${input.slug}" is not valid`);
  if (listMetricTypes(db, config).some((t) => t.slug === input.slug))
    throw conflict(`metric type "${input.slug}" already exists`);
  if (!INSTITUTIONS.includes(input.replaces)) throw conflict(`unknown institution "${input.replaces}"`);
  if (!METRIC_UNIT.test(input.unit)) throw conflict(`unit "${input.unit}" is not a word such as "meal" or "kWh"`);
  db.insert(sovereigntyMetricTypes)
    .values({ ...input, createdAt: now.toISOString() })
    .run();
  return listMetricTypes(db, config).find((t) => t.slug === input.slug)!;
}

export function setWeight(db: Db, metric: string, hoursPerUnitMilli: number, reason: string, now: Date): void {
  db.insert(sovereigntyWeights)
    .values({ metric, hoursPerUnitMilli, reason, updatedAt: now.toISOString() })
    .onConflictDoUpdate({
      target: sovereigntyWeights.metric,
      set: { hoursPerUnitMilli, reason, updatedAt: now.toISOString() },
    })
    .run();
}

/** Raw values of an entry (as a form, a CSV row or an API body gives them), checked; problems name the column. */
export function readEntry(
  raw: Partial<Record<(typeof CSV_COLUMNS)[number], string>>,
  known: { metrics: ReadonlySet<string>; services: ReadonlySet<string> },
): { input?: EntryInput; problems: EntryProblem[] } {
  const problems: EntryProblem[] = [];
  const metric = (raw.metric ?? "").trim();
  const date = (raw.date ?? "").trim();
  const service = (raw.service ?? "").trim();
  const note = (raw.note ?? "").trim();
  if (!known.metrics.has(metric)) problems.push({ column: "metric", message: `unknown metric type "${metric}"` });
  if (!isDay(date)) problems.push({ column: "date", message: `"${date}" is not a date such as 2026-10-31` });
  const quantityMilli = parseMilli(raw.quantity ?? "");
  if (quantityMilli === null)
    problems.push({ column: "quantity", message: `"${raw.quantity ?? ""}" is not a number (at most 3 decimals)` });
  const hours = (raw.hours ?? "").trim();
  const effortMilli = hours ? parseMilli(hours) : null;
  if (hours && effortMilli === null) problems.push({ column: "hours", message: `"${hours}" is not a number of hours` });
  if (service && !known.services.has(service))
    problems.push({ column: "service", message: `no charter service with key "${service}"` });
  if (note.length > NOTE_MAX) problems.push({ column: "note", message: `longer than ${NOTE_MAX} characters` });
  if (problems.length > 0) return { problems };
  return {
    input: { metric, date, quantityMilli: quantityMilli!, effortMilli, service: service || null, note },
    problems,
  };
}

/** CSV text to entries: every row checked; any problem and none are taken (the problems name row and column). */
export function readCsv(
  text: string,
  known: { metrics: ReadonlySet<string>; services: ReadonlySet<string> },
): { inputs: EntryInput[]; problems: EntryProblem[] } {
  const rows = parseCsv(text);
  if (!rows)
    return { inputs: [], problems: [{ column: "csv", code: "unclosed", message: "a quoted value is not closed" }] };
  if (rows.length === 0) return { inputs: [], problems: [{ column: "csv", code: "empty", message: "no rows" }] };
  const header = rows[0]!.map((name) => name.trim().toLowerCase());
  const problems: EntryProblem[] = [];
  for (const required of ["metric", "date", "quantity"])
    if (!header.includes(required))
      problems.push({ row: 1, column: required, code: "missingColumn", message: "missing column" });
  for (const name of header)
    if (!(CSV_COLUMNS as readonly string[]).includes(name))
      problems.push({
        row: 1,
        column: name,
        code: "unknownColumn",
        params: { known: CSV_COLUMNS.join(", ") },
        message: `unknown column (known: ${CSV_COLUMNS.join(", ")})`,
      });
  if (rows.length - 1 > CSV_MAX_ROWS)
    problems.push({
      column: "csv",
      code: "tooManyRows",
      params: { max: CSV_MAX_ROWS },
      message: `more than ${CSV_MAX_ROWS} rows; split the file`,
    });
  if (problems.length > 0) return { inputs: [], problems };
  const inputs: EntryInput[] = [];
  rows.slice(1).forEach((values, i) => {
    const row = i + 2;
    if (values.length !== header.length) {
      problems.push({
        row,
        column: "csv",
        code: "valueCount",
        params: { values: values.length, columns: header.length },
        message: `${values.length} values for ${header.length} columns`,
      });
      return;
    }
    const raw = Object.fromEntries(header.map((name, k) => [name, values[k]!]));
    const read = readEntry(raw, known);
    problems.push(...read.problems.map((p) => ({ ...p, row })));
    if (read.input) inputs.push(read.input);
  });
  return problems.length > 0 ? { inputs: [], problems } : { inputs, problems };
}

/** Entries nothing supersedes: the ledger as it stands. */
const current = (db: Reader) =>
  notInArray(
    sovereigntyEntries.id,
    db
      .select({ id: sovereigntyEntries.supersedes })
      .from(sovereigntyEntries)
      .where(isNotNull(sovereigntyEntries.supersedes)),
  );

export function insertEntries(
  db: Db,
  inputs: EntryInput[],
  meta: { source: Entry["source"]; enteredBy: string; now: Date },
): Entry[] {
  return db.transaction((tx) =>
    inputs.map((input) =>
      tx
        .insert(sovereigntyEntries)
        .values({
          id: uuidv7(),
          ...input,
          source: meta.source,
          enteredBy: meta.enteredBy,
          supersedes: null,
          createdAt: meta.now.toISOString(),
        })
        .returning()
        .get(),
    ),
  ) as Entry[];
}

/** A correction: a new entry superseding the current one (which stays, as history). */
export function correctEntry(
  db: Db,
  id: string,
  input: EntryInput,
  meta: { source: Entry["source"]; enteredBy: string; now: Date },
): Entry {
  return db.transaction((tx) => {
    const old = tx.select().from(sovereigntyEntries).where(eq(sovereigntyEntries.id, id)).get();
    if (!old) throw notFound(`no ledger entry ${id}`);
    const newer = tx.select().from(sovereigntyEntries).where(eq(sovereigntyEntries.supersedes, id)).get();
    if (newer) throw conflict(`entry ${id} was already corrected by ${newer.id}; correct that one`);
    return tx
      .insert(sovereigntyEntries)
      .values({
        id: uuidv7(),
        ...input,
        source: meta.source,
        enteredBy: meta.enteredBy,
        supersedes: id,
        createdAt: meta.now.toISOString(),
      })
      .returning()
      .get() as Entry;
  });
}

export function getEntry(db: Reader, id: string): Entry {
  const row = db.select().from(sovereigntyEntries).where(eq(sovereigntyEntries.id, id)).get();
  if (!row) throw notFound(`no ledger entry ${id}`);
  return row as Entry;
}

/** An entry and the ones it corrected, newest first. */
export function entryHistory(db: Reader, id: string): Entry[] {
  const chain: Entry[] = [];
  let next: string | null = id;
  while (next && chain.length < 1000) {
    const row = getEntry(db, next);
    chain.push(row);
    next = row.supersedes;
  }
  return chain;
}

/** Current entries, newest day first, optionally within [fromDay, toDay). */
export function currentEntries(db: Reader, range: { from?: string; to?: string; limit?: number } = {}): Entry[] {
  return db
    .select()
    .from(sovereigntyEntries)
    .where(
      and(
        current(db),
        range.from ? gte(sovereigntyEntries.date, range.from) : undefined,
        range.to ? lt(sovereigntyEntries.date, range.to) : undefined,
      ),
    )
    .orderBy(desc(sovereigntyEntries.date), desc(sovereigntyEntries.id))
    .limit(range.limit ?? 100_000)
    .all() as Entry[];
}

export interface MonthTotal {
  metric: string;
  service: string | null;
  quantityMilli: number;
  effortMilli: number;
  entries: number;
}

/** The month's current entries summed per metric type and charter service. */
export function monthTotals(db: Reader, month: string): MonthTotal[] {
  return db
    .select({
      metric: sovereigntyEntries.metric,
      service: sovereigntyEntries.service,
      quantityMilli: sql<number>`sum(${sovereigntyEntries.quantityMilli})`,
      effortMilli: sql<number>`coalesce(sum(${sovereigntyEntries.effortMilli}), 0)`,
      entries: sql<number>`count(*)`,
    })
    .from(sovereigntyEntries)
    .where(and(current(db), gte(sovereigntyEntries.date, `${month}-01`), lt(sovereigntyEntries.date, `${month}-32`)))
    .groupBy(sovereigntyEntries.metric, sovereigntyEntries.service)
    .all();
}
