import { listCategories, slugOfIri } from "../categories/service.ts";
import { amountsOf } from "../offers/quantity.ts";
import { offerStatus } from "../offers/status.ts";
import { actorIri } from "../publishing/iris.ts";
import { publishedKind } from "../publishing/kinds.ts";
import { encodeCursor, type ViewFilters, type ViewKind, type ViewStatus } from "./filters.ts";
import { listRows, prepare, type ListOptions, type ViewDeps, type ViewRow, type ViewSource } from "./view-query.ts";

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
    const rows = prepare(
      deps.db,
      `SELECT actor_iri, name FROM neighbor_pods WHERE actor_iri IN (SELECT value FROM json_each(?))`,
    ).all(jsonArray(iris)) as { actor_iri: string; name: string }[];
    for (const r of rows) out.set(r.actor_iri, r.name);
  }
  out.set(actorIri(deps.config).href, deps.config.name);
  return out;
}

export const podRef = (names: Map<string, string | null>, iri: string): PodRef => ({
  iri,
  name: names.get(iri) ?? null,
});

/** Category IRIs to slug and label: the shared taxonomy and this pod's own; other pods' by IRI only. */
export function categoryIndex(deps: Pick<ViewDeps, "db" | "config">): (iri: string | null) => CategoryRef | null {
  const known = new Map(
    listCategories(deps.db, deps.config).map((c) => [c.iri, { iri: c.iri, slug: c.slug, label: c.label }]),
  );
  return (iri) => {
    if (!iri) return null;
    const found = known.get(iri);
    if (found) return found;
    const slug = slugOfIri(deps.config, iri);
    return slug ? { iri, slug } : { iri };
  };
}

function servicesOf(deps: Pick<ViewDeps, "db">, charterIris: readonly string[]) {
  const out = new Map<
    string,
    { iri: string; name: string; category_iri: string | null; status: string; target: string | null }[]
  >();
  if (charterIris.length === 0) return out;
  const rows = prepare(
    deps.db,
    `SELECT iri, charter_iri, name, category_iri, status, target FROM view_services
     WHERE charter_iri IN (SELECT value FROM json_each(?)) ORDER BY name, iri`,
  ).all(jsonArray(charterIris)) as {
    iri: string;
    charter_iri: string;
    name: string;
    category_iri: string | null;
    status: string;
    target: string | null;
  }[];
  for (const r of rows) {
    let list = out.get(r.charter_iri);
    if (!list) out.set(r.charter_iri, (list = []));
    list.push(r);
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

/** Rows to items: pod names, category labels and paths in one query each. */
export function presentRows(deps: ViewDeps, rows: readonly ViewRow[]): ViewItem[] {
  const now = deps.now();
  const names = podNames(
    deps,
    rows.map((r) => r.podIri),
  );
  const paths = pathsOf(
    deps,
    rows.filter((r) => !r.own).map((r) => r.iri),
  );
  const category = categoryIndex(deps);
  const services = servicesOf(
    deps,
    rows.filter((r) => r.kind === "charter").map((r) => r.iri),
  );
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
