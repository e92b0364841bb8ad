import type { MessageQueue } from "@fedify/fedify";
import type { PodDeps } from "../federation/deps.ts";
import { followsOf } from "../follows/room.ts";
import { actorIri } from "../publishing/iris.ts";
import { SOFTWARE_NAME, SOFTWARE_VERSION } from "../version.ts";

/** A summary of the pod for operators (API and CLI alike). */
export async function podStatus(deps: PodDeps, queue: MessageQueue) {
  const { config } = deps;
  const { store } = followsOf(deps);
  return {
    software: `${SOFTWARE_NAME} ${SOFTWARE_VERSION}`,
    handle: `@${config.handle}@${config.url.host}`,
    actor: actorIri(config).href,
    followers: await store.countFollowers("accepted"),
    followRequests: await store.countFollowers("pending"),
    following: await store.countFollowing("accepted"),
    followingPending: await store.countFollowing("pending"),
    queue: (await queue.getDepth?.()) ?? null,
  };
}
