import type { Context } from "@fedify/fedify";
import { Create, Delete, Update, type Activity } from "@fedify/vocab";
import type { PodDeps } from "../federation/deps.ts";
import { isPost, objectToPost, type Status } from "./activitypub.ts";
import { roomsOf } from "../db/room-db.ts";
import { socialStore } from "./store.ts";

/** Which pod object a local post is the readable side of, by where it lives. */
function kindAt(iri: URL, type: string): Status["kind"] | null {
  const [first] = iri.pathname.split("/").filter(Boolean);
  if (first === "offers") return "offer";
  if (first === "needs") return "need";
  // The charter's and practices' Articles are structure for pods; their companion Notes are what people read.
  if (first === "practices") return type === "Note" ? "practice" : null;
  if (first === "charter") return type === "Note" ? "charter" : null;
  // Public memory entries (decisions, workflows, lessons) read like practices: an Article and its Note.
  if (first === "memory") return type === "Note" ? "practice" : null;
  // Monthly sovereignty reports too (the Article carries the figures for pods).
  if (first === "reports") return type === "Note" ? "practice" : null;
  // Notes written in apps (/notes/…) are stored by the posting service before they are sent.
  return null;
}

/**
 * Keeps the pod's own statuses in step with what it federates: every Create/Update of the readable Note
 * of an offer, need, charter or practice, becomes the pod's status; a Delete removes it.
 * Called for every activity the pod sends to its followers.
 */
export async function projectPublished(ctx: Context<null>, deps: PodDeps, activity: Activity): Promise<void> {
  const { config } = deps;
  const store = socialStore(roomsOf(deps));
  if (activity instanceof Delete) {
    if (activity.objectId) await store.deleteStatus(activity.objectId.href);
    return;
  }
  if (!(activity instanceof Create || activity instanceof Update)) return;
  const object = await activity.getObject(ctx).catch(() => null);
  if (!object?.id || !isPost(object) || object.id.origin !== config.url.origin) return;
  const kind = kindAt(object.id, object.constructor.name);
  if (!kind) return;
  const me = await store.accountByIri(ctx.getActorUri(config.handle).href);
  if (!me) return;
  const post = await objectToPost(object, ctx);
  await store.upsertStatus(me, kind, post);
}
