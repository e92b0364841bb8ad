import { listCategories } from "../categories/service.ts";
import { ownViewServices } from "../publishing/kinds.ts";
import type { OwnViewService } from "../publishing/kind.ts";
import { categoryIndex, podNames, podRef, type CategoryRef, type PodRef } from "./view-present.ts";
import { sqliteOf, type ViewDeps } from "./view-query.ts";

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

type ServiceRow = OwnViewService;

export function serviceMap(deps: ViewDeps): ServiceMap {
  const sqlite = sqliteOf(deps.db);
  const remote = sqlite
    .prepare(
      `SELECT iri, pod_iri AS podIri, name, category_iri AS categoryIri, status, target FROM view_services
       WHERE status IN ('active', 'paused', 'planned') ORDER BY name, iri`,
    )
    .all() as ServiceRow[];
  const services = [...ownViewServices(deps), ...remote];
  // Categories offered or needed in the view count as "seen" too: a need nobody provides for shows up.
  const seen = sqlite
    .prepare(
      "SELECT DISTINCT category_iri AS iri FROM view_objects " +
        "WHERE kind IN ('offer', 'need') AND category_iri IS NOT NULL",
    )
    .all() as { iri: string }[];

  const category = categoryIndex(deps);
  const known = listCategories(deps.db, deps.config).map((c) => c.iri);
  const extra = new Set<string>();
  for (const iri of [...services.map((s) => s.categoryIri), ...seen.map((s) => s.iri)]) if (iri) extra.add(iri);
  for (const iri of known) extra.delete(iri);
  const order = [...known, ...[...extra].sort()];

  const names = podNames(
    deps,
    services.map((s) => s.podIri),
  );
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
    const providers = group(
      rows.filter((r) => r.status === "active"),
      false,
    );
    return {
      category: category(iri)!,
      providers,
      paused: group(
        rows.filter((r) => r.status === "paused"),
        false,
      ),
      planned: group(
        rows.filter((r) => r.status === "planned"),
        true,
      ),
      covered: providers.length > 0,
    };
  });
  return { categories, uncovered: categories.filter((c) => !c.covered).map((c) => c.category) };
}
