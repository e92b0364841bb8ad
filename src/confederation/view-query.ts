import type Database from "better-sqlite3";
import type { Db } from "../db/client.ts";
import type { PodDeps } from "../federation/deps.ts";
import { LIVE_STATUSES, offerStatusSql, type EndsSide } from "../offers/status.ts";
import { publishedKind } from "../publishing/kinds.ts";
import type { ViewCursor, ViewFilters, ViewKind } from "./filters.ts";
import type { viewObjects } from "./schema.ts";
import { VIEW_COLUMNS } from "./store.ts";

/**
 * Read queries over the confederal view: the neighbors' objects (view_objects) and, for matching and
 * practice spread, this pod's own (view_own_objects, kept by their rooms).
 *
 * One query serves the JSON API, the feeds, matching and practice spread: keyset pagination on
 * (sort key, iri) so pages neither repeat nor skip items while the view changes, each page walking an
 * index in order (view_kind_published, view_kind_category, view_ends) and stopping after limit + 1 rows.
 * Times are ISO UTC strings as toISOString() writes them, so they compare as text.
 */

export type ViewDeps = Pick<PodDeps, "db" | "config" | "now">;

/** Which rows a query reads: the neighbors' view only (the API and feeds), or with this pod's own. */
export type ViewSource = "view" | "view+own";

/** A row as stored (or, for this pod's own objects, as mapped into the view's shape). */
export type ViewRow = Omit<typeof viewObjects.$inferSelect, "receivedAt"> & {
  /** Exact distance from `near`, in km, when the filters have one. */
  distanceKm: number | null;
  /** True for this pod's own objects (matching, practice spread). */
  own: boolean;
};

// --- connection and statements -------------------------------------------------------------------

/** The better-sqlite3 connection behind the drizzle handle (drizzle() keeps it as $client). */
export function sqliteOf(db: Db): Database.Database {
  const client = (db as Db & { $client?: Database.Database }).$client;
  if (!client || typeof client.prepare !== "function")
    throw new Error("the view queries need a better-sqlite3 drizzle handle");
  return client;
}

const statementCache = new WeakMap<Database.Database, Map<string, Database.Statement>>();
const MAX_CACHED = 500;

export function prepare(db: Db, text: string): Database.Statement {
  const sqlite = sqliteOf(db);
  let cache = statementCache.get(sqlite);
  if (!cache) statementCache.set(sqlite, (cache = new Map()));
  let statement = cache.get(text);
  if (!statement) {
    if (cache.size >= MAX_CACHED) cache.clear();
    statement = sqlite.prepare(text);
    cache.set(text, statement);
  }
  return statement;
}

/** Named parameters for one statement. */
class Params {
  readonly values: Record<string, unknown> = {};
  #n = 0;
  add(value: unknown): string {
    const name = `p${this.#n++}`;
    this.values[name] = value;
    return `@${name}`;
  }
}

interface Source {
  /** A table with the view's columns. */
  from: string;
  own: boolean;
}

const VIEW_SOURCE: Source = { from: "view_objects", own: false };
/** This pod's own objects, kept by their rooms (view-projection.ts). */
const OWN_SOURCE: Source = { from: "view_own_objects", own: true };

// --- conditions ----------------------------------------------------------------------------------

const EARTH_RADIUS_KM = 6371.0088;
const KM_PER_DEGREE = (Math.PI * EARTH_RADIUS_KM) / 180;

/** Great-circle distance, the same formula as the SQL one. */
export function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const a =
    Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
    Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

function distanceSql(lat: string, lon: string): string {
  return (
    `(${2 * EARTH_RADIUS_KM} * asin(min(1, sqrt(pow(sin(radians(latitude - ${lat}) / 2), 2) + ` +
    `cos(radians(${lat})) * cos(radians(latitude)) * pow(sin(radians(longitude - ${lon}) / 2), 2)))))`
  );
}

/** A bounding box that holds the circle (a cheap prefilter), then the exact distance. */
function nearSql(near: NonNullable<ViewFilters["near"]>, p: Params, distance: string, indexed: boolean): string[] {
  const { lat, lon, radiusKm } = near;
  const [latitude, longitude] = indexed ? ["latitude", "longitude"] : ["+latitude", "+longitude"];
  const dLat = radiusKm / KM_PER_DEGREE + 1e-9;
  const out = [`${latitude} BETWEEN ${p.add(Math.max(-90, lat - dLat))} AND ${p.add(Math.min(90, lat + dLat))}`];
  const angular = radiusKm / EARTH_RADIUS_KM;
  const cosLat = Math.cos((lat * Math.PI) / 180);
  if (lat + dLat < 90 && lat - dLat > -90 && Math.sin(angular) < cosLat) {
    const dLon = (Math.asin(Math.sin(angular) / cosLat) * 180) / Math.PI + 1e-9;
    const [west, east] = [lon - dLon, lon + dLon];
    if (west < -180) out.push(`(${longitude} >= ${p.add(west + 360)} OR ${longitude} <= ${p.add(east)})`);
    else if (east > 180) out.push(`(${longitude} >= ${p.add(west)} OR ${longitude} <= ${p.add(east - 360)})`);
    else out.push(`${longitude} BETWEEN ${p.add(west)} AND ${p.add(east)}`);
  } else {
    out.push(`${longitude} IS NOT NULL`);
  }
  out.push(`${distance} <= ${p.add(radiusKm)}`);
  return out;
}

const likePattern = (term: string) => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Beyond this radius the bounding box selects too much for the position index to beat the date order. */
const POSITION_INDEX_MAX_KM = 100;

/**
 * Index choice is steered, not left to chance (the pod keeps no ANALYZE statistics); a `+` before a
 * column keeps the planner from using an index on it:
 * - a small circle: the position index (latitude range), or a sequential scan where it is missing;
 * - a pod filter: view_pod, one pod's objects then sorted;
 * - a large circle sorted by distance: a sequential scan (every row in the circle is sorted anyway);
 * - otherwise the kind-first indexes, walked in the sort's order and stopped after the page.
 */
function planFor(filters: ViewFilters): { kindIndex: boolean; positionIndex: boolean } {
  if (filters.near && filters.near.radiusKm <= POSITION_INDEX_MAX_KM) return { kindIndex: false, positionIndex: true };
  return {
    kindIndex: filters.pod === undefined && !(filters.near && filters.sort === "nearest"),
    positionIndex: false,
  };
}

function baseConditions(
  filters: ViewFilters,
  p: Params,
  now: string,
  ends: EndsSide,
  distance: string | null,
): string[] {
  const plan = planFor(filters);
  const out = [`${plan.kindIndex ? "kind" : "+kind"} = ${p.add(filters.kind)}`];
  if (filters.categoryIri) out.push(`category_iri = ${p.add(filters.categoryIri)}`);
  if (filters.pod) out.push(`pod_iri = ${p.add(filters.pod)}`);
  if (publishedKind(filters.kind).view.statuses) {
    const status = offerStatusSql(filters.status ?? LIVE_STATUSES, now, ends);
    if (status) out.push(status);
  }
  for (const term of filters.terms ?? []) {
    const pattern = p.add(likePattern(term));
    out.push(`(name LIKE ${pattern} ESCAPE '\\' OR summary LIKE ${pattern} ESCAPE '\\')`);
  }
  if (filters.availableBy) out.push(`(starts_at IS NULL OR starts_at <= ${p.add(filters.availableBy)})`);
  if (filters.near && distance) out.push(...nearSql(filters.near, p, distance, plan.positionIndex));
  if (ends === "known") out.push("ends_at IS NOT NULL");
  if (ends === "none") out.push("+ends_at IS NULL");
  return out;
}

// --- ordered, paged queries ----------------------------------------------------------------------

interface SortKey {
  /** The expression inside one source, and its column name across a UNION. */
  expr: string;
  name: string;
  dir: "ASC" | "DESC";
}

interface Phase {
  ends: EndsSide;
  keys: SortKey[];
  /** The cursor's key values when the cursor is in this phase. */
  after?: unknown[];
}

const IRI_ASC: SortKey = { expr: "iri", name: "iri", dir: "ASC" };
/** Stands for the distance expression, whose parameters each statement binds itself. */
const DISTANCE = "<distance>";

/** ending_soon walks the known end dates in order, then the objects without one (by iri). */
function phasesFor(filters: ViewFilters): Phase[] {
  const cursor = filters.cursor;
  switch (filters.sort) {
    case "newest":
      return [
        {
          ends: "any",
          keys: [
            { expr: "published", name: "published", dir: "DESC" },
            { expr: "iri", name: "iri", dir: "DESC" },
          ],
          after: cursor?.sort === "newest" ? [cursor.published, cursor.iri] : undefined,
        },
      ];
    case "nearest":
      return [
        {
          ends: "any",
          keys: [{ expr: DISTANCE, name: "distance_km", dir: "ASC" }, IRI_ASC],
          after: cursor?.sort === "nearest" ? [cursor.distanceKm, cursor.iri] : undefined,
        },
      ];
    case "ending_soon": {
      const known: Phase = { ends: "known", keys: [{ expr: "ends_at", name: "ends_at", dir: "ASC" }, IRI_ASC] };
      const none: Phase = { ends: "none", keys: [IRI_ASC] };
      if (cursor?.sort !== "ending_soon") return [known, none];
      if (cursor.endsAt === null) return [{ ...none, after: [cursor.iri] }];
      return [{ ...known, after: [cursor.endsAt, cursor.iri] }, none];
    }
  }
}

/** (k1, k2) strictly after (v1, v2) in the sort's order, written so an index range applies to k1. */
function keysetSql(keys: SortKey[], after: unknown[], p: Params): string {
  const op = (k: SortKey) => (k.dir === "ASC" ? ">" : "<");
  if (keys.length === 1) return `${keys[0]!.expr} ${op(keys[0]!)} ${p.add(after[0])}`;
  const [k1, k2] = keys as [SortKey, SortKey];
  const v1 = p.add(after[0]);
  return `${k1.expr} ${op(k1)}= ${v1} AND (${k1.expr} ${op(k1)} ${v1} OR ${k2.expr} ${op(k2)} ${p.add(after[1])})`;
}

interface RawRow {
  iri: string;
  kind: ViewKind;
  pod_iri: string;
  name: string;
  summary: string;
  content: string;
  url: string | null;
  category_iri: string | null;
  action: string | null;
  unit: string | null;
  quantity_milli: number | null;
  available_milli: number | null;
  starts_at: string | null;
  ends_at: string | null;
  area_name: string | null;
  latitude: number | null;
  longitude: number | null;
  extra: string;
  adapted_from: string | null;
  published: string;
  version: string;
  distance_km?: number | null;
  own: number;
}

const toRow = (r: RawRow): ViewRow => ({
  iri: r.iri,
  kind: r.kind,
  podIri: r.pod_iri,
  name: r.name,
  summary: r.summary,
  content: r.content,
  url: r.url,
  categoryIri: r.category_iri,
  action: r.action,
  unit: r.unit,
  quantityMilli: r.quantity_milli,
  availableMilli: r.available_milli,
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  areaName: r.area_name,
  latitude: r.latitude,
  longitude: r.longitude,
  extra: r.extra,
  adaptedFrom: r.adapted_from,
  published: r.published,
  version: r.version,
  distanceKm: r.distance_km ?? null,
  own: r.own === 1,
});

function sourcesFor(source: ViewSource): Source[] {
  return source === "view+own" ? [VIEW_SOURCE, OWN_SOURCE] : [VIEW_SOURCE];
}

export interface ListOptions {
  /** Leave the (possibly large) HTML content out: everything but the feeds does without it. */
  content?: boolean;
}

function runPhase(
  deps: ViewDeps,
  filters: ViewFilters,
  source: ViewSource,
  phase: Phase,
  limit: number,
  options: ListOptions,
): RawRow[] {
  const p = new Params();
  const now = p.add(deps.now().toISOString());
  const distance = filters.near ? distanceSql(p.add(filters.near.lat), p.add(filters.near.lon)) : null;
  const conditions = baseConditions(filters, p, now, phase.ends, distance);
  const keys = phase.keys.map((k) => (k.expr === DISTANCE ? { ...k, expr: distance ?? "NULL" } : k));
  if (phase.after) conditions.push(keysetSql(keys, phase.after, p));
  const limitParam = p.add(limit);
  const columns = VIEW_COLUMNS.map((c) => (c === "content" && options.content === false ? "'' AS content" : c)).join(
    ", ",
  );
  const orderBy = keys.map((k) => `${k.expr} ${k.dir}`).join(", ");
  const select = (s: Source) =>
    `SELECT ${columns}${distance ? `, ${distance} AS distance_km` : ""}, ${s.own ? 1 : 0} AS own FROM ${s.from}
     WHERE ${conditions.join(" AND ")} ORDER BY ${orderBy} LIMIT ${limitParam}`;
  const sources = sourcesFor(source);
  const text =
    sources.length === 1
      ? select(sources[0]!)
      : `${sources.map((s) => `SELECT * FROM (${select(s)})`).join(" UNION ALL ")}
         ORDER BY ${keys.map((k) => `${k.name} ${k.dir}`).join(", ")} LIMIT ${limitParam}`;
  return prepare(deps.db, text).all(p.values) as RawRow[];
}

/** The cursor that starts the page after this row. */
export function cursorAfter(row: ViewRow, filters: Pick<ViewFilters, "sort">): ViewCursor {
  switch (filters.sort) {
    case "newest":
      return { sort: "newest", published: row.published, iri: row.iri };
    case "ending_soon":
      return { sort: "ending_soon", endsAt: row.endsAt, iri: row.iri };
    case "nearest":
      return { sort: "nearest", distanceKm: row.distanceKm ?? 0, iri: row.iri };
  }
}

/** One page of rows in the filters' order, and where the next page starts (null on the last page). */
export function listRows(
  deps: ViewDeps,
  filters: ViewFilters,
  source: ViewSource = "view",
  options: ListOptions = {},
): { rows: ViewRow[]; next: ViewCursor | null } {
  const wanted = filters.limit + 1;
  const raw: RawRow[] = [];
  for (const phase of phasesFor(filters)) {
    raw.push(...runPhase(deps, filters, source, phase, wanted - raw.length, options));
    if (raw.length >= wanted) break;
  }
  const rows = raw.slice(0, filters.limit).map(toRow);
  const next = raw.length > filters.limit ? cursorAfter(rows.at(-1)!, filters) : null;
  return { rows, next };
}

/** How many objects the filters select (cursor and limit aside). */
export function countRows(deps: ViewDeps, filters: ViewFilters, source: ViewSource = "view"): number {
  const p = new Params();
  const now = p.add(deps.now().toISOString());
  const distance = filters.near ? distanceSql(p.add(filters.near.lat), p.add(filters.near.lon)) : null;
  const conditions = baseConditions(filters, p, now, "any", distance).join(" AND ");
  const sources = sourcesFor(source);
  const text = `SELECT ${sources.map((s) => `(SELECT count(*) FROM ${s.from} WHERE ${conditions})`).join(" + ")} AS n`;
  return (prepare(deps.db, text).get(p.values) as { n: number }).n;
}

/** Named places with coordinates in the view and this pod's own (the "near" choices of the view's pages). */
export function knownPlaces(deps: Pick<ViewDeps, "db">): { name: string; lat: number; lon: number }[] {
  return prepare(
    deps.db,
    `SELECT area_name AS name, round(avg(latitude), 3) AS lat, round(avg(longitude), 3) AS lon FROM (
       SELECT area_name, latitude, longitude FROM view_objects WHERE latitude IS NOT NULL AND area_name IS NOT NULL
       UNION ALL
       SELECT area_name, latitude, longitude FROM view_own_objects WHERE latitude IS NOT NULL AND area_name IS NOT NULL
     ) GROUP BY area_name ORDER BY area_name LIMIT 200`,
  ).all() as { name: string; lat: number; lon: number }[];
}
