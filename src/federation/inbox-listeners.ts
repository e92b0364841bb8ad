import {
  Accept,
  Announce,
  Create,
  Delete,
  Flag,
  Follow,
  Invite,
  Leave,
  Like,
  Reject,
  TentativeAccept,
  Undo,
  Update,
  isActor,
} from "@fedify/vocab";
import type { Activity } from "@fedify/vocab";
import { followInboxHandlers, type FollowHooks } from "../follows/federation.ts";
import type { EventDispatcher } from "../events/dispatcher.ts";
import type { PodServices } from "../services.ts";
import type { PodDeps, PodFederation } from "./deps.ts";
import { htmlToText } from "../web/sanitize.ts";
import { guardedListener } from "./inbox-scope.ts";

/** The inbox router: each kind of activity to the rooms that take it, each behind the signer check and fetch budget. */
export function registerInboxListeners(
  federation: PodFederation,
  deps: PodDeps,
  services: PodServices,
  followHooks: FollowHooks,
  events: EventDispatcher,
): void {
  const { config, log } = deps;
  const follows = followInboxHandlers(
    deps,
    followHooks,
    services.social.inbox.onFollowed,
    events,
    services.moderation.refuses,
  );
  const view = services.confederation.inbox;
  const social = services.social.inbox;
  const assemblies = services.assemblies.inbox;
  const { ratification, minutes } = services.assemblyOutcomes;
  const refused = (reason: string, activity: Activity) => {
    const actors = activity.actorIds.map((iri) => iri.href);
    log.info({ activity: activity.id?.href, actors, reason }, "inbox activity refused");
  };
  federation
    .setInboxListeners("/users/{identifier}/inbox", "/inbox")
    .setSharedKeyDispatcher(() => ({ identifier: config.handle }))
    .on(Follow, guardedListener(follows.onFollow, refused))
    .on(
      Undo,
      guardedListener(async (ctx, undo: Undo) => {
        if (!(await social.onUndoReaction(undo))) await follows.onUndo(ctx, undo);
      }, refused),
    )
    // An answer whose object is one of our assembly Invites (or Events) is the assemblies room's; others, follows'.
    .on(
      Accept,
      guardedListener(
        async (ctx, accept: Accept) =>
          (await assemblies.onAnswer(accept)) ||
          (await ratification.inbox.onRatification(accept)) ||
          follows.onAccept(ctx, accept),
        refused,
      ),
    )
    .on(
      Reject,
      guardedListener(
        async (ctx, reject: Reject) =>
          (await assemblies.onAnswer(reject)) ||
          (await ratification.inbox.onRatification(reject)) ||
          follows.onReject(ctx, reject),
        refused,
      ),
    )
    .on(
      TentativeAccept,
      guardedListener((_ctx, answer: TentativeAccept) => assemblies.onAnswer(answer), refused),
    )
    .on(
      Leave,
      guardedListener((_ctx, leave: Leave) => assemblies.onAnswer(leave), refused),
    )
    .on(Invite, guardedListener(assemblies.onInvite, refused))
    .on(
      Create,
      guardedListener(async (ctx, create: Create) => {
        if ((await assemblies.onCreate(ctx, create)) || (await minutes.inbox.onCreate(ctx, create))) return;
        await view.onCreate(ctx, create);
        const object = await create.getObject(ctx).catch(() => null);
        if (object) await social.onPost(ctx, create, object);
      }, refused),
    )
    .on(
      Update,
      guardedListener(async (ctx, update: Update) => {
        if (await services.assemblyBarter.inbox.onUpdate(ctx, update)) return;
        await view.onUpdate(ctx, update);
        const object = await update.getObject(ctx).catch(() => null);
        if (object && isActor(object) && object.id?.href === update.actorId?.href) {
          await social.onActorUpdated(ctx, object);
        } else if (object) await social.onPost(ctx, update, object);
      }, refused),
    )
    .on(
      Delete,
      guardedListener(async (ctx, del: Delete) => {
        await view.onDelete(ctx, del);
        if (!del.actorId || !del.objectId) return;
        if (del.objectId.href === del.actorId.href) await social.onActorDeleted(del.actorId);
        else await social.onDeletePost(del.actorId, del.objectId);
      }, refused),
    )
    .on(
      Like,
      guardedListener(async (ctx, like: Like) => {
        await social.onReaction(ctx, like);
      }, refused),
    )
    .on(
      Announce,
      guardedListener(async (ctx, announce: Announce) => {
        if (await ratification.inbox.onAnnounce(ctx, announce)) return;
        if (await assemblies.onAnnounce(ctx, announce)) return;
        if (!(await social.onReaction(ctx, announce))) await view.onAnnounce(ctx, announce);
      }, refused),
    )
    .on(
      Flag,
      guardedListener(async (_ctx, flag: Flag) => {
        if (!flag.id || !flag.actorId) return;
        await services.moderation.receiveReport({
          activityIri: flag.id.href,
          actorIri: flag.actorId.href,
          objects: flag.objectIds.map((iri) => iri.href),
          comment: htmlToText(String(flag.content ?? "")),
        });
      }, refused),
    )
    .onError((_ctx, error) => {
      log.warn({ err: error }, "inbox activity failed");
    });
}
