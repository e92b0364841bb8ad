import { barterTable, type NeedMatches } from "../confederation/matching.ts";
import { serviceMap } from "../confederation/service-map.ts";
import type { CategoryRef } from "../confederation/view-present.ts";
import { listRows, type ViewDeps, type ViewRow } from "../confederation/view-query.ts";

/** How many of each side the assembly reads from the view (a neighborhood confederation, not a market). */
const LIMIT = 200;

/** Surplus is "going to waste" when nothing of it is claimed and it ends within this many days. */
export const WASTE_DAYS = 14;

export interface AssemblyTable {
  /** Needs of pods taking part, each with the offers of pods taking part that could meet it. */
  matches: NeedMatches[];
  /** Live needs of pods taking part. */
  needs: ViewRow[];
  /** Needs of pods taking part that no offer of a pod taking part could meet. */
  unmet: ViewRow[];
  /** Offers of pods taking part that nobody has claimed from and that end soon. */
  wasting: ViewRow[];
  /** Categories a pod taking part needs and nobody in the view (nor this pod) provides as a service. */
  uncovered: CategoryRef[];
  /** Live offers of pods taking part (the pledge form chooses among them). */
  offers: ViewRow[];
}

/** The confederal view narrowed to the pods of one assembly: its barter table and the agenda's facts. */
export async function assemblyTable(v: ViewDeps, pods: ReadonlySet<string>): Promise<AssemblyTable> {
  const live = async (kind: "offer" | "need") =>
    (await listRows(v, { kind, sort: "newest", limit: LIMIT }, "view+own", { content: false })).rows.filter((row) =>
      pods.has(row.podIri),
    );
  const needs = await live("need");
  const offers = await live("offer");
  const matches = ((await barterTable(v, { kind: "need", sort: "newest", limit: LIMIT })).items as NeedMatches[])
    .filter((item) => pods.has(item.need.pod.iri))
    .map((item) => ({ ...item, offers: item.offers.filter((match) => pods.has(match.offer.pod.iri)) }))
    .filter((item) => item.offers.length > 0);
  const matched = new Set(matches.map((item) => item.need.iri));
  const soon = new Date(v.now().getTime() + WASTE_DAYS * 86_400_000).toISOString();
  const wasting = offers.filter(
    (row) => row.endsAt !== null && row.endsAt <= soon && row.availableMilli === row.quantityMilli,
  );
  const needed = new Set(needs.map((row) => row.categoryIri));
  const uncovered = (await serviceMap(v)).uncovered.filter((category) => needed.has(category.iri));
  return { matches, needs, unmet: needs.filter((row) => !matched.has(row.iri)), wasting, uncovered, offers };
}
