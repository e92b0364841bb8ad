import type { Context, InboxContext } from "@fedify/fedify";
import {
  type Announce,
  type Create,
  type Delete,
  Tombstone,
  Update,
  isActor,
  type Activity,
  type Object as APObject,
} from "@fedify/vocab";
import { sharedGroupedWrites } from "../db/grouped-writes.ts";
import { roomsOf } from "../db/room-db.ts";
import type { PodDeps } from "../federation/deps.ts";
import type { Refusal } from "../federation/refusal.ts";
import { belongsTo, sameOrigin } from "../federation/iri.ts";
import { followsOf } from "../follows/room.ts";
import { isGone } from "./backfill.ts";
import {
  InvalidObjectError,
  kindOf,
  proposalKind,
  proposalRecord,
  toViewRecord,
  type ProposalFields,
  type ViewRecord,
} from "./from-as.ts";
import type { RelayActions } from "./relay.ts";
import { projectNeighborObject, removeNeighborPost } from "../social/neighbor-posts.ts";
import type { RoomQueries } from "../db/room-db.ts";
import { type Receipt, viewStore } from "./store.ts";

export type { Receipt };

/** The ids an object is judged by before it is read: its own and its author's. */
interface ObjectIds {
  iri: string | null;
  attributedTo: string | null;
}

/**
 * The federation inbox's side of the confederal view: verified activities from neighbor pods become
 * view rows. Fedify (or the fast path, fast-inbox.ts) has checked the signature before any of this runs.
 */
export function confederationInbox(
  deps: PodDeps,
  relay: RelayActions,
  contextFor: () => Context<null>,
  refusal: Refusal,
) {
  const { log } = deps;
  /** Whether the pod follows the sender, when the concern check did not say (the follows copy, in memory). */
  const followed = async (actorIri: string) => followsOf(deps).followsAccepted(actorIri);
  const rooms = roomsOf(deps);
  const store = viewStore(rooms);
  const commitGrouped = sharedGroupedWrites(rooms);

  /** The activity in the inbox record, within the grouped write `tx`; false when its id was recorded already. */
  function record(tx: RoomQueries, activity: Activity, object: APObject | null, isFollowed: boolean): Promise<boolean> {
    if (!activity.id || !activity.actorId) return Promise.resolve(true);
    return store.recordReceiptWithin(
      tx,
      {
        activityIri: activity.id.href,
        type: activity.constructor.name.replace(/^Pod/, ""),
        actorIri: activity.actorId.href,
        objectIri: activity.objectId?.href ?? null,
        objectType: object
          ? object instanceof Tombstone
            ? "Tombstone"
            : object.constructor.name.replace(/^Pod/, "")
          : null,
      },
      isFollowed,
      deps.now(),
    );
  }

  /** What `ingest` did, with the relay's origin when it was read in the write. */
  type Written = { result: "stored" | "seen" | "refused"; relayedOrigin?: { iri: string | undefined } };

  /**
   * Stores an object from its origin; refuses (one log line) what fails the origin check or validation.
   * `alongside` (the inbox record) is written with it, all or nothing; when it says the activity was recorded
   * already (a redelivery, or another process taking it at once), the object is left as that one left it.
   * Activities that arrive together share one commit (group commit), which settles before this returns.
   * "stored" when the object is in the view (new or unchanged). `readsRelay`: the relay's origin is read in the
   * same write, for the caller to renew the relay with (`relayedOrigin`, set when it was read).
   */
  async function ingest(
    object: ObjectIds,
    originIri: string,
    toRecord: () => ViewRecord | Promise<ViewRecord>,
    arrival: { viaIri: string; announceIri?: string; readsRelay?: boolean },
    alongside?: (tx: RoomQueries) => Promise<boolean>,
  ): Promise<Written> {
    const refuse = async () => {
      if (alongside) await commitGrouped(alongside);
      return { result: "refused" as const };
    };
    const iri = object.iri;
    if (!iri || !belongsTo(originIri, iri, object.attributedTo)) {
      log.warn(
        { object: iri, actor: originIri },
        "refused an object that is not its actor's (attributedTo, or id off the actor's origin)",
      );
      return refuse();
    }
    const refused = () => refusal.refuses(originIri) || refusal.refuses(iri);
    if (refused()) {
      log.info({ object: iri, actor: originIri }, "refused an object from a blocked server or account");
      return refuse();
    }
    let viewRecord: ViewRecord;
    try {
      viewRecord = await toRecord();
    } catch (error) {
      if (!(error instanceof InvalidObjectError)) throw error;
      log.warn({ object: iri, reason: error.message }, "refused an invalid object");
      return refuse();
    }
    const { readsRelay, ...path } = arrival;
    // Whether another actor holds the object is read inside the write (a read of its own cost more than the
    // upsert); only such a conflict leaves it, to settle the claim (a fetch), then the write is tried once more.
    for (let attempt = 0; ; attempt++) {
      const outcome = await commitGrouped(async (tx): Promise<Written | { holder: string }> => {
        const holder = await store.originWithin(tx, iri);
        if (holder && holder !== originIri) return { holder };
        if (alongside && !(await alongside(tx))) return { result: "seen" as const };
        // Blocked while this delivery was being read: nothing of it is kept.
        if (refused()) return { result: "refused" as const };
        const stored = await store.upsertWithin(tx, viewRecord, { ...path, at: deps.now() });
        // What the operator's apps show of a followed pod (it sends no companion Notes to pods), in the same
        // commit. (Also when unchanged: a resync or backfill may have stored the object before its Create came.)
        // Never for an object its origin deleted: a late Create or Update must not bring its post back.
        if (!path.announceIri && stored !== "deleted") await projectNeighborObject(roomsOf(deps), tx, viewRecord);
        const relayedOrigin = readsRelay ? { iri: await store.relayedOriginWithin(tx, iri) } : undefined;
        return { result: "stored" as const, relayedOrigin };
      });
      if ("holder" in outcome) {
        if (attempt === 0 && (await claimable(iri, originIri, outcome.holder))) continue;
        log.warn(
          { object: iri, actor: originIri },
          "refused an object another actor holds, which its id does not confirm as this actor's",
        );
        return refuse();
      }
      log.debug({ object: viewRecord.iri, kind: viewRecord.kind, result: outcome.result }, "view object received");
      return outcome;
    }
  }

  /**
   * Whether `actorIri` may take `iri` from `holder`, another actor on the same origin that took it first: the
   * object's own id, fetched, says it is this actor's (then the other's row goes, without a tombstone).
   */
  async function claimable(iri: string, actorIri: string, holder: string): Promise<boolean> {
    const fetched = await contextFor()
      .lookupObject(iri)
      .catch(() => null);
    if (!fetched || fetched.id?.href !== iri || fetched.attributionId?.href !== actorIri) return false;
    await store.release(iri, holder);
    log.info({ object: iri, from: holder, to: actorIri }, "view object reclaimed by the actor its id names");
    return true;
  }

  /** A Create or Update of one of our kinds of object, from either inbox path. */
  async function receiveObject(
    actorIri: string,
    object: ObjectIds,
    toRecord: () => ViewRecord | Promise<ViewRecord>,
    isFollowed: boolean,
    recordIt: (tx: RoomQueries) => Promise<boolean>,
  ): Promise<void> {
    // Objects from pods we do not follow only count when a followed pod relayed them (already in the view).
    if (!isFollowed && !(object.iri && (await store.originOf(object.iri)) === actorIri)) {
      await commitGrouped(recordIt);
      log.debug({ actor: actorIri }, "ignored an object from a pod this pod does not follow");
      return;
    }
    const { result, relayedOrigin } = await ingest(
      object,
      actorIri,
      toRecord,
      { viaIri: actorIri, readsRelay: true },
      recordIt,
    );
    if (object.iri && result !== "seen") await relay.renew(object.iri, actorIri, relayedOrigin);
  }

  /** `senderFollowed`: the follow as the inbox's concern check read it for this delivery (else read here). */
  async function onCreateOrUpdate(ctx: Context<null>, activity: Create | Update, senderFollowed?: boolean) {
    const actorIri = activity.actorId;
    if (!actorIri) return;
    const isFollowed = senderFollowed ?? (await followed(actorIri.href));
    const object = await activity.getObject(ctx).catch(() => null);
    const recordIt = (tx: RoomQueries) => record(tx, activity, object, isFollowed);
    if (!object || !(await kindOf(object))) {
      // Grouped: a post's receipt shares its commit with the others arriving now (and with the post itself).
      await commitGrouped(recordIt);
      if (object && isActor(object) && activity instanceof Update && isFollowed) await rememberPod(ctx, actorIri.href);
      return;
    }
    const ids = { iri: object.id?.href ?? null, attributedTo: object.attributionId?.href ?? null };
    await receiveObject(actorIri.href, ids, () => toViewRecord(object, actorIri.href), isFollowed, recordIt);
  }

  return {
    onCreate: onCreateOrUpdate,
    onUpdate: onCreateOrUpdate,

    /**
     * What `onCreate` writes for a post (an object the view does not keep: only the inbox record), for the social
     * inbox to write in its own grouped write, so a post and its record share one commit.
     */
    async postRecord(activity: Create, post: APObject, senderFollowed?: boolean) {
      const actorIri = activity.actorId;
      const isFollowed = senderFollowed ?? (actorIri ? await followed(actorIri.href) : false);
      return (tx: RoomQueries) => record(tx, activity, post, isFollowed);
    },

    /** A verified activity that does not concern the pod: kept in the inbox record, not read further. */
    async recordUnconcerned(receipt: Receipt): Promise<void> {
      if (!receipt.activityIri) return;
      const isFollowed = await followed(receipt.actorIri);
      await commitGrouped((tx) => store.recordReceiptWithin(tx, receipt, isFollowed, deps.now()));
    },

    /** The fast path's Create or Update of an offer or need, read from the compact JSON of our context. */
    async onProposal(
      receipt: Receipt,
      fields: ProposalFields & { attributedTo: string | null },
      senderFollowed?: boolean,
    ): Promise<void> {
      const isFollowed = senderFollowed ?? (await followed(receipt.actorIri));
      const recordIt = (tx: RoomQueries) => store.recordReceiptWithin(tx, receipt, isFollowed, deps.now());
      if (!proposalKind(fields.purpose)) return void (await commitGrouped(recordIt));
      const ids = { iri: fields.iri, attributedTo: fields.attributedTo };
      await receiveObject(receipt.actorIri, ids, () => proposalRecord(fields, receipt.actorIri), isFollowed, recordIt);
    },

    async onDelete(ctx: InboxContext<null>, activity: Delete): Promise<void> {
      const actorIri = activity.actorId;
      const objectIri = activity.objectId;
      if (!actorIri || !objectIri) return;
      const object = await activity.getObject(ctx).catch(() => null);
      const isFollowed = await followed(actorIri.href);
      await commitGrouped((tx) => record(tx, activity, object, isFollowed));
      if (objectIri.href === actorIri.href) {
        // The pod (or person) deleted itself: it leaves the view and our follow lists.
        const removed = await store.removePod(actorIri.href);
        const follows = followsOf(deps);
        if (await follows.store.removeFollower(actorIri.href)) follows.followersChanged();
        if (await follows.store.removeFollowing(actorIri.href)) follows.followingChanged();
        log.info({ actor: actorIri.href, removed }, "an actor deleted itself");
        return;
      }
      // Only the object's own actor may delete it; another actor on the same host leaves no tombstone either.
      const holder = await store.originOf(objectIri.href);
      if ((holder && holder !== actorIri.href) || !sameOrigin(objectIri, actorIri)) {
        log.warn(
          { object: objectIri.href, actor: actorIri.href },
          "refused a Delete of an object that is not the actor's",
        );
        return;
      }
      if (await store.remove(objectIri.href, actorIri.href, deps.now())) {
        await roomsOf(deps).write((tx) => removeNeighborPost(roomsOf(deps), tx, objectIri.href, actorIri.href));
        log.debug({ object: objectIri.href }, "view object deleted by its origin");
      }
      await relay.renew(objectIri.href, actorIri.href);
    },

    /** A followed pod re-shared something: fetch it from its origin, then keep it with the path it came by. */
    async onAnnounce(ctx: InboxContext<null>, announce: Announce): Promise<void> {
      const viaIri = announce.actorId;
      const objectIri = announce.objectId;
      if (!viaIri || !objectIri) return;
      const isFollowed = await followed(viaIri.href);
      await commitGrouped((tx) => record(tx, announce, null, isFollowed));
      if (!isFollowed || objectIri.origin === ctx.origin || refusal.refuses(objectIri.href)) return;
      const fetched = await ctx.lookupObject(objectIri.href).catch(() => null);
      if (!fetched || fetched instanceof Tombstone) {
        // Only the origin saying it is gone removes it; a timeout or a refusal leaves the view as it is.
        const origin = await store.originOf(objectIri.href);
        if (origin && (fetched instanceof Tombstone || (await isGone(ctx, objectIri.href, { missing: true }))))
          await store.remove(objectIri.href, origin, deps.now());
        return;
      }
      if (!(await kindOf(fetched)) || !fetched.attributionId || fetched.id?.href !== objectIri.href) return;
      const origin = fetched.attributionId;
      const ids = { iri: fetched.id.href, attributedTo: origin.href };
      const ingested = await ingest(ids, origin.href, () => toViewRecord(fetched, origin.href), {
        viaIri: viaIri.href,
        announceIri: announce.id?.href,
      });
      if (ingested.result === "stored") {
        await rememberPod(ctx, origin.href);
      }
    },
  };

  async function rememberPod(ctx: Context<null>, actorIri: string): Promise<void> {
    if (refusal.refuses(actorIri)) return;
    const actor = await ctx.lookupObject(actorIri).catch(() => null);
    if (!actor || !isActor(actor) || !actor.id) return;
    const pod = {
      actorIri: actor.id.href,
      name: String(actor.name ?? actor.preferredUsername ?? actor.id.host),
      handle: actor.preferredUsername ? `@${actor.preferredUsername}@${actor.id.host}` : null,
      url: actor.url instanceof URL ? actor.url.href : null,
    };
    await commitGrouped((tx) => store.upsertNeighborPodWithin(tx, pod, deps.now()));
  }
}

export type ConfederationInbox = ReturnType<typeof confederationInbox>;
