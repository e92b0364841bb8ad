import type { InboxContext } from "@fedify/fedify";
import { Tombstone, type Activity } from "@fedify/vocab";
import type { PodDeps } from "../federation/deps.ts";
import { getFollowing } from "../follows/service.ts";
import { receivedActivities } from "./schema.ts";

/** Records each verified Create/Update/Delete/Announce once (the same activity twice changes nothing). */
export function recordReceived(deps: PodDeps) {
  const { db, log } = deps;
  return async (ctx: InboxContext<null>, activity: Activity): Promise<void> => {
    if (!activity.id || !activity.actorId) return;
    const object = await activity.getObject({ ...ctx, crossOrigin: "trust" }).catch(() => null);
    const objectType = object ? (object instanceof Tombstone ? "Tombstone" : object.constructor.name) : null;
    const followed = getFollowing(db, activity.actorId.href)?.state === "accepted";
    const inserted = db
      .insert(receivedActivities)
      .values({
        activityIri: activity.id.href,
        type: activity.constructor.name,
        actorIri: activity.actorId.href,
        objectIri: activity.objectId?.href ?? null,
        objectType,
        fromFollowed: followed,
        receivedAt: deps.now().toISOString(),
      })
      .onConflictDoNothing()
      .run();
    if (inserted.changes > 0) {
      log.info({ type: activity.constructor.name, objectType, actor: activity.actorId.href }, "activity received");
    }
  };
}
