import type { ViewFilters } from "./filters.ts";
import { podNames, podRef, presentRows, type PodRef, type ViewItem, type ViewPage } from "./view-present.ts";
import { listRows, sqliteOf, type ViewDeps } from "./view-query.ts";
import { encodeCursor } from "./filters.ts";

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

export function practiceSpread(deps: ViewDeps, filters: ViewFilters & { kind: "practice" }): ViewPage<PracticeSpread> {
  const { rows, next } = listRows(deps, filters, "view+own", { content: false });
  const iris = JSON.stringify(rows.map((r) => r.iri));
  const sqlite = sqliteOf(deps.db);

  const adaptations = sqlite
    .prepare(
      `SELECT iri, pod_iri, name, url, published, adapted_from FROM view_objects
         WHERE kind IN ('practice', 'memory') AND adapted_from IN (SELECT value FROM json_each(@iris))
       UNION ALL
       SELECT iri, pod_iri, name, url, published, adapted_from FROM view_own_objects
         WHERE kind IN ('practice', 'memory') AND adapted_from IN (SELECT value FROM json_each(@iris))
       ORDER BY published, iri`,
    )
    .all({ iris }) as {
    iri: string;
    pod_iri: string;
    name: string;
    url: string | null;
    published: string;
    adapted_from: string;
  }[];

  const reshares = sqlite
    .prepare(
      `SELECT p.object_iri, p.via_iri, p.received_at FROM view_paths p JOIN view_objects o ON o.iri = p.object_iri
       WHERE p.object_iri IN (SELECT value FROM json_each(@iris)) AND p.via_iri <> o.pod_iri
       ORDER BY p.received_at, p.via_iri`,
    )
    .all({ iris }) as { object_iri: string; via_iri: string; received_at: string }[];

  const names = podNames(deps, [...adaptations.map((a) => a.pod_iri), ...reshares.map((r) => r.via_iri)]);
  const items = presentRows(deps, rows).map(
    (practice): PracticeSpread => ({
      practice,
      adaptations: adaptations
        .filter((a) => a.adapted_from === practice.iri)
        .map((a) => ({ iri: a.iri, name: a.name, pod: podRef(names, a.pod_iri), url: a.url, published: a.published })),
      reshares: reshares
        .filter((r) => r.object_iri === practice.iri)
        .map((r) => ({ via: podRef(names, r.via_iri), receivedAt: r.received_at })),
    }),
  );
  return { items, nextCursor: next ? encodeCursor(next) : null };
}

/**
 * How many pods' practices or memory entries (the neighbors' and this pod's own) adapt each of these objects:
 * the spread of workflows, as practiceSpread lists the adaptations of practices.
 */
export function adoptionCounts(deps: ViewDeps, iris: string[]): Map<string, number> {
  const rows = sqliteOf(deps.db)
    .prepare(
      `SELECT adapted_from, COUNT(DISTINCT pod_iri) AS n FROM (
         SELECT adapted_from, pod_iri FROM view_objects WHERE adapted_from IN (SELECT value FROM json_each(@iris))
         UNION ALL
         SELECT adapted_from, pod_iri FROM view_own_objects WHERE adapted_from IN (SELECT value FROM json_each(@iris)))
       GROUP BY adapted_from`,
    )
    .all({ iris: JSON.stringify(iris) }) as { adapted_from: string; n: number }[];
  return new Map(rows.map((r) => [r.adapted_from, r.n]));
}
