import { and, inArray, isNotNull } from "drizzle-orm";
import type { OwnViewService } from "../publishing/kind.ts";
import { viewObjects, viewServices } from "./schema.ts";
import { categoryIndex, podNamesIn, podRef, type CategoryRef, type PodRef } from "./view-present.ts";
import { byteOrder, type ViewDeps } from "./view-query.ts";

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

export async function serviceMap(v: ViewDeps): Promise<ServiceMap> {
  const s = v.rooms.table(viewServices);
  const o = v.rooms.table(viewObjects);
  const own = v.ownServices();
  const { remote, seen, names } = await v.rooms.read(async (db) => {
    const remote = (await db
      .select({
        iri: s.iri,
        podIri: s.podIri,
        name: s.name,
        categoryIri: s.categoryIri,
        status: s.status,
        target: s.target,
      })
      .from(s)
      .where(inArray(s.status, ["active", "paused", "planned"]))
      .orderBy(byteOrder(v.rooms, s.name), byteOrder(v.rooms, s.iri))) as ServiceRow[];
    // Categories offered or needed in the view count as "seen" too: a need nobody provides for shows up.
    const seen = await db
      .selectDistinct({ iri: o.categoryIri })
      .from(o)
      .where(and(inArray(o.kind, ["offer", "need"]), isNotNull(o.categoryIri)));
    const pods = [...own, ...remote].map((service) => service.podIri);
    return { remote, seen, names: await podNamesIn(v, db, pods) };
  });
  const services = [...own, ...remote];

  const category = categoryIndex(v);
  const known = v.categories().map((c) => c.iri);
  const extra = new Set<string>();
  for (const iri of [...services.map((s) => s.categoryIri), ...seen.map((s) => s.iri)]) if (iri) extra.add(iri);
  for (const iri of known) extra.delete(iri);
  const order = [...known, ...[...extra].sort()];

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
