import { and, eq, inArray, ne } from "drizzle-orm";
import type { ViewFilters } from "./filters.ts";
import { encodeCursor } from "./filters.ts";
import { viewObjects, viewOwnObjects, viewPaths } from "./schema.ts";
import { podNamesIn, podRef, presentRows, type PodRef, type ViewItem, type ViewPage } from "./view-present.ts";
import { byteOrder, listRows, type ViewDeps } from "./view-query.ts";

/**
 * Practice spread: for each practice (the neighbors' in the view and this pod's own), the pods that
 * adapted it (practices whose adaptedFrom is its IRI) and the pods that re-shared it (paths by which it
 * reached this pod through a pod other than its origin).
 */

export interface Adaptation {
  iri: string;
  name: string;
  pod: PodRef;
  url: string | null;
  published: string;
}

export interface Reshare {
  via: PodRef;
  receivedAt: string;
}

export interface PracticeSpread {
  practice: ViewItem;
  adaptations: Adaptation[];
  reshares: Reshare[];
}

export async function practiceSpread(
  v: ViewDeps,
  filters: ViewFilters & { kind: "practice" },
): Promise<ViewPage<PracticeSpread>> {
  const { rows, next } = await listRows(v, filters, "view+own", { content: false });
  const iris = rows.map((r) => r.iri);
  const p = v.rooms.table(viewPaths);
  const o = v.rooms.table(viewObjects);
  const { adaptations, reshares, names } = await v.rooms.read(async (db) => {
    if (iris.length === 0) return { adaptations: [], reshares: [], names: new Map<string, string | null>() };
    const adaptations: {
      iri: string;
      podIri: string;
      name: string;
      url: string | null;
      published: string;
      adaptedFrom: string;
    }[] = [];
    for (const t of [o, v.rooms.table(viewOwnObjects)]) {
      for (const row of await db
        .select({
          iri: t.iri,
          podIri: t.podIri,
          name: t.name,
          url: t.url,
          published: t.published,
          adaptedFrom: t.adaptedFrom,
        })
        .from(t)
        .where(and(inArray(t.kind, ["practice", "memory"]), inArray(t.adaptedFrom, iris)))) {
        adaptations.push({ ...row, adaptedFrom: row.adaptedFrom! });
      }
    }
    // Both tables' rows in one order, (published, iri) by code unit, as the single query gave them.
    adaptations.sort((a, b) =>
      a.published !== b.published ? (a.published < b.published ? -1 : 1) : a.iri < b.iri ? -1 : a.iri > b.iri ? 1 : 0,
    );
    const reshares = await db
      .select({ objectIri: p.objectIri, viaIri: p.viaIri, receivedAt: p.receivedAt })
      .from(p)
      .innerJoin(o, eq(o.iri, p.objectIri))
      .where(and(inArray(p.objectIri, iris), ne(p.viaIri, o.podIri)))
      .orderBy(p.receivedAt, byteOrder(v.rooms, p.viaIri));
    const pods = [...adaptations.map((a) => a.podIri), ...reshares.map((r) => r.viaIri)];
    return { adaptations, reshares, names: await podNamesIn(v, db, pods) };
  });

  const items = (await presentRows(v, rows)).map(
    (practice): PracticeSpread => ({
      practice,
      adaptations: adaptations
        .filter((a) => a.adaptedFrom === practice.iri)
        .map((a) => ({ iri: a.iri, name: a.name, pod: podRef(names, a.podIri), url: a.url, published: a.published })),
      reshares: reshares
        .filter((r) => r.objectIri === practice.iri)
        .map((r) => ({ via: podRef(names, r.viaIri), receivedAt: r.receivedAt })),
    }),
  );
  return { items, nextCursor: next ? encodeCursor(next) : null };
}

/**
 * How many pods' practices or memory entries (the neighbors' and this pod's own) adapt each of these objects:
 * the spread of workflows, as practiceSpread lists the adaptations of practices.
 */
export async function adoptionCounts(v: ViewDeps, iris: string[]): Promise<Map<string, number>> {
  const pods = new Map<string, Set<string>>();
  if (iris.length === 0) return new Map();
  await v.rooms.read(async (db) => {
    for (const t of [v.rooms.table(viewObjects), v.rooms.table(viewOwnObjects)]) {
      const rows = await db
        .selectDistinct({ adaptedFrom: t.adaptedFrom, podIri: t.podIri })
        .from(t)
        .where(inArray(t.adaptedFrom, iris));
      for (const row of rows) {
        let set = pods.get(row.adaptedFrom!);
        if (!set) pods.set(row.adaptedFrom!, (set = new Set()));
        set.add(row.podIri);
      }
    }
  });
  return new Map([...pods].map(([iri, set]) => [iri, set.size]));
}
