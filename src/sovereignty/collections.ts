import { Article } from "@fedify/vocab";
import { count, desc, eq } from "drizzle-orm";
import type { PodDeps, PodFederation } from "../federation/deps.ts";
import type { Report } from "./model-report.ts";
import { sovereigntyReports } from "./schema.ts";
import { reportToArticle } from "./to-as.ts";

export const REPORT_COLLECTION = "reports";

/**
 * The pod's published reports, newest month first, linked from the actor's `streams`. (Pods read a report's
 * figures from the Create or Update they are sent; Fedify compacts collection items itself, without them.)
 */
export function registerReportCollection(federation: PodFederation, { db, config }: PodDeps): void {
  const published = eq(sovereigntyReports.status, "published");
  federation
    .setOrderedCollectionDispatcher(
      REPORT_COLLECTION,
      Article,
      `/users/{identifier}/${REPORT_COLLECTION}`,
      (ctx, values) => {
        if (values.identifier !== config.handle) return null;
        const rows = db
          .select()
          .from(sovereigntyReports)
          .where(published)
          .orderBy(desc(sovereigntyReports.month))
          .limit(120)
          .all() as Report[];
        return { items: rows.map((row) => reportToArticle(ctx, config, row)) };
      },
    )
    .setCounter((_ctx, values) =>
      values.identifier === config.handle
        ? (db.select({ n: count() }).from(sovereigntyReports).where(published).get()?.n ?? 0)
        : null,
    );
}
