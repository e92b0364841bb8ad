import { and, count, isNotNull, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import { categoriesOf, type Category } from "../categories/service.ts";
import type { Config } from "../config/schema.ts";
import type { RoomDb, RoomQueries } from "../db/room-db.ts";
import { roomsOf } from "../db/room-db.ts";
import type { PodDeps } from "../federation/deps.ts";
import { LIVE_STATUSES, offerStatusSql, type EndsSide } from "../offers/status.ts";
import type { OwnViewService } from "../publishing/kind.ts";
import { ownViewServices, publishedKind } from "../publishing/kinds.ts";
import type { ViewCursor, ViewFilters } from "./filters.ts";
import { viewObjects, viewOwnObjects } from "./schema.ts";

/**
 * Read queries over the confederal view: the neighbors' objects (view_objects) and, for matching and
 * practice spread, this pod's own (view_own_objects, kept by their rooms), on either database (the RoomDb).
 *
 * One query serves the JSON API, the feeds, matching and practice spread: keyset pagination on
 * (sort key, iri) so pages neither repeat nor skip items while the view changes, each page walking an
 * index in order (view_kind_published, view_kind_category, view_ends) and stopping after limit + 1 rows.
 * Times are ISO UTC strings as toISOString() writes them, so they compare as text. IRIs and names sort by their
 * bytes on both databases (SQLite's BINARY; `COLLATE "C"` on PostgreSQL, whose default collation is linguistic).
 */

/** What the view's reads need: the rooms' database, the pod's config and clock, its categories and own services. */
export interface ViewDeps {
  rooms: RoomDb;
  config: Config;
  now: () => Date;
  /** The pod's categories (the shared taxonomy and its own), from the copy in memory. */
  categories: () => Category[];
  /** This pod's own charter services, beside the neighbors' on the service map. */
  ownServices: () => OwnViewService[];
}

/** The view's dependencies from the pod's: its RoomDb, its categories' copy, its charter's services. */
export function viewOf(deps: Pick<PodDeps, "rooms" | "config" | "now">): ViewDeps {
  const categories = categoriesOf(deps);
  return {
    rooms: roomsOf(deps),
    config: deps.config,
    now: deps.now,
    categories: () => categories.list(),
    ownServices: () => ownViewServices(deps),
  };
}

/** Which rows a query reads: the neighbors' view only (the API and feeds), or with this pod's own. */
export type ViewSource = "view" | "view+own";

/** A row as stored (or, for this pod's own objects, as mapped into the view's shape). */
export type ViewRow = Omit<typeof viewObjects.$inferSelect, "receivedAt"> & {
  /** Exact distance from `near`, in km, when the filters have one. */
  distanceKm: number | null;
  /** True for this pod's own objects (matching, practice spread). */
  own: boolean;
};

/** A table with the view's columns: the neighbors' objects or this pod's own. */
type ViewTable = typeof viewOwnObjects;

/** The tables a source reads, in the dialect in use. */
function tablesOf(rooms: RoomDb, source: ViewSource): { table: ViewTable; own: boolean }[] {
  const view = { table: rooms.table(viewObjects) as unknown as ViewTable, own: false };
  return source === "view+own" ? [view, { table: rooms.table(viewOwnObjects), own: true }] : [view];
}

/** Text ordered by its bytes on both databases (see the module's comment). */
export function byteOrder(rooms: RoomDb, expression: SQLWrapper): SQL {
  return rooms.dialect === "postgres" ? sql`${expression} COLLATE "C"` : sql`${expression}`;
}

/** SQLite's `+column`: the planner may not use an index on it (PostgreSQL has no such hint and needs none). */
const unindexedPrefix = (rooms: RoomDb) => (rooms.dialect === "sqlite" ? "+" : "");

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

/** The haversine formula in SQL (SQLite's two-argument min() is PostgreSQL's least()). */
function distanceSql(rooms: RoomDb, t: ViewTable, lat: number, lon: number): SQL<number> {
  const least = sql.raw(rooms.dialect === "postgres" ? "least" : "min");
  return sql<number>`(${2 * EARTH_RADIUS_KM} * asin(${least}(1, sqrt(pow(sin(radians(${t.latitude} - ${lat}) / 2), 2) +
    cos(radians(${lat})) * cos(radians(${t.latitude})) * pow(sin(radians(${t.longitude} - ${lon}) / 2), 2)))))`;
}

/** A bounding box that holds the circle (a cheap prefilter), then the exact distance. */
function nearSql(near: NonNullable<ViewFilters["near"]>, distance: SQL, t: ViewTable, unindexed: string): SQL[] {
  const { lat, lon, radiusKm } = near;
  const [latitude, longitude] = [sql`${sql.raw(unindexed)}${t.latitude}`, sql`${sql.raw(unindexed)}${t.longitude}`];
  const dLat = radiusKm / KM_PER_DEGREE + 1e-9;
  const out = [sql`${latitude} BETWEEN ${Math.max(-90, lat - dLat)} AND ${Math.min(90, lat + dLat)}`];
  const angular = radiusKm / EARTH_RADIUS_KM;
  const cosLat = Math.cos((lat * Math.PI) / 180);
  if (lat + dLat < 90 && lat - dLat > -90 && Math.sin(angular) < cosLat) {
    const dLon = (Math.asin(Math.sin(angular) / cosLat) * 180) / Math.PI + 1e-9;
    const [west, east] = [lon - dLon, lon + dLon];
    if (west < -180) out.push(sql`(${longitude} >= ${west + 360} OR ${longitude} <= ${east})`);
    else if (east > 180) out.push(sql`(${longitude} >= ${west} OR ${longitude} <= ${east - 360})`);
    else out.push(sql`${longitude} BETWEEN ${west} AND ${east}`);
  } else {
    out.push(sql`${longitude} IS NOT NULL`);
  }
  out.push(sql`${distance} <= ${radiusKm}`);
  return out;
}

const likePattern = (term: string) => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Beyond this radius the bounding box selects too much for the position index to beat the date order. */
const POSITION_INDEX_MAX_KM = 100;

/**
 * Index choice is steered on SQLite, not left to chance (the pod keeps no ANALYZE statistics); a `+` before a
 * column keeps the planner from using an index on it:
 * - a small circle: the position index (latitude range), or a sequential scan where it is missing;
 * - a pod filter: view_pod, one pod's objects then sorted;
 * - a large circle sorted by distance: a sequential scan (every row in the circle is sorted anyway);
 * - otherwise the kind-first indexes, walked in the sort's order and stopped after the page.
 * PostgreSQL's planner has statistics and no such hint: the same conditions, unsteered.
 */
function planFor(filters: ViewFilters): { kindIndex: boolean; positionIndex: boolean } {
  if (filters.near && filters.near.radiusKm <= POSITION_INDEX_MAX_KM) return { kindIndex: false, positionIndex: true };
  return {
    kindIndex: filters.pod === undefined && !(filters.near && filters.sort === "nearest"),
    positionIndex: false,
  };
}

/** The offers' status rule (offers/status.ts, bare column names) with `now` bound as a parameter. */
function statusSql(condition: string, now: string): SQL {
  return sql.join(
    condition.split("@now").map((part) => sql.raw(part)),
    sql`${now}`,
  );
}

function baseConditions(
  rooms: RoomDb,
  t: ViewTable,
  filters: ViewFilters,
  now: string,
  ends: EndsSide,
  distance: SQL | null,
): SQL[] {
  const plan = planFor(filters);
  const hint = unindexedPrefix(rooms);
  const out = [sql`${sql.raw(plan.kindIndex ? "" : hint)}${t.kind} = ${filters.kind}`];
  if (filters.categoryIri) out.push(sql`${t.categoryIri} = ${filters.categoryIri}`);
  if (filters.pod) out.push(sql`${t.podIri} = ${filters.pod}`);
  if (publishedKind(filters.kind).view.statuses) {
    const status = offerStatusSql(filters.status ?? LIVE_STATUSES, "@now", ends, hint);
    if (status) out.push(statusSql(status, now));
  }
  // SQLite's LIKE ignores ASCII case; PostgreSQL's needs ILIKE for that.
  const like = sql.raw(rooms.dialect === "postgres" ? "ILIKE" : "LIKE");
  for (const term of filters.terms ?? []) {
    const pattern = likePattern(term);
    out.push(sql`(${t.name} ${like} ${pattern} ESCAPE '\\' OR ${t.summary} ${like} ${pattern} ESCAPE '\\')`);
  }
  if (filters.availableBy) out.push(sql`(${t.startsAt} IS NULL OR ${t.startsAt} <= ${filters.availableBy})`);
  if (filters.near && distance) out.push(...nearSql(filters.near, distance, t, plan.positionIndex ? "" : hint));
  if (ends === "known") out.push(sql`${t.endsAt} IS NOT NULL`);
  if (ends === "none") out.push(sql`${sql.raw(hint)}${t.endsAt} IS NULL`);
  return out;
}

// --- ordered, paged queries ----------------------------------------------------------------------

type KeyName = "published" | "iri" | "endsAt" | "distanceKm";

interface SortKey {
  name: KeyName;
  dir: "ASC" | "DESC";
}

interface Phase {
  ends: EndsSide;
  keys: SortKey[];
  /** The cursor's key values when the cursor is in this phase. */
  after?: (string | number)[];
}

const IRI_ASC: SortKey = { name: "iri", dir: "ASC" };

/** ending_soon walks the known end dates in order, then the objects without one (by iri). */
function phasesFor(filters: ViewFilters): Phase[] {
  const cursor = filters.cursor;
  switch (filters.sort) {
    case "newest":
      return [
        {
          ends: "any",
          keys: [
            { name: "published", dir: "DESC" },
            { name: "iri", dir: "DESC" },
          ],
          after: cursor?.sort === "newest" ? [cursor.published, cursor.iri] : undefined,
        },
      ];
    case "nearest":
      return [
        {
          ends: "any",
          keys: [{ name: "distanceKm", dir: "ASC" }, IRI_ASC],
          after: cursor?.sort === "nearest" ? [cursor.distanceKm, cursor.iri] : undefined,
        },
      ];
    case "ending_soon": {
      const known: Phase = { ends: "known", keys: [{ name: "endsAt", dir: "ASC" }, IRI_ASC] };
      const none: Phase = { ends: "none", keys: [IRI_ASC] };
      if (cursor?.sort !== "ending_soon") return [known, none];
      if (cursor.endsAt === null) return [{ ...none, after: [cursor.iri] }];
      return [{ ...known, after: [cursor.endsAt, cursor.iri] }, none];
    }
  }
}

/** (k1, k2) strictly after (v1, v2) in the sort's order, written so an index range applies to k1. */
function keysetSql(keys: { expr: SQL; dir: "ASC" | "DESC" }[], after: (string | number)[]): SQL {
  const op = (k: { dir: "ASC" | "DESC" }) => sql.raw(k.dir === "ASC" ? ">" : "<");
  const orEqual = (k: { dir: "ASC" | "DESC" }) => sql.raw(k.dir === "ASC" ? ">=" : "<=");
  if (keys.length === 1) return sql`${keys[0]!.expr} ${op(keys[0]!)} ${after[0]}`;
  const [k1, k2] = keys as [{ expr: SQL; dir: "ASC" | "DESC" }, { expr: SQL; dir: "ASC" | "DESC" }];
  return sql`${k1.expr} ${orEqual(k1)} ${after[0]} AND (${k1.expr} ${op(k1)} ${after[0]} OR ${k2.expr} ${op(k2)} ${after[1]})`;
}

/** The same order in JavaScript, to merge the sources' pages (text by code unit, as the databases sort it here). */
function compareRows(keys: SortKey[]) {
  return (a: ViewRow, b: ViewRow): number => {
    for (const key of keys) {
      const [x, y] = [a[key.name], b[key.name]];
      if (x === y) continue;
      const less = x === null ? true : y === null ? false : x < y;
      return (less ? -1 : 1) * (key.dir === "ASC" ? 1 : -1);
    }
    return 0;
  };
}

export interface ListOptions {
  /** Leave the (possibly large) HTML content out: everything but the feeds does without it. */
  content?: boolean;
}

/** The view's columns of `t`, without received_at; `content` left out (empty) when not wanted. */
function columnsOf(t: ViewTable, options: ListOptions) {
  return {
    iri: t.iri,
    kind: t.kind,
    podIri: t.podIri,
    name: t.name,
    summary: t.summary,
    content: options.content === false ? sql<string>`''` : t.content,
    url: t.url,
    categoryIri: t.categoryIri,
    action: t.action,
    unit: t.unit,
    quantityMilli: t.quantityMilli,
    availableMilli: t.availableMilli,
    startsAt: t.startsAt,
    endsAt: t.endsAt,
    areaName: t.areaName,
    latitude: t.latitude,
    longitude: t.longitude,
    extra: t.extra,
    adaptedFrom: t.adaptedFrom,
    published: t.published,
    version: t.version,
  };
}

/** One phase of a page: each source's first `limit` rows in order, merged (two sources: two queries). */
async function runPhase(
  db: RoomQueries,
  v: ViewDeps,
  filters: ViewFilters,
  source: ViewSource,
  phase: Phase,
  limit: number,
  options: ListOptions,
): Promise<ViewRow[]> {
  const now = v.now().toISOString();
  const out: ViewRow[] = [];
  for (const { table: t, own } of tablesOf(v.rooms, source)) {
    const distance = filters.near ? distanceSql(v.rooms, t, filters.near.lat, filters.near.lon) : null;
    const conditions = baseConditions(v.rooms, t, filters, now, phase.ends, distance);
    const exprs: Record<KeyName, SQL> = {
      published: sql`${t.published}`,
      endsAt: sql`${t.endsAt}`,
      iri: byteOrder(v.rooms, t.iri),
      distanceKm: distance ?? sql`NULL`,
    };
    const keys = phase.keys.map((k) => ({ expr: exprs[k.name], dir: k.dir }));
    if (phase.after) conditions.push(keysetSql(keys, phase.after));
    // Sorted by the selected distance's name: the same expression written again would be computed again per row
    // (its parameters are new placeholders, so SQLite does not see the result column in it).
    const orderOf = (k: { expr: SQL; dir: string }) =>
      sql`${k.expr === distance ? sql.identifier("distance_km") : k.expr} ${sql.raw(k.dir)}`;
    const rows = await db
      .select({ ...columnsOf(t, options), distanceKm: (distance ?? sql`NULL`).mapWith(Number).as("distance_km") })
      .from(t)
      .where(and(...conditions))
      .orderBy(...keys.map(orderOf))
      .limit(limit);
    for (const row of rows) out.push({ ...row, distanceKm: distance ? row.distanceKm : null, own });
  }
  return source === "view" ? out : out.sort(compareRows(phase.keys)).slice(0, limit);
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
export async function listRows(
  v: ViewDeps,
  filters: ViewFilters,
  source: ViewSource = "view",
  options: ListOptions = {},
): Promise<{ rows: ViewRow[]; next: ViewCursor | null }> {
  const wanted = filters.limit + 1;
  const all = await v.rooms.read(async (db) => {
    const raw: ViewRow[] = [];
    for (const phase of phasesFor(filters)) {
      raw.push(...(await runPhase(db, v, filters, source, phase, wanted - raw.length, options)));
      if (raw.length >= wanted) break;
    }
    return raw;
  });
  const rows = all.slice(0, filters.limit);
  const next = all.length > filters.limit ? cursorAfter(rows.at(-1)!, filters) : null;
  return { rows, next };
}

/** How many objects the filters select (cursor and limit aside). */
export async function countRows(v: ViewDeps, filters: ViewFilters, source: ViewSource = "view"): Promise<number> {
  const now = v.now().toISOString();
  return v.rooms.read(async (db) => {
    let total = 0;
    for (const { table: t } of tablesOf(v.rooms, source)) {
      const distance = filters.near ? distanceSql(v.rooms, t, filters.near.lat, filters.near.lon) : null;
      const [row] = await db
        .select({ n: count() })
        .from(t)
        .where(and(...baseConditions(v.rooms, t, filters, now, "any", distance)));
      total += row?.n ?? 0;
    }
    return total;
  });
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** Named places with coordinates in the view and this pod's own (the "near" choices of the view's pages). */
export async function knownPlaces(v: Pick<ViewDeps, "rooms">): Promise<{ name: string; lat: number; lon: number }[]> {
  const sums = new Map<string, { lat: number; lon: number; latN: number; lonN: number }>();
  await v.rooms.read(async (db) => {
    for (const { table: t } of tablesOf(v.rooms, "view+own")) {
      const rows = await db
        .select({
          name: t.areaName,
          lat: sql<number>`sum(${t.latitude})`.mapWith(Number),
          lon: sql<number | null>`sum(${t.longitude})`.mapWith(Number),
          latN: count(t.latitude),
          lonN: count(t.longitude),
        })
        .from(t)
        .where(and(isNotNull(t.latitude), isNotNull(t.areaName)))
        .groupBy(t.areaName);
      for (const row of rows) {
        const sum = sums.get(row.name!) ?? { lat: 0, lon: 0, latN: 0, lonN: 0 };
        sums.set(row.name!, {
          lat: sum.lat + row.lat,
          lon: sum.lon + (row.lon ?? 0),
          latN: sum.latN + row.latN,
          lonN: sum.lonN + row.lonN,
        });
      }
    }
  });
  return [...sums.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, 200)
    .map(([name, s]) => ({ name, lat: round3(s.lat / s.latN), lon: round3(s.lon / s.lonN) }));
}
