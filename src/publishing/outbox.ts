import { count, desc, lt } from "drizzle-orm";
import { Activity, PUBLIC_COLLECTION } from "@fedify/vocab";
import type { Db } from "../db/client.ts";
import type { PodDeps, PodFederation } from "../federation/deps.ts";
import { outboxActivities } from "./schema.ts";

const PAGE_SIZE = 20;

/** Records a public or unlisted activity; followers-only and direct posts never appear in the outbox. */
export async function recordInOutbox(db: Db, activity: Activity, at: Date): Promise<void> {
  if (![...activity.toIds, ...activity.ccIds].some((iri) => iri.href === PUBLIC_COLLECTION.href)) return;
  db.insert(outboxActivities)
    .values({
      iri: activity.id!.href,
      type: activity.constructor.name,
      objectIri: activity.objectId?.href ?? "",
      json: JSON.stringify(await activity.toJsonLd()),
      publishedAt: at.toISOString(),
    })
    .onConflictDoNothing()
    .run();
}

/** The outbox: what the pod federated, newest first, paged by publication time. */
export function registerOutbox(federation: PodFederation, { db, config }: PodDeps): void {
  federation
    .setOutboxDispatcher("/users/{identifier}/outbox", async (_ctx, identifier, cursor) => {
      if (identifier !== config.handle) return null;
      const rows = db
        .select()
        .from(outboxActivities)
        .where(cursor ? lt(outboxActivities.seq, Number(cursor)) : undefined)
        .orderBy(desc(outboxActivities.seq))
        .limit(PAGE_SIZE)
        .all();
      const items = await Promise.all(rows.map((row) => Activity.fromJsonLd(JSON.parse(row.json))));
      return { items, nextCursor: rows.length === PAGE_SIZE ? String(rows.at(-1)!.seq) : null };
    })
    .setCounter((_ctx, identifier) =>
      identifier === config.handle ? (db.select({ n: count() }).from(outboxActivities).get()?.n ?? 0) : null,
    )
    .setFirstCursor(() => "");
}
