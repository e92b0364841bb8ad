import type { Context, InboxContext } from "@fedify/fedify";
import { Accept, Follow, Reject, Undo, isActor, type Actor, type Recipient } from "@fedify/vocab";
import { uuidv7 } from "uuidv7";
import type { EventDispatcher } from "../events/dispatcher.ts";
import type { PodDeps, PodFederation } from "../federation/deps.ts";
import { inboxRefusal } from "../federation/public-address.ts";
import { conflict, notFound, ProblemError } from "../http/problem.ts";
import { followerKind } from "./classify.ts";
import { resolveActor } from "./resolve.ts";
import { roomsOf } from "../db/room-db.ts";
import { FOLLOW_SENT, FOLLOW_UNDONE, FOLLOWER_ANSWERED, followChanges } from "./changes.ts";
import { followsOf } from "./room.ts";
import type * as follows from "./store.ts";
import type { FollowsStore } from "./store.ts";

const PAGE_SIZE = 50;

/**
 * A remote actor reduced to the public addresses the pod keeps, or why it cannot be kept: its inbox and
 * shared inbox must be on its own host and, in production, not internal addresses (see inboxRefusal).
 */
export function addressOf(
  actor: Actor,
  allowPrivateAddress: boolean,
): follows.RemoteActorAddress | { refused: string } {
  const actorIri = actor.id!.href;
  const inbox = actor.inboxId!.href;
  const sharedInbox = actor.endpoints?.sharedInbox?.href ?? null;
  for (const [field, url] of [
    ["inbox", inbox],
    ["sharedInbox", sharedInbox],
  ] as const) {
    const refusal = url === null ? null : inboxRefusal(actorIri, url, allowPrivateAddress);
    if (refusal) return { refused: `${field} ${url} is ${refusal}` };
  }
  return {
    actorIri,
    handle: actor.preferredUsername ? `@${actor.preferredUsername}@${actor.id!.host}` : null,
    inbox,
    sharedInbox,
  };
}

/** A stored row as something Fedify can deliver to, without fetching the actor again. */
export function recipientOf(row: { actorIri: string; inbox: string; sharedInbox: string | null }): Recipient {
  return {
    id: new URL(row.actorIri),
    inboxId: new URL(row.inbox),
    endpoints: row.sharedInbox ? { sharedInbox: new URL(row.sharedInbox) } : null,
  };
}

/** Registers the followers/following collections (paged, FEP-8fcf filter aware). */
export function registerFollowCollections(federation: PodFederation, deps: PodDeps): void {
  const { config } = deps;
  const { store } = followsOf(deps);
  federation
    .setFollowersDispatcher("/users/{identifier}/followers", async (_ctx, identifier, cursor, filter) => {
      if (identifier !== config.handle) return null;
      // Fedify asks with no cursor when it sends to "followers": that is the whole collection, not a page.
      if (cursor === null) {
        return { items: (await store.listFollowers("accepted", {}, filter?.href)).map(recipientOf) };
      }
      const rows = await store.listFollowers(
        "accepted",
        { after: cursor || undefined, limit: PAGE_SIZE },
        filter?.href,
      );
      return {
        items: rows.map(recipientOf),
        nextCursor: rows.length === PAGE_SIZE ? rows.at(-1)!.actorIri : null,
      };
    })
    .setCounter((_ctx, identifier) => (identifier === config.handle ? store.countFollowers() : null))
    .setFirstCursor(() => "");

  federation
    .setFollowingDispatcher("/users/{identifier}/following", async (_ctx, identifier, cursor) => {
      if (identifier !== config.handle) return null;
      const rows = await store.listFollowing({ after: cursor || undefined, limit: PAGE_SIZE }, "accepted");
      return {
        items: rows.map((row) => new URL(row.actorIri)),
        nextCursor: rows.length === PAGE_SIZE ? rows.at(-1)!.actorIri : null,
      };
    })
    .setCounter((_ctx, identifier) => (identifier === config.handle ? store.countFollowing() : null))
    .setFirstCursor(() => "");
}

/** What other rooms do when a follow of ours is answered or ends (the confederal view fills and empties). */
export interface FollowHooks {
  accepted(actorIri: string): void;
  /** Awaited: the view is empty of the pod once the unfollow (or the Reject) is handled. */
  left(actorIri: string): void | Promise<void>;
}

/** Inbox handlers for the follow handshake, in both directions. */
export function followInboxHandlers(
  deps: PodDeps,
  hooks: FollowHooks,
  followed: (ctx: Context<null>, actor: Actor, state: follows.Follower["state"]) => Promise<void>,
  events: EventDispatcher,
  refuses: (iri: string) => boolean,
) {
  const { config, log } = deps;
  const copy = followsOf(deps);
  const { store } = copy;
  const changes = followChanges(roomsOf(deps), events, () => deps.now());
  const self = (ctx: Context<null>) => ctx.getActorUri(config.handle);

  return {
    async onFollow(ctx: InboxContext<null>, follow: Follow): Promise<void> {
      if (!follow.id || follow.objectId?.href !== self(ctx).href) return;
      const actor = await follow.getActor(ctx);
      if (!actor || !isActor(actor) || !actor.id || !actor.inboxId || actor.id.href !== follow.actorId?.href) {
        log.info({ follow: follow.id.href }, "follow refused: its actor could not be fetched");
        return;
      }
      const address = addressOf(actor, config.allowPrivateAddress);
      if ("refused" in address) {
        log.info({ follow: follow.id.href, reason: address.refused }, "follow refused: its inbox is not deliverable");
        return;
      }
      // Asked again once the actor is fetched: a block made meanwhile must not gain a follower.
      if (refuses(address.actorIri) || refuses(address.inbox)) {
        log.info({ follow: follow.id.href }, "follow refused: its server or account is blocked");
        return;
      }
      const state = config.approveFollowers ? "pending" : "accepted";
      const followIri = follow.id.href;
      const kind = followerKind(actor);
      // The follower and the Accept it is owed commit together (the event dispatcher sends the Accept).
      const { row, created } = await changes.followerAsked(address, followIri, state, kind);
      copy.followersChanged();
      await events.settle();
      // A repeated Follow (servers re-send them) is answered again but told to the operator once.
      if (created) await followed(ctx, actor, row.state);
      log.info({ actor: row.actorIri, state: row.state }, "follow received");
    },

    async onUndo(ctx: InboxContext<null>, undo: Undo): Promise<void> {
      const object = await undo.getObject({ ...ctx, crossOrigin: "trust" });
      if (!(object instanceof Follow)) return;
      if (!undo.actorId || object.actorId?.href !== undo.actorId.href) return;
      if (object.objectId && object.objectId.href !== self(ctx).href) return;
      if (await store.removeFollower(undo.actorId.href)) {
        copy.followersChanged();
        log.info({ actor: undo.actorId.href }, "follower left");
      }
    },

    onAccept(_ctx: InboxContext<null>, accept: Accept): Promise<void> {
      return answered(accept, "accepted");
    },

    onReject(_ctx: InboxContext<null>, reject: Reject): Promise<void> {
      return answered(reject, "rejected");
    },
  };

  /** The answering actor must be the one we asked; the object, when named, must be our Follow. */
  async function answered(activity: Accept | Reject, state: "accepted" | "rejected"): Promise<void> {
    const actorIri = activity.actorId?.href;
    if (!actorIri) return;
    // Each answer starts work (reading the pod's collections): an answer that changes nothing starts none, and
    // of two copies of one Accept handled at once only one changes the row.
    const changed = await store.answerFollowing(actorIri, state, deps.now(), activity.objectId?.href);
    if (!changed) return;
    copy.followingChanged();
    log.info({ actor: actorIri, state }, "follow answered");
    if (state === "accepted") hooks.accepted(actorIri);
    else await hooks.left(actorIri);
  }
}

async function answerFollow(
  ctx: Context<null>,
  identifier: string,
  row: follows.Follower,
  Answer: typeof Accept | typeof Reject,
): Promise<void> {
  const me = ctx.getActorUri(identifier);
  const follow = new Follow({ id: new URL(row.followIri), actor: new URL(row.actorIri), object: me });
  const kind = Answer === Accept ? "accept" : "reject";
  await ctx.sendActivity(
    { identifier },
    recipientOf(row),
    new Answer({ id: new URL(`#${kind}/${uuidv7()}`, me), actor: me, object: follow }),
    { orderingKey: row.actorIri },
  );
}

/** What the operator does: follow, unfollow, approve and reject follow requests. */
export function followActions(
  deps: PodDeps,
  contextFor: () => Context<null>,
  hooks: FollowHooks,
  events: EventDispatcher,
) {
  const { config, log } = deps;
  const copy = followsOf(deps);
  const { store } = copy;
  const changes = followChanges(roomsOf(deps), events, () => deps.now());
  const sender = { identifier: config.handle };

  // Each change commits with the event that sends its activity (run by the event dispatcher).
  const notPending = (actorIri: string) => notPendingOf(store, actorIri);

  events.on(FOLLOW_SENT, async ({ row }: { row: follows.Followed }) => {
    const ctx = contextFor();
    const me = ctx.getActorUri(config.handle);
    const follow = new Follow({ id: new URL(row.followIri), actor: me, object: new URL(row.actorIri) });
    await ctx.sendActivity(sender, recipientOf(row), follow, { orderingKey: row.actorIri });
  });
  events.on(FOLLOW_UNDONE, async ({ row }: { row: follows.Followed }, event) => {
    const ctx = contextFor();
    const me = ctx.getActorUri(config.handle);
    const follow = new Follow({ id: new URL(row.followIri), actor: me, object: new URL(row.actorIri) });
    const undo = new Undo({ id: new URL(`#undo/${event.id}`, row.followIri), actor: me, object: follow });
    await ctx.sendActivity(sender, recipientOf(row), undo, { orderingKey: row.actorIri });
  });
  events.on(FOLLOWER_ANSWERED, async ({ row, accepted }: { row: follows.Follower; accepted: boolean }) => {
    await answerFollow(contextFor(), config.handle, row, accepted ? Accept : Reject);
  });

  return {
    async follow(target: string): Promise<follows.Followed> {
      const ctx = contextFor();
      const actor = await resolveActor(ctx, config, target);
      const existing = await store.getFollowing(actor.id!.href);
      if (existing?.state === "accepted") return existing;
      const address = addressOf(actor, config.allowPrivateAddress);
      if ("refused" in address) {
        throw new ProblemError({
          status: 422,
          title: "Unprocessable Content",
          detail: `${target}: ${address.refused}`,
          field: "target",
        });
      }
      const me = ctx.getActorUri(config.handle);
      const followIri = new URL(`/follows/${uuidv7()}`, me).href;
      const row = await changes.follow(address, followIri);
      copy.followingChanged();
      await copy.refresh();
      await events.settle();
      log.info({ actor: row.actorIri }, "follow sent");
      return row;
    },

    async unfollow(target: string): Promise<follows.Followed> {
      const found =
        (await store.getFollowing(target)) ??
        (await store.findFollowingByHandle(target.startsWith("@") ? target : `@${target}`));
      if (!found) throw notFound(`this pod does not follow ${target}`);
      // Of two unfollows at once, the one that removed the row sends the Undo; the other finds it gone.
      const row = await changes.unfollow(found.actorIri);
      if (!row) throw notFound(`this pod does not follow ${target}`);
      copy.followingChanged();
      await copy.refresh();
      await hooks.left(row.actorIri);
      await events.settle();
      log.info({ actor: row.actorIri }, "unfollowed");
      return row;
    },

    async approve(actorIri: string): Promise<follows.Follower> {
      const accepted = await changes.approve(actorIri);
      if (!accepted) throw await notPending(actorIri);
      copy.followersChanged();
      await copy.refresh();
      await events.settle();
      return accepted;
    },

    async reject(actorIri: string): Promise<follows.Follower> {
      const row = await changes.reject(actorIri);
      if (!row) throw await notPending(actorIri);
      copy.followersChanged();
      await copy.refresh();
      await events.settle();
      return row;
    },
  };
}

export type FollowActions = ReturnType<typeof followActions>;

/** Why a request could not be answered: there is none (404), or it was already accepted (409). */
async function notPendingOf(store: FollowsStore, actorIri: string): Promise<ProblemError> {
  const row = await store.getFollower(actorIri);
  return row ? conflict(`${actorIri} is already a follower`) : notFound(`no follow request from ${actorIri}`);
}
