import { desc } from "drizzle-orm";
import { findCategory, listCategories } from "../categories/service.ts";
import { serviceIri } from "../charters/to-as.ts";
import type { CharterService, PlannedService } from "../charters/model.ts";
import { charterRevisions } from "../charters/schema.ts";
import { categoryIndex, podNames, podRef, selfActorIri, sqliteOf, type CategoryRef, type PodRef, type ViewDeps } from "./view.ts";

/**
 * The service map: for each category (the shared taxonomy, this pod's own, and any category IRI seen
 * in the view), which pods provide it now (active charter services), which have it paused, which plan
 * to take it on, and the categories nobody in the view — nor this pod — covers yet.
 */

export interface MappedService {
  iri: string;
  name: string;
  target?: string | null;
}

export interface PodServices {
  pod: PodRef;
  services: MappedService[];
}

export interface ServiceMapEntry {
  category: CategoryRef;
  /** Pods with an active service in this category. */
  providers: PodServices[];
  paused: PodServices[];
  planned: PodServices[];
  covered: boolean;
}

export interface ServiceMap {
  categories: ServiceMapEntry[];
  /** Categories without an active service anywhere in the view or at this pod (planned ones included). */
  uncovered: CategoryRef[];
}

interface ServiceRow {
  iri: string;
  podIri: string;
  name: string;
  categoryIri: string | null;
  status: "active" | "paused" | "planned";
  target: string | null;
}

/** This pod's own charter, latest revision, as service rows. */
function ownServices(deps: ViewDeps): ServiceRow[] {
  const latest = deps.db
    .select({ services: charterRevisions.services, planned: charterRevisions.planned })
    .from(charterRevisions)
    .orderBy(desc(charterRevisions.number))
    .limit(1)
    .get();
  if (!latest) return [];
  const self = selfActorIri(deps.config);
  const iriOf = (slug: string) => findCategory(deps.db, deps.config, slug)?.iri ?? null;
  const parse = <T>(text: string): T[] => {
    try {
      const value: unknown = JSON.parse(text);
      return Array.isArray(value) ? (value as T[]) : [];
    } catch {
      return [];
    }
  };
  return [
    ...parse<CharterService>(latest.services).map((s) => ({
      iri: serviceIri(deps.config, s.key).href,
      podIri: self,
      name: s.name,
      categoryIri: iriOf(s.category),
      status: s.status === "paused" ? ("paused" as const) : ("active" as const),
      target: null,
    })),
    ...parse<PlannedService>(latest.planned).map((p) => ({
      iri: serviceIri(deps.config, p.key).href,
      podIri: self,
      name: p.name,
      categoryIri: iriOf(p.category),
      status: "planned" as const,
      target: p.target,
    })),
  ];
}

export function serviceMap(deps: ViewDeps): ServiceMap {
  const sqlite = sqliteOf(deps.db);
  const remote = sqlite
    .prepare(
      `SELECT iri, pod_iri AS podIri, name, category_iri AS categoryIri, status, target FROM view_services
       WHERE status IN ('active', 'paused', 'planned') ORDER BY name, iri`,
    )
    .all() as ServiceRow[];
  const services = [...ownServices(deps), ...remote];
  // Categories offered or needed in the view count as "seen" too: a need nobody provides for shows up.
  const seen = sqlite
    .prepare(`SELECT DISTINCT category_iri AS iri FROM view_objects WHERE kind IN ('offer', 'need') AND category_iri IS NOT NULL`)
    .all() as { iri: string }[];

  const category = categoryIndex(deps);
  const known = listCategories(deps.db, deps.config).map((c) => c.iri);
  const extra = new Set<string>();
  for (const iri of [...services.map((s) => s.categoryIri), ...seen.map((s) => s.iri)]) if (iri) extra.add(iri);
  for (const iri of known) extra.delete(iri);
  const order = [...known, ...[...extra].sort()];

  const names = podNames(deps, services.map((s) => s.podIri));
  const byCategory = new Map<string, ServiceRow[]>();
  for (const s of services) {
    if (!s.categoryIri) continue;
    let list = byCategory.get(s.categoryIri);
    if (!list) byCategory.set(s.categoryIri, (list = []));
    list.push(s);
  }

  const group = (rows: ServiceRow[], withTarget: boolean): PodServices[] => {
    const pods = new Map<string, MappedService[]>();
    for (const r of rows) {
      let list = pods.get(r.podIri);
      if (!list) pods.set(r.podIri, (list = []));
      list.push(withTarget ? { iri: r.iri, name: r.name, target: r.target } : { iri: r.iri, name: r.name });
    }
    return [...pods.entries()]
      .map(([iri, list]) => ({ pod: podRef(names, iri), services: list }))
      .sort((a, b) => (a.pod.name ?? a.pod.iri).localeCompare(b.pod.name ?? b.pod.iri));
  };

  const categories = order.map((iri): ServiceMapEntry => {
    const rows = byCategory.get(iri) ?? [];
    const providers = group(rows.filter((r) => r.status === "active"), false);
    return {
      category: category(iri)!,
      providers,
      paused: group(rows.filter((r) => r.status === "paused"), false),
      planned: group(rows.filter((r) => r.status === "planned"), true),
      covered: providers.length > 0,
    };
  });
  return { categories, uncovered: categories.filter((c) => !c.covered).map((c) => c.category) };
}
