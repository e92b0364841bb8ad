import { Article } from "@fedify/vocab";
import { roomsOf } from "../db/room-db.ts";
import type { PodDeps, PodFederation } from "../federation/deps.ts";
import { reportsStore } from "./store-reports.ts";
import { reportToArticle } from "./to-as.ts";

export const REPORT_COLLECTION = "reports";

/**
 * The pod's published reports, newest month first, linked from the actor's `streams`. (Pods read a report's
 * figures from the Create or Update they are sent; Fedify compacts collection items itself, without them.)
 */
export function registerReportCollection(federation: PodFederation, deps: PodDeps): void {
  const { config } = deps;
  const reports = reportsStore(roomsOf(deps));
  federation
    .setOrderedCollectionDispatcher(
      REPORT_COLLECTION,
      Article,
      `/users/{identifier}/${REPORT_COLLECTION}`,
      async (ctx, values) => {
        if (values.identifier !== config.handle) return null;
        const rows = await reports.published(120);
        return { items: rows.map((row) => reportToArticle(ctx, config, row)) };
      },
    )
    .setCounter((_ctx, values) => (values.identifier === config.handle ? reports.publishedCount() : null));
}
