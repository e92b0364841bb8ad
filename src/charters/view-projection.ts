import { findCategory } from "../categories/service.ts";
import type { PodDeps } from "../federation/deps.ts";
import type { OwnViewService } from "../publishing/kind.ts";
import { actorIri, serviceIri } from "../publishing/iris.ts";
import type { CharterService, PlannedService } from "./model.ts";
import { charterCopyOf } from "./copy.ts";

type Deps = Pick<PodDeps, "rooms" | "config">;

/** This pod's own charter, latest revision, as the service map's rows. */
export function ownCharterServices(deps: Deps): OwnViewService[] {
  const latest = charterCopyOf(deps).latest();
  if (!latest) return [];
  const self = actorIri(deps.config).href;
  const iriOf = (slug: string) => findCategory(deps.rooms, deps.config, slug)?.iri ?? null;
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
