import { roomsOf, type RoomDb } from "../db/room-db.ts";
import type { Logger } from "../log/logger.ts";
import { followsCopy, type FollowsCopy } from "./copy.ts";

const copies = new WeakMap<RoomDb, FollowsCopy>();

/**
 * The follows room of a pod (its store and copy), one per database whoever asks; src/pod.ts loads it. Its change
 * counters come from the pod's database (RoomDb.version), whichever it is.
 */
export function followsOf(deps: { rooms: RoomDb; log?: Logger }): FollowsCopy {
  const rooms = roomsOf(deps);
  let copy = copies.get(rooms);
  if (!copy) {
    const onError = (error: unknown) => deps.log?.warn({ err: error }, "reading the follows failed");
    const versions = { following: rooms.version("follows"), followers: rooms.version("nodeinfo") };
    copy = followsCopy(rooms, versions, onError);
    copies.set(rooms, copy);
  }
  return copy;
}

export type { Audience, Followed, Follower, FollowsCopy, RemoteActorAddress } from "./copy.ts";
