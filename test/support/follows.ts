import type { RoomDb } from "../../src/db/room-db.ts";
import { followsOf } from "../../src/follows/room.ts";
import type { Follower, RemoteActorAddress } from "../../src/follows/store.ts";

/** The follows' own writers, as a test sets the follows up: through the store, telling this process's copy. */
export function followsWriters(rooms: RoomDb) {
  const copy = followsOf({ rooms });
  return {
    store: copy.store,
    async recordFollowing(actor: RemoteActorAddress, followIri: string, at: Date) {
      const row = await rooms.write((tx) => copy.store.recordFollowingWithin(tx, actor, followIri, at));
      copy.followingChanged();
      return row;
    },
    async answerFollowing(actorIri: string, state: "accepted" | "rejected", at: Date) {
      const row = await copy.store.answerFollowing(actorIri, state, at);
      copy.followingChanged();
      return row;
    },
    async removeFollowing(actorIri: string) {
      const row = await copy.store.removeFollowing(actorIri);
      copy.followingChanged();
      return row;
    },
    async recordFollower(
      actor: RemoteActorAddress,
      followIri: string,
      state: Follower["state"],
      at: Date,
      kind?: Follower["kind"],
    ) {
      const { row } = await rooms.write((tx) => copy.store.recordFollowerWithin(tx, actor, followIri, state, at, kind));
      copy.followersChanged();
      return row;
    },
    async acceptFollower(actorIri: string, at: Date) {
      const row = await rooms.write((tx) => copy.store.acceptFollowerWithin(tx, actorIri, at));
      copy.followersChanged();
      return row;
    },
    async removeFollower(actorIri: string) {
      const row = await copy.store.removeFollower(actorIri);
      copy.followersChanged();
      return row;
    },
  };
}
