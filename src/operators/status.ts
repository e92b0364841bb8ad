import type { MessageQueue } from "@fedify/fedify";
import type { PodDeps } from "../federation/deps.ts";
import { countFollowers, countFollowing } from "../follows/service.ts";
import { actorIri } from "../publishing/iris.ts";
import { SOFTWARE_NAME, SOFTWARE_VERSION } from "../version.ts";

/** A summary of the pod for operators (API and CLI alike). */
export async function podStatus({ config, db }: PodDeps, queue: MessageQueue) {
  return {
    software: `${SOFTWARE_NAME} ${SOFTWARE_VERSION}`,
    handle: `@${config.handle}@${config.url.host}`,
    actor: actorIri(config).href,
    followers: countFollowers(db, "accepted"),
    followRequests: countFollowers(db, "pending"),
    following: countFollowing(db, "accepted"),
    followingPending: countFollowing(db, "pending"),
    queue: (await queue.getDepth?.()) ?? null,
  };
}
