import type { RoomDb, RoomQueries } from "../db/room-db.ts";
import { followsStore, type Followed, type Follower, type RemoteActorAddress } from "./store.ts";

/** Records an event within a RoomDb write (the event dispatcher's `recordWithin`). */
export interface EventsWithin {
  recordWithin(db: RoomQueries, kind: string, payload: unknown, orderingKey: string | null): Promise<string>;
}

export const FOLLOW_SENT = "follow.sent";
export const FOLLOW_UNDONE = "follow.undone";
export const FOLLOWER_ANSWERED = "follower.answered";

/**
 * Each change of the follows with the event that sends its activity, in one RoomDb write. Where two requests
 * (or two processes) can make one change at once, the statement that changes the row decides: the write that
 * got the row back records the event, the other records nothing and returns undefined. So a request is
 * approved or rejected once, an unfollow sends one Undo, a follower is new once.
 */
export function followChanges(rooms: RoomDb, events: EventsWithin, now: () => Date) {
  const store = followsStore(rooms);
  return {
    /** A Follow received; an accepted follower is owed an Accept (sent again for a repeated Follow). */
    followerAsked: (
      address: RemoteActorAddress,
      followIri: string,
      state: Follower["state"],
      kind: Follower["kind"],
    ): Promise<{ row: Follower; created: boolean }> =>
      rooms.write(async (db) => {
        const recorded = await store.recordFollowerWithin(db, address, followIri, state, now(), kind);
        if (recorded.row.state === "accepted") {
          await events.recordWithin(db, FOLLOWER_ANSWERED, { row: recorded.row, accepted: true }, address.actorIri);
        }
        return recorded;
      }),

    /** Accepts a pending request: of two answers at once (approve or reject), only one finds it pending. */
    approve: (actorIri: string): Promise<Follower | undefined> =>
      rooms.write(async (db) => {
        const updated = await store.acceptFollowerWithin(db, actorIri, now());
        if (updated) await events.recordWithin(db, FOLLOWER_ANSWERED, { row: updated, accepted: true }, actorIri);
        return updated;
      }),

    reject: (actorIri: string): Promise<Follower | undefined> =>
      rooms.write(async (db) => {
        const removed = await store.removeFollowerWithin(db, actorIri, true);
        if (removed) await events.recordWithin(db, FOLLOWER_ANSWERED, { row: removed, accepted: false }, actorIri);
        return removed;
      }),

    /** Our Follow, recorded (pending) with the event that sends it. */
    follow: (address: RemoteActorAddress, followIri: string): Promise<Followed> =>
      rooms.write(async (db) => {
        const recorded = await store.recordFollowingWithin(db, address, followIri, now());
        await events.recordWithin(db, FOLLOW_SENT, { row: recorded }, recorded.actorIri);
        return recorded;
      }),

    /** Ends our follow: the write that removed the row sends the Undo; another at once finds it gone. */
    unfollow: (actorIri: string): Promise<Followed | undefined> =>
      rooms.write(async (db) => {
        const removed = await store.removeFollowingWithin(db, actorIri);
        if (removed) await events.recordWithin(db, FOLLOW_UNDONE, { row: removed }, removed.actorIri);
        return removed;
      }),
  };
}
