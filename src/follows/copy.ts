import type { RoomDb } from "../db/room-db.ts";
import { versionedCopy } from "../db/versioned-copy.ts";
import { followsStore, type Followed, type Follower } from "./store.ts";

/** The change counters SQL triggers bump: `follows` on every change of `following` (migration 0037,
 * migrations-pg/0005), `nodeinfo` on every follower added, removed or answered (0013, migrations-pg/0002). */
export interface FollowsVersions {
  following: () => number;
  followers: () => number;
}

/** One table kept in memory by actor IRI, reloaded when its counter (or this process's own change) moves it. */
function tableCopy<T extends { actorIri: string; state: string }>(counter: () => number, read: () => Promise<T[]>) {
  let rows = new Map<string, T>();
  let own = 0;
  const saved = () => {
    const version = counter();
    return version === -1 ? -1 : version + own;
  };
  const { load, refresh } = versionedCopy(saved, read, (all) => {
    rows = new Map(all.map((row) => [row.actorIri, row]));
  });
  return {
    load,
    refresh,
    get: (actorIri: string) => rows.get(actorIri),
    count: (state: string) => {
      let n = 0;
      for (const row of rows.values()) if (row.state === state) n++;
      return n;
    },
    /** This process changed the table: the next refresh reloads it (the counter is read at most every 100 ms). */
    changed: () => void own++,
  };
}

export type FollowsCopy = ReturnType<typeof followsCopy>;

/**
 * The follows, read synchronously by rooms not yet moved: the Mastodon API's presenter (the pod's counts, each
 * account's relationship) and the assemblies' names of pods (inside page and Note builders), and the inbox,
 * which asks on every delivery whether the pod follows the sender. The store is asynchronous (SQLite or
 * PostgreSQL), so both tables are kept in memory: loaded before the pod serves, reloaded when a change counter
 * moves (another process, the CLI) or after this process's own change (`changed`). A read that finds the copy
 * stale starts the reload in the background; the request hook (src/app.ts) awaits `refresh()`.
 */
export function followsCopy(rooms: RoomDb, versions: FollowsVersions, onError: (error: unknown) => void) {
  const store = followsStore(rooms);
  const followingRows = tableCopy(versions.following, () => store.allFollowing());
  const followerRows = tableCopy(versions.followers, () => store.allFollowers());
  const fresh = <T>(copy: { refresh(): Promise<void> | undefined }, value: () => T): T => {
    copy.refresh()?.catch(onError);
    return value();
  };
  const accepted = (actorIri: string): boolean | Promise<boolean> => {
    const row = followingRows.get(actorIri);
    // A pending follow is read, not answered from memory: its Accept may reach another process of this pod
    // first, and the sender's next delivery must count at once (rare: between our Follow and its answer).
    if (row?.state === "pending") return store.getFollowing(actorIri).then((now) => now?.state === "accepted");
    return row?.state === "accepted";
  };

  return {
    store,
    load: async (): Promise<void> => {
      await Promise.all([followingRows.load(), followerRows.load()]);
    },
    refresh(): Promise<unknown> | undefined {
      const a = followingRows.refresh();
      const b = followerRows.refresh();
      return a || b ? Promise.all([a, b]) : undefined;
    },
    /**
     * Whether the pod follows this actor and was accepted (the inbox asks on every delivery): an answer from
     * memory, or a promise when the copy is being reloaded (a change was seen) or the follow is pending.
     */
    followsAccepted(actorIri: string): boolean | Promise<boolean> {
      const reloading = followingRows.refresh();
      return reloading ? reloading.then(() => accepted(actorIri)) : accepted(actorIri);
    },
    getFollowing: (actorIri: string): Followed | undefined => fresh(followingRows, () => followingRows.get(actorIri)),
    getFollower: (actorIri: string): Follower | undefined => fresh(followerRows, () => followerRows.get(actorIri)),
    countFollowing: (state: Followed["state"] = "accepted") => fresh(followingRows, () => followingRows.count(state)),
    countFollowers: (state: Follower["state"] = "accepted") => fresh(followerRows, () => followerRows.count(state)),
    /** This process changed the follows (after its write committed): the copy reloads before it answers again. */
    followingChanged: followingRows.changed,
    followersChanged: followerRows.changed,
  };
}

export type { Audience, Followed, Follower, FollowsStore, RemoteActorAddress } from "./store.ts";
