import { isDeepStrictEqual } from "node:util";
import type { Context } from "@fedify/fedify";
import { Collection, CollectionPage, isActor, OrderedCollectionPage, type Object as APObject } from "@fedify/vocab";
import type { DocumentLoader } from "@fedify/vocab-runtime";
import { followsOf } from "../follows/room.ts";
import type { PodDeps } from "../federation/deps.ts";
import { REPORT_COLLECTION } from "./collections.ts";
import { parseReport, reportFigures, storeReport } from "./from-as.ts";
import { REPORT_CONTEXT } from "./vocab.ts";

/**
 * Bounds on reading a newly followed pod's earlier reports: three years of months, a few pages, one deadline
 * for the whole read (each fetch also has the pod's own time and size limits), and a size per report.
 */
export const REPORT_BACKFILL = { reports: 36, pages: 5, deadlineMs: 30_000, reportBytes: 256 * 1024 };

export interface ReportBackfill {
  stored: number;
  /** Items refused: on another origin, not a report of that pod, or too large. */
  refused: number;
  /** False when a bound stopped the read (or the pod or its collection could not be read). */
  complete: boolean;
}

/**
 * Reads the published reports of a pod this pod now follows (its `reports` stream, newest month first) and
 * adds their figures to the totals. Each report is fetched by its id from the pod's own origin, because the
 * figures are in the Article's compact JSON only (Fedify's classes drop EconomicEvents). Storing replaces the
 * pod's month, and an older version never replaces a newer one: reading again adds nothing twice.
 */
export async function backfillReports(
  deps: PodDeps,
  ctx: Context<null>,
  podIri: string,
  refuses: (iri: string) => boolean = () => false,
): Promise<ReportBackfill> {
  const { log } = deps;
  const result: ReportBackfill = { stored: 0, refused: 0, complete: false };
  if ((await followsOf(deps).store.getFollowing(podIri))?.state !== "accepted" || refuses(podIri)) return result;
  const origin = new URL(podIri).origin;
  const deadline = AbortSignal.timeout(REPORT_BACKFILL.deadlineMs);
  // The signed loader does not cache: a page read minutes ago may lack last month's report.
  const signed = await ctx.getDocumentLoader({ identifier: deps.config.handle });
  const load: DocumentLoader = (url, options) =>
    signed(url, { signal: options?.signal ? AbortSignal.any([options.signal, deadline]) : deadline });
  const fresh = { documentLoader: load, contextLoader: ctx.contextLoader };
  const lookup = (iri: URL) => ctx.lookupObject(iri.href, fresh).catch(() => null);

  const actor = await lookup(new URL(podIri));
  if (!actor || !isActor(actor) || actor.id?.href !== podIri) return result;
  // Our pods name it `reports` (collections.ts); a pod without one has published none.
  const stream = actor.streamIds.find((iri) => iri.origin === origin && iri.pathname.endsWith(`/${REPORT_COLLECTION}`));
  if (!stream) return { ...result, complete: true };
  const collection = await lookup(stream);
  if (!(collection instanceof Collection)) return result;

  const seenPages = new Set<string>();
  const seenReports = new Set<string>();
  let page: APObject | null = collection.firstId ? null : collection;
  let next: URL | null = collection.firstId;
  for (let pages = 0; ; pages++) {
    if (!page) {
      if (!next) return { ...result, complete: true };
      // A page elsewhere, or one already read (a `next` that loops), ends the read.
      if (next.origin !== origin || seenPages.has(next.href) || pages >= REPORT_BACKFILL.pages) return stop("pages");
      seenPages.add(next.href);
      page = await lookup(next);
      if (!(page instanceof Collection)) return result;
    }
    for (const id of (page as Collection).itemIds) {
      if (seenReports.size >= REPORT_BACKFILL.reports) return stop("reports");
      if (deadline.aborted) return stop("time");
      if (seenReports.has(id.href)) continue;
      seenReports.add(id.href);
      if (id.origin !== origin) {
        result.refused++;
        continue;
      }
      if (await readReport(id)) result.stored++;
      else result.refused++;
    }
    next = page instanceof CollectionPage || page instanceof OrderedCollectionPage ? page.nextId : null;
    page = null;
  }

  function stop(bound: string): ReportBackfill {
    log.warn({ pod: podIri, bound, ...result }, "reading a pod's earlier reports stopped at a bound");
    return result;
  }

  /** One report, as its pod serves it; false when it is not a readable report of that pod. */
  async function readReport(id: URL): Promise<boolean> {
    const fetched = await load(id.href).catch(() => null);
    const document = fetched?.document as Record<string, unknown> | undefined;
    // Served from where it says it lives (not a redirect elsewhere), and small.
    if (!document || fetched?.documentUrl !== id.href) return false;
    if (JSON.stringify(document).length > REPORT_BACKFILL.reportBytes) return false;
    if (!isDeepStrictEqual(document["@context"], REPORT_CONTEXT) || document.id !== id.href) return false;
    const parsed = parseReport(document, podIri);
    const input = parsed && reportFigures(deps, podIri, parsed);
    if (!input) return false;
    await storeReport(deps, parsed, input);
    return true;
  }
}
