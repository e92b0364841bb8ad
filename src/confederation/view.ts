import type { viewObjects } from "./schema.ts";
import type Database from "better-sqlite3";
import { listCategories, slugOfIri } from "../categories/service.ts";
import { SHARED_CATEGORIES, SHARED_CATEGORY_BASE } from "../categories/taxonomy.ts";
import type { Config } from "../config/schema.ts";
import type { Db } from "../db/client.ts";
import type { PodDeps } from "../federation/deps.ts";
import { formatMilli } from "../offers/quantity.ts";
import {
  DEFAULT_STATUSES,
  VIEW_STATUSES,
  encodeCursor,
  type ViewCursor,
  type ViewFilters,
  type ViewKind,
  type ViewStatus,
} from "./filters.ts";

/**
 * Read queries over the confederal view (view_objects, view_paths, view_services, neighbor_pods).
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

export interface ViewPath {
  via: string;
  receivedAt: string;
}

export interface CategoryRef {
  iri: string;
  slug?: string;
  label?: string;
}

export interface PodRef {
  iri: string;
  name: string | null;
}

/** An object as the JSON API, the feeds and the barter table show it. */
export interface ViewItem {
  iri: string;
  kind: ViewKind;
  pod: PodRef;
  name: string;
  summary: string;
  category: CategoryRef | null;
  /** Decimal strings ("12.5"), in `unit`. */
  quantity: string | null;
  available: string | null;
  unit: string | null;
  area: string | null;
  latitude: number | null;
  longitude: number | null;
  startsAt: string | null;
  endsAt: string | null;
  url: string | null;
  published: string;
  /** Offers and needs: derived from quantities and end date at the time of the request. */
  status?: ViewStatus;
  /** Practices: the practice this one adapts. */
  adaptedFrom?: string | null;
  tags?: string[];
  /** Charters: their services. */
  services?: { iri: string; name: string; category: CategoryRef | null; status: string; target: string | null }[];
  paths: ViewPath[];
  distanceKm?: number;
}

export interface ViewPage<T> {
  items: T[];
  nextCursor: string | null;
}

// --- connection and statements -------------------------------------------------------------------

/** The better-sqlite3 connection behind the drizzle handle (drizzle() keeps it as $client). */
export function sqliteOf(db: Db): Database.Database {
  const client = (db as Db & { $client?: Database.Database }).$client;
  if (!client || typeof client.prepare !== "function") throw new Error("the view queries need a better-sqlite3 drizzle handle");
  return client;
}

const statementCache = new WeakMap<Database.Database, Map<string, Database.Statement>>();
const MAX_CACHED = 500;

function prepare(db: Db, text: string): Database.Statement {
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

// --- this pod's own objects in the view's shape --------------------------------------------------

export function selfActorIri(config: Config): string {
  return new URL(`/users/${config.handle}`, config.url).href;
}

const COLUMNS = [
  "iri",
  "kind",
  "pod_iri",
  "name",
  "summary",
  "content",
  "url",
  "category_iri",
  "action",
  "unit",
  "quantity_milli",
  "available_milli",
  "starts_at",
  "ends_at",
  "area_name",
  "latitude",
  "longitude",
  "extra",
  "adapted_from",
  "published",
  "version",
] as const;

const sqlString = (text: string) => `'${text.replaceAll("'", "''")}'`;
const SHARED_SLUGS = SHARED_CATEGORIES.map((c) => sqlString(c.slug)).join(", ");

interface Source {
  /** A table or a parenthesised subquery with the view's columns. */
  from: string;
  own: boolean;
}

const VIEW_SOURCE: Source = { from: "view_objects", own: false };

/** This pod's live offers/needs and published practices, with IRIs as they are published. */
function ownSources(kind: ViewKind, p: Params, config: Config): Source[] {
  const base = p.add(new URL("/", config.url).href);
  const actor = p.add(selfActorIri(config));
  if (kind === "offer" || kind === "need") {
    const iri = `${base} || CASE kind WHEN 'offer' THEN 'offers/' ELSE 'needs/' END || id`;
    const category = `CASE WHEN category IN (${SHARED_SLUGS}) THEN ${sqlString(SHARED_CATEGORY_BASE)} || category ELSE ${base} || 'categories/' || category END`;
    return [
      {
        own: true,
        from: `(SELECT ${iri} AS iri, kind, ${actor} AS pod_iri, name, description AS summary, '' AS content, ${iri} AS url,
          ${category} AS category_iri, NULL AS action, unit, quantity_milli, available_milli, available_from AS starts_at,
          available_until AS ends_at, area_name, latitude, longitude, '{}' AS extra, NULL AS adapted_from, created_at AS published,
          updated_at AS version FROM offers WHERE status <> 'withdrawn')`,
      },
    ];
  }
  if (kind === "practice") {
    const iri = `${base} || 'practices/' || id`;
    return [
      {
        own: true,
        from: `(SELECT ${iri} AS iri, 'practice' AS kind, ${actor} AS pod_iri, title AS name, summary, '' AS content, ${iri} AS url,
          NULL AS category_iri, NULL AS action, NULL AS unit, NULL AS quantity_milli, NULL AS available_milli, NULL AS starts_at,
          NULL AS ends_at, NULL AS area_name, NULL AS latitude, NULL AS longitude, '{"tags":' || tags || '}' AS extra,
          adapted_from, created_at AS published, updated_at AS version FROM practices WHERE status = 'published')`,
      },
    ];
  }
  return [];
}

// --- conditions ----------------------------------------------------------------------------------

const EARTH_RADIUS_KM = 6371.0088;
const KM_PER_DEGREE = (Math.PI * EARTH_RADIUS_KM) / 180;

/** Great-circle distance, the same formula as the SQL one. */
export function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const a =
    Math.sin(((lat2 - lat1) * rad) / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

function distanceSql(lat: string, lon: string): string {
  return `(${2 * EARTH_RADIUS_KM} * asin(min(1, sqrt(pow(sin(radians(latitude - ${lat}) / 2), 2) + cos(radians(${lat})) * cos(radians(latitude)) * pow(sin(radians(longitude - ${lon}) / 2), 2)))))`;
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

/** Which side of `ends_at IS NULL` a query is on, when the plan splits there (ending_soon). */
type EndsSide = "any" | "known" | "none";

/**
 * Status by quantities and end date. Outside the ending_soon walk `+ends_at` keeps the planner off
 * view_ends, which would otherwise be picked for the OR and then need a full sort by published.
 */
function statusSql(statuses: readonly ViewStatus[], now: string, ends: EndsSide): string | null {
  const set = new Set(statuses);
  if (VIEW_STATUSES.every((s) => set.has(s))) return null;
  const notExpired = ends === "none" ? null : ends === "known" ? `ends_at > ${now}` : `(+ends_at IS NULL OR +ends_at > ${now})`;
  const expired = ends === "none" ? "0" : ends === "known" ? `ends_at <= ${now}` : `(+ends_at IS NOT NULL AND +ends_at <= ${now})`;
  const byQuantity: string[] = [];
  if (set.has("open") && set.has("partly_claimed")) byQuantity.push("(available_milli IS NULL OR available_milli > 0)");
  else if (set.has("open"))
    byQuantity.push("(available_milli IS NULL OR (available_milli > 0 AND (quantity_milli IS NULL OR available_milli >= quantity_milli)))");
  else if (set.has("partly_claimed")) byQuantity.push("(available_milli > 0 AND available_milli < quantity_milli)");
  if (set.has("claimed")) byQuantity.push("available_milli = 0");
  const live = byQuantity.length === 0 ? null : [notExpired, `(${byQuantity.join(" OR ")})`].filter(Boolean).join(" AND ");
  const parts = [live, set.has("expired") ? expired : null].filter((x): x is string => x !== null);
  return parts.length === 0 ? "0" : parts.length === 1 ? parts[0]! : `(${parts.map((x) => `(${x})`).join(" OR ")})`;
}

/** The status of an offer or need at `now`, by the same rules as the SQL. */
export function statusOf(row: Pick<ViewRow, "availableMilli" | "quantityMilli" | "endsAt">, now: Date): ViewStatus {
  if (row.endsAt !== null && row.endsAt <= now.toISOString()) return "expired";
  if (row.availableMilli === 0) return "claimed";
  if (row.availableMilli !== null && row.quantityMilli !== null && row.availableMilli < row.quantityMilli) return "partly_claimed";
  return "open";
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
  return { kindIndex: filters.pod === undefined && !(filters.near && filters.sort === "nearest"), positionIndex: false };
}

function baseConditions(filters: ViewFilters, p: Params, now: string, ends: EndsSide, distance: string | null): string[] {
  const plan = planFor(filters);
  const out = [`${plan.kindIndex ? "kind" : "+kind"} = ${p.add(filters.kind)}`];
  if (filters.categoryIri) out.push(`category_iri = ${p.add(filters.categoryIri)}`);
  if (filters.pod) out.push(`pod_iri = ${p.add(filters.pod)}`);
  if (filters.kind === "offer" || filters.kind === "need") {
    const status = statusSql(filters.status ?? DEFAULT_STATUSES, now, ends);
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

function sourcesFor(kind: ViewKind, source: ViewSource, p: Params, config: Config): Source[] {
  return source === "view+own" ? [VIEW_SOURCE, ...ownSources(kind, p, config)] : [VIEW_SOURCE];
}

export interface ListOptions {
  /** Leave the (possibly large) HTML content out: everything but the feeds does without it. */
  content?: boolean;
}

function runPhase(deps: ViewDeps, filters: ViewFilters, source: ViewSource, phase: Phase, limit: number, options: ListOptions): RawRow[] {
  const p = new Params();
  const now = p.add(deps.now().toISOString());
  const distance = filters.near ? distanceSql(p.add(filters.near.lat), p.add(filters.near.lon)) : null;
  const conditions = baseConditions(filters, p, now, phase.ends, distance);
  const keys = phase.keys.map((k) => (k.expr === DISTANCE ? { ...k, expr: distance ?? "NULL" } : k));
  if (phase.after) conditions.push(keysetSql(keys, phase.after, p));
  const limitParam = p.add(limit);
  const columns = COLUMNS.map((c) => (c === "content" && options.content === false ? "'' AS content" : c)).join(", ");
  const select = (s: Source) =>
    `SELECT ${columns}${distance ? `, ${distance} AS distance_km` : ""}, ${s.own ? 1 : 0} AS own FROM ${s.from}
     WHERE ${conditions.join(" AND ")} ORDER BY ${keys.map((k) => `${k.expr} ${k.dir}`).join(", ")} LIMIT ${limitParam}`;
  const sources = sourcesFor(filters.kind, source, p, deps.config);
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
  const sources = sourcesFor(filters.kind, source, p, deps.config);
  const text = `SELECT ${sources.map((s) => `(SELECT count(*) FROM ${s.from} WHERE ${conditions})`).join(" + ")} AS n`;
  return (prepare(deps.db, text).get(p.values) as { n: number }).n;
}

// --- presentation --------------------------------------------------------------------------------

const jsonArray = (iris: readonly string[]) => JSON.stringify([...new Set(iris)]);

/** Every path each object arrived by, oldest first. */
export function pathsOf(deps: Pick<ViewDeps, "db">, iris: readonly string[]): Map<string, ViewPath[]> {
  const out = new Map<string, ViewPath[]>();
  if (iris.length === 0) return out;
  const rows = prepare(
    deps.db,
    `SELECT object_iri, via_iri, received_at FROM view_paths
     WHERE object_iri IN (SELECT value FROM json_each(?)) ORDER BY received_at, via_iri`,
  ).all(jsonArray(iris)) as { object_iri: string; via_iri: string; received_at: string }[];
  for (const r of rows) {
    let list = out.get(r.object_iri);
    if (!list) out.set(r.object_iri, (list = []));
    list.push({ via: r.via_iri, receivedAt: r.received_at });
  }
  return out;
}

/** Display names of pods (neighbors from neighbor_pods, this pod from its settings). */
export function podNames(deps: Pick<ViewDeps, "db" | "config">, iris: readonly string[]): Map<string, string | null> {
  const out = new Map<string, string | null>();
  if (iris.length > 0) {
    const rows = prepare(deps.db, `SELECT actor_iri, name FROM neighbor_pods WHERE actor_iri IN (SELECT value FROM json_each(?))`).all(
      jsonArray(iris),
    ) as { actor_iri: string; name: string }[];
    for (const r of rows) out.set(r.actor_iri, r.name);
  }
  out.set(selfActorIri(deps.config), deps.config.name);
  return out;
}

export const podRef = (names: Map<string, string | null>, iri: string): PodRef => ({ iri, name: names.get(iri) ?? null });

/** Category IRIs to slug and label: the shared taxonomy and this pod's own; other pods' by IRI only. */
export function categoryIndex(deps: Pick<ViewDeps, "db" | "config">): (iri: string | null) => CategoryRef | null {
  const known = new Map(listCategories(deps.db, deps.config).map((c) => [c.iri, { iri: c.iri, slug: c.slug, label: c.label }]));
  return (iri) => {
    if (!iri) return null;
    const found = known.get(iri);
    if (found) return found;
    const slug = slugOfIri(deps.config, iri);
    return slug ? { iri, slug } : { iri };
  };
}

function servicesOf(deps: Pick<ViewDeps, "db">, charterIris: readonly string[]) {
  const out = new Map<string, { iri: string; name: string; category_iri: string | null; status: string; target: string | null }[]>();
  if (charterIris.length === 0) return out;
  const rows = prepare(
    deps.db,
    `SELECT iri, charter_iri, name, category_iri, status, target FROM view_services
     WHERE charter_iri IN (SELECT value FROM json_each(?)) ORDER BY name, iri`,
  ).all(jsonArray(charterIris)) as { iri: string; charter_iri: string; name: string; category_iri: string | null; status: string; target: string | null }[];
  for (const r of rows) {
    let list = out.get(r.charter_iri);
    if (!list) out.set(r.charter_iri, (list = []));
    list.push(r);
  }
  return out;
}

function tagsOf(extra: string): string[] {
  try {
    const value = JSON.parse(extra) as { tags?: unknown };
    return Array.isArray(value.tags) ? value.tags.filter((t): t is string => typeof t === "string") : [];
  } catch {
    return [];
  }
}

const milli = (value: number | null) => (value === null ? null : formatMilli(value));

/** Rows to items: pod names, category labels and paths in one query each. */
export function presentRows(deps: ViewDeps, rows: readonly ViewRow[]): ViewItem[] {
  const now = deps.now();
  const names = podNames(deps, rows.map((r) => r.podIri));
  const paths = pathsOf(deps, rows.filter((r) => !r.own).map((r) => r.iri));
  const category = categoryIndex(deps);
  const services = servicesOf(deps, rows.filter((r) => r.kind === "charter").map((r) => r.iri));
  return rows.map((r) => {
    const item: ViewItem = {
      iri: r.iri,
      kind: r.kind,
      pod: podRef(names, r.podIri),
      name: r.name,
      summary: r.summary,
      category: category(r.categoryIri),
      quantity: milli(r.quantityMilli),
      available: milli(r.availableMilli),
      unit: r.unit,
      area: r.areaName,
      latitude: r.latitude,
      longitude: r.longitude,
      startsAt: r.startsAt,
      endsAt: r.endsAt,
      url: r.url,
      published: r.published,
      paths: paths.get(r.iri) ?? [],
    };
    if (r.kind === "offer" || r.kind === "need") item.status = statusOf(r, now);
    if (r.kind === "practice") {
      item.adaptedFrom = r.adaptedFrom;
      item.tags = tagsOf(r.extra);
    }
    if (r.kind === "charter") {
      item.services = (services.get(r.iri) ?? []).map((s) => ({
        iri: s.iri,
        name: s.name,
        category: category(s.category_iri),
        status: s.status,
        target: s.target,
      }));
    }
    if (r.distanceKm !== null) item.distanceKm = Math.round(r.distanceKm * 100) / 100;
    return item;
  });
}

/** The page the API and every feed show for these filters. */
export function viewPage(
  deps: ViewDeps,
  filters: ViewFilters,
  source: ViewSource = "view",
  options: ListOptions = {},
): ViewPage<ViewItem> & { rows: ViewRow[] } {
  const { rows, next } = listRows(deps, filters, source, options);
  return { items: presentRows(deps, rows), rows, nextCursor: next ? encodeCursor(next) : null };
}
