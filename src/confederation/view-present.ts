import { inArray } from "drizzle-orm";
import { slugOfIri } from "../categories/service.ts";
import type { RoomQueries } from "../db/room-db.ts";
import { amountsOf } from "../offers/quantity.ts";
import { offerStatus } from "../offers/status.ts";
import { actorIri } from "../publishing/iris.ts";
import { publishedKind } from "../publishing/kinds.ts";
import { encodeCursor, type ViewFilters, type ViewKind, type ViewStatus } from "./filters.ts";
import { neighborPods, viewPaths, viewServices } from "./schema.ts";
import { byteOrder, listRows, type ListOptions, type ViewDeps, type ViewRow, type ViewSource } from "./view-query.ts";

/** Presentation of the view's rows: pod names, category labels, paths, services, status. */

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
  /** Memory entries: decision, workflow or lesson. */
  entry?: string;
  /** Charters: their services. */
  services?: { iri: string; name: string; category: CategoryRef | null; status: string; target: string | null }[];
  paths: ViewPath[];
  distanceKm?: number;
}

export interface ViewPage<T> {
  items: T[];
  nextCursor: string | null;
}

/** Every path each object arrived by, oldest first. */
async function pathsIn(v: ViewDeps, db: RoomQueries, iris: readonly string[]): Promise<Map<string, ViewPath[]>> {
  const out = new Map<string, ViewPath[]>();
  if (iris.length === 0) return out;
  const p = v.rooms.table(viewPaths);
  const rows = await db
    .select({ objectIri: p.objectIri, viaIri: p.viaIri, receivedAt: p.receivedAt })
    .from(p)
    .where(inArray(p.objectIri, [...new Set(iris)]))
    .orderBy(p.receivedAt, byteOrder(v.rooms, p.viaIri));
  for (const r of rows) {
    let list = out.get(r.objectIri);
    if (!list) out.set(r.objectIri, (list = []));
    list.push({ via: r.viaIri, receivedAt: r.receivedAt });
  }
  return out;
}

/** Display names of pods (neighbors from neighbor_pods, this pod from its settings). */
export async function podNamesIn(
  v: Pick<ViewDeps, "rooms" | "config">,
  db: RoomQueries,
  iris: readonly string[],
): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  if (iris.length > 0) {
    const n = v.rooms.table(neighborPods);
    const rows = await db
      .select({ actorIri: n.actorIri, name: n.name })
      .from(n)
      .where(inArray(n.actorIri, [...new Set(iris)]));
    for (const r of rows) out.set(r.actorIri, r.name);
  }
  out.set(actorIri(v.config).href, v.config.name);
  return out;
}

/** Display names of pods, in a read of their own. */
export function podNames(v: Pick<ViewDeps, "rooms" | "config">, iris: readonly string[]) {
  return v.rooms.read((db) => podNamesIn(v, db, iris));
}

export interface NeighborPod {
  actorIri: string;
  name: string;
  handle: string | null;
  url: string | null;
}

/**
 * The pods whose objects are in the view, by name: the public neighbors page, the sovereignty totals' pod names and
 * the view pages' pod choices.
 */
export function neighborPodList(v: Pick<ViewDeps, "rooms">): Promise<NeighborPod[]> {
  const n = v.rooms.table(neighborPods);
  return v.rooms.read((db) =>
    db
      .select({ actorIri: n.actorIri, name: n.name, handle: n.handle, url: n.url })
      .from(n)
      .orderBy(byteOrder(v.rooms, n.name), byteOrder(v.rooms, n.actorIri)),
  );
}

/** The view pages' pod choices. */
export async function neighborPodChoices(v: Pick<ViewDeps, "rooms">): Promise<{ iri: string; name: string }[]> {
  return (await neighborPodList(v)).map((pod) => ({ iri: pod.actorIri, name: pod.name }));
}

export const podRef = (names: Map<string, string | null>, iri: string): PodRef => ({
  iri,
  name: names.get(iri) ?? null,
});

/** Category IRIs to slug and label: the shared taxonomy and this pod's own; other pods' by IRI only. */
export function categoryIndex(v: Pick<ViewDeps, "categories" | "config">): (iri: string | null) => CategoryRef | null {
  const known = new Map(v.categories().map((c) => [c.iri, { iri: c.iri, slug: c.slug, label: c.label }]));
  return (iri) => {
    if (!iri) return null;
    const found = known.get(iri);
    if (found) return found;
    const slug = slugOfIri(v.config, iri);
    return slug ? { iri, slug } : { iri };
  };
}

type ServiceOfCharter = {
  iri: string;
  name: string;
  categoryIri: string | null;
  status: string;
  target: string | null;
};

async function servicesIn(v: ViewDeps, db: RoomQueries, charterIris: readonly string[]) {
  const out = new Map<string, ServiceOfCharter[]>();
  if (charterIris.length === 0) return out;
  const s = v.rooms.table(viewServices);
  const rows = await db
    .select({
      iri: s.iri,
      charterIri: s.charterIri,
      name: s.name,
      categoryIri: s.categoryIri,
      status: s.status,
      target: s.target,
    })
    .from(s)
    .where(inArray(s.charterIri, [...new Set(charterIris)]))
    .orderBy(byteOrder(v.rooms, s.name), byteOrder(v.rooms, s.iri));
  for (const { charterIri, ...service } of rows) {
    let list = out.get(charterIri);
    if (!list) out.set(charterIri, (list = []));
    list.push(service);
  }
  return out;
}

function entryOf(extra: string): string | undefined {
  try {
    const value = JSON.parse(extra) as { entry?: unknown };
    return typeof value.entry === "string" ? value.entry : undefined;
  } catch {
    return undefined;
  }
}

function tagsOf(extra: string): string[] {
  try {
    const value = JSON.parse(extra) as { tags?: unknown };
    return Array.isArray(value.tags) ? value.tags.filter((t): t is string => typeof t === "string") : [];
  } catch {
    return [];
  }
}

/** Rows to items: pod names, paths and charters' services in one query each, in one read. */
export async function presentRows(v: ViewDeps, rows: readonly ViewRow[]): Promise<ViewItem[]> {
  const now = v.now();
  const { names, paths, services } = await v.rooms.read(async (db) => ({
    names: await podNamesIn(
      v,
      db,
      rows.map((r) => r.podIri),
    ),
    paths: await pathsIn(
      v,
      db,
      rows.filter((r) => !r.own).map((r) => r.iri),
    ),
    services: await servicesIn(
      v,
      db,
      rows.filter((r) => r.kind === "charter").map((r) => r.iri),
    ),
  }));
  const category = categoryIndex(v);
  return rows.map((r) => {
    const item: ViewItem = {
      iri: r.iri,
      kind: r.kind,
      pod: podRef(names, r.podIri),
      name: r.name,
      summary: r.summary,
      category: category(r.categoryIri),
      ...amountsOf(r),
      area: r.areaName,
      latitude: r.latitude,
      longitude: r.longitude,
      startsAt: r.startsAt,
      endsAt: r.endsAt,
      url: r.url,
      published: r.published,
      paths: paths.get(r.iri) ?? [],
    };
    if (publishedKind(r.kind).view.statuses) item.status = offerStatus(r, now);
    if (r.kind === "practice") {
      item.adaptedFrom = r.adaptedFrom;
      item.tags = tagsOf(r.extra);
    }
    if (r.kind === "memory") {
      item.adaptedFrom = r.adaptedFrom;
      item.entry = entryOf(r.extra);
    }
    if (r.kind === "charter") {
      item.services = (services.get(r.iri) ?? []).map((s) => ({
        iri: s.iri,
        name: s.name,
        category: category(s.categoryIri),
        status: s.status,
        target: s.target,
      }));
    }
    if (r.distanceKm !== null) item.distanceKm = Math.round(r.distanceKm * 100) / 100;
    return item;
  });
}

/** The page the API and every feed show for these filters. */
export async function viewPage(
  v: ViewDeps,
  filters: ViewFilters,
  source: ViewSource = "view",
  options: ListOptions = {},
): Promise<ViewPage<ViewItem> & { rows: ViewRow[] }> {
  const { rows, next } = await listRows(v, filters, source, options);
  return { items: await presentRows(v, rows), rows, nextCursor: next ? encodeCursor(next) : null };
}
