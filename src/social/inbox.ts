import type { Context } from "@fedify/fedify";
import {
  type Announce,
  Article,
  Create,
  Like,
  OrderedCollection,
  OrderedCollectionPage,
  type Undo,
  isActor,
  type Actor,
  type Object as APObject,
  type Update,
} from "@fedify/vocab";
import { kindOf } from "../confederation/from-as.ts";
import type { PodDeps } from "../federation/deps.ts";
import type { Refusal } from "../federation/refusal.ts";
import { belongsTo } from "../federation/iri.ts";
import { actorToProfile, isPost, objectToPost, type Account, type Status } from "./activitypub.ts";
import { socialStore } from "./store.ts";
import { sharedGroupedWrites } from "../db/grouped-writes.ts";
import { roomsOf, type RoomQueries } from "../db/room-db.ts";
import { followsOf } from "../follows/room.ts";

const REFRESH_MS = 24 * 60 * 60 * 1000;
/** How many of a newly followed actor's latest posts are read. */
const BACKFILL_POSTS = 20;

/**
 * What Mastodon-compatible servers send that is not the confederal view: posts (replies to the pod's
 * posts, mentions of the pod, posts of actors it follows), likes and boosts, profile updates.
 * Signatures are verified before any of this runs.
 */
export function socialInbox(deps: PodDeps, refusal: Refusal) {
  const { log } = deps;
  const rooms = roomsOf(deps);
  const store = socialStore(rooms);
  const commitGrouped = sharedGroupedWrites(rooms);
  /** A remote account's profile is fetched again after a day. */
  const isFresh = (account: Account) =>
    account.local || Date.parse(account.fetchedAt) > deps.now().getTime() - REFRESH_MS;

  /** The account row for an actor: fetched when unknown or a day old; null when it cannot be fetched. */
  async function rememberActor(ctx: Context<null>, actorOrIri: Actor | URL): Promise<Account | null> {
    const iri = actorOrIri instanceof URL ? actorOrIri : actorOrIri.id;
    if (!iri || refusal.refuses(iri.href)) return null;
    const known = await store.accountByIri(iri.href);
    if (known && isFresh(known)) return known;
    const actor = actorOrIri instanceof URL ? await ctx.lookupObject(iri.href).catch(() => null) : actorOrIri;
    if (!actor || !isActor(actor) || actor.id?.href !== iri.href) return known ?? null;
    const profile = await actorToProfile(actor, ctx);
    return store.upsertAccount(profile, deps.now());
  }

  /**
   * Whether `account` may hold the post `iri`: nobody else does (undefined), or another account took the id
   * first and the post's own id, fetched, names this account's actor as its author (that account's id, whose
   * copy goes in the write that stores this one); false when it may not.
   */
  async function claimFrom(ctx: Context<null>, iri: string, account: Account): Promise<string | undefined | false> {
    const held = await store.statusByIri(iri);
    if (!held || held.accountId === account.id) return undefined;
    return (await namesAsAuthor(ctx, iri, account)) && held.accountId;
  }

  /** Within a post's write, before it is stored: the copy of the account a claim was settled against goes. */
  async function takeFrom(db: RoomQueries, iri: string, holderId: string | null | undefined, account: Account) {
    if (holderId && (await store.within.deleteStatus(db, iri, holderId)))
      log.info({ post: iri, to: account.iri }, "post reclaimed by the actor its id names");
  }

  /** Whether the post `iri`, fetched from its server, names `account`'s actor as its author. */
  async function namesAsAuthor(ctx: Context<null>, iri: string, account: Account): Promise<boolean> {
    const fetched = await ctx.lookupObject(iri).catch(() => null);
    return !!fetched && fetched.id?.href === iri && fetched.attributionId?.href === account.iri;
  }

  const localPost = (ctx: Context<null>, iri: URL | null) =>
    iri && iri.origin === ctx.origin ? store.localReplyTarget(iri.href) : undefined;

  return {
    rememberActor,

    /**
     * A Create or Update of a post. Kept when it concerns the pod; the pod is told of replies and mentions.
     * `senderFollowed`: the follow as the inbox's concern check read it for this delivery (else read here).
     * `alongside` (the inbox record) is written in the post's commit, or alone when the post is not kept.
     */
    async onPost(
      ctx: Context<null>,
      activity: Create | Update,
      object: APObject,
      senderFollowed?: boolean,
      alongside?: (db: RoomQueries) => Promise<unknown>,
    ) {
      const notKept = async () => {
        if (alongside) await commitGrouped(alongside);
      };
      // The sender must be the author (as Mastodon requires): nobody else may claim a post's id.
      if (!isPost(object) || !activity.actorId || !belongsTo(activity.actorId, object.id, object.attributionId))
        return notKept();
      // A pod's charter Article is structure for the confederal view; its companion Note is the post people read.
      if ((await kindOf(object)) === "charter") return notKept();
      const post = await objectToPost(object, ctx);
      const replyTarget = await localPost(ctx, object.replyTargetId);
      if (replyTarget) post.inReplyToIri = replyTarget.iri;
      const me = ctx.getActorUri(deps.config.handle).href;
      const mentionsPod = post.mentions.includes(me);
      const followed = senderFollowed ?? (await followsOf(deps).followsAccepted(activity.actorId.href));
      if (!followed && !replyTarget && !mentionsPod && !(await store.statusByIri(post.iri))) return notKept();
      const actorIri = activity.actorId.href;
      if (refusal.refuses(actorIri)) return notKept();
      const kind = object instanceof Article ? "practice" : "note";
      // The author's row and whether another account holds the post are read inside the write (a read of its own
      // cost more than the insert). Only an author to fetch, or a claim to settle (a fetch), leaves the write;
      // then it is tried again, and a settled claim takes the other account's copy away in the same write.
      let fetchedAuthor: Account | undefined;
      let claimedFrom: string | undefined;
      for (;;) {
        // Posts arriving together share one commit (group commit), which settles before this returns.
        const stored = await commitGrouped(async (db) => {
          const author = fetchedAuthor ?? (await store.within.accountByIri(db, actorIri));
          // An author fetched for this post counts even if the fetch failed and its row is a day old, as before.
          if (!author || (!fetchedAuthor && !isFresh(author))) return { next: "fetch author" } as const;
          // Blocked while this post was being read (its author fetched, its id checked): nothing of it is kept.
          if (refusal.refuses(author.iri) || refusal.refuses(post.iri)) {
            if (alongside) await alongside(db);
            return { next: "refused", author } as const;
          }
          await takeFrom(db, post.iri, claimedFrom, author);
          const result = await store.within.upsertStatus(db, author, kind, post);
          if (!result) {
            const held = await store.within.statusByIri(db, post.iri);
            if (held && held.accountId !== author.id)
              return { next: "claim", author, holderId: held.accountId } as const;
          }
          if (alongside) await alongside(db);
          if (result && (replyTarget || mentionsPod)) await store.within.notifyOfNewPost(db, result, deps.now());
          return { next: "done", result } as const;
        });
        if (stored.next === "fetch author") {
          const fetched = fetchedAuthor ? null : await rememberActor(ctx, activity.actorId);
          if (!fetched) return notKept();
          fetchedAuthor = fetched;
        } else if (stored.next === "claim") {
          const { author, holderId } = stored;
          if (claimedFrom || !(await namesAsAuthor(ctx, post.iri, author))) return notKept();
          claimedFrom = holderId;
        } else if (stored.next === "refused") {
          return log.info({ post: post.iri, actor: stored.author.iri }, "refused a post from a blocked account");
        } else {
          if (stored.result) log.debug({ post: post.iri, created: stored.result.created }, "post received");
          return;
        }
      }
    },

    /**
     * A post looked up on purpose (search with resolve): kept whoever wrote it, when its id and author share a host.
     */
    async rememberPost(ctx: Context<null>, object: APObject): Promise<Status | null> {
      if (!isPost(object) || !object.id || !belongsTo(object.attributionId, object.id, object.attributionId))
        return null;
      const account = await rememberActor(ctx, object.attributionId!);
      const holderId = account && (await claimFrom(ctx, object.id.href, account));
      if (!account || holderId === false) return null;
      const post = await objectToPost(object, ctx);
      const replyTarget = await localPost(ctx, object.replyTargetId);
      if (replyTarget) post.inReplyToIri = replyTarget.iri;
      // Checked again just before the write: a block made while this post was being read keeps it out.
      if (refusal.refuses(account.iri) || refusal.refuses(post.iri)) return null;
      const kind = object instanceof Article ? "practice" : "note";
      return rooms.write(async (db) => {
        await takeFrom(db, post.iri, holderId, account);
        const stored = await store.within.upsertStatus(db, account, kind, post);
        return stored?.status ?? (await store.within.statusByIri(db, post.iri)) ?? null;
      });
    },

    /**
     * A follow of ours was accepted: the actor's latest public posts (the first page of its outbox, each
     * fetched from its id so deleted ones stay out) fill the home timeline at once.
     */
    async backfillPosts(ctx: Context<null>, actorIri: string): Promise<number> {
      const actor = await ctx.lookupObject(actorIri).catch(() => null);
      if (!actor || !isActor(actor)) return 0;
      const outbox = await actor.getOutbox(ctx).catch(() => null);
      const first = outbox instanceof OrderedCollection ? await outbox.getFirst(ctx).catch(() => null) : null;
      let kept = 0;
      let read = 0;
      if (!(first instanceof OrderedCollectionPage)) return 0;
      for await (const item of first.getItems(ctx)) {
        if (++read > BACKFILL_POSTS) break;
        if (!(item instanceof Create) || !item.objectId || item.objectId.host !== new URL(actorIri).host) continue;
        const object = await ctx.lookupObject(item.objectId.href).catch(() => null);
        if (object && object.attributionId?.href === actorIri && (await this.rememberPost(ctx, object))) kept++;
      }
      return kept;
    },

    /** Delete of a post by its author (only the account that holds it loses it; a late Create stays out). */
    async onDeletePost(actorIri: URL, objectIri: URL): Promise<boolean> {
      const account = await store.accountByIri(actorIri.href);
      return account ? store.deletePostOfAuthor(objectIri.href, account, deps.now()) : false;
    },

    /** The actor deleted itself: its account, posts, likes, boosts and notifications go. */
    onActorDeleted(actorIri: URL): Promise<boolean> {
      return store.removeAccount(actorIri.href);
    },

    /** Update of an actor we know: its profile is refreshed. */
    async onActorUpdated(ctx: Context<null>, actor: Actor): Promise<void> {
      if (!actor.id || !(await store.accountByIri(actor.id.href))) return;
      const profile = await actorToProfile(actor, ctx);
      await store.upsertAccount(profile, deps.now());
    },

    /** A like or boost of one of the pod's posts. Returns false when the object is not the pod's. */
    async onReaction(ctx: Context<null>, activity: Like | Announce): Promise<boolean> {
      const target = await localPost(ctx, activity.objectId);
      if (!target || !activity.id || !activity.actorId) return false;
      const account = await rememberActor(ctx, activity.actorId);
      if (!account) return true;
      const kind = activity instanceof Like ? "favourite" : "reblog";
      await store.react(target.id, account.id, kind, activity.id.href, deps.now());
      return true;
    },

    /** Undo of a like or boost. */
    async onUndoReaction(undo: Undo): Promise<boolean> {
      if (!undo.actorId || !undo.objectId) return false;
      const account = await store.accountByIri(undo.actorId.href);
      return account ? store.removeReaction(undo.objectId.href, account.id) : false;
    },

    /** Someone followed the pod (or asked to): the operator is told. */
    async onFollowed(ctx: Context<null>, actor: Actor, state: "pending" | "accepted"): Promise<void> {
      const account = await rememberActor(ctx, actor);
      if (account) await store.notify(state === "pending" ? "follow_request" : "follow", account.id, null, deps.now());
    },
  };
}

export type SocialInbox = ReturnType<typeof socialInbox>;
