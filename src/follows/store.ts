import { and, asc, count, eq, gt, gte, inArray, lt, ne } from "drizzle-orm";
import type { Placeholders, RoomDb, RoomQueries } from "../db/room-db.ts";
import { inboxRefusal } from "../federation/public-address.ts";
import { followers, following } from "./schema.ts";

export type Follower = typeof followers.$inferSelect;
export type Followed = typeof following.$inferSelect;

/** Where a remote actor can be reached; what we keep of it (public addresses only). */
export interface RemoteActorAddress {
  actorIri: string;
  handle: string | null;
  inbox: string;
  sharedInbox: string | null;
}

export interface PageQuery {
  /** Return rows whose actor IRI sorts after this one. */
  after?: string;
  /** At most this many rows; leave out for all of them. */
  limit?: number;
}

/** Who reads what: pods the structured objects, people's servers the Notes; followers not yet classified both. */
export type Audience = "pods" | "people";
const KINDS_OF: Record<Audience, Follower["kind"][]> = { pods: ["pod", "unknown"], people: ["social", "unknown"] };

/** The invariant every stored address keeps (the caller also checks the address is public in production). */
function assertOnActorHost(actor: RemoteActorAddress): void {
  for (const url of [actor.inbox, actor.sharedInbox]) {
    const refusal = url === null ? null : inboxRefusal(actor.actorIri, url, true);
    if (refusal) throw new Error(`refusing to store ${url} for ${actor.actorIri}: ${refusal}`);
  }
}

export type FollowsStore = ReturnType<typeof followsStore>;

/**
 * The follows room on the RoomDb (SQLite or PostgreSQL): the pod's followers and the actors it follows.
 * Reads stand alone; `…Within(db, …)` runs inside the caller's write (with the event that sends the activity).
 * Every change two processes could make at once is one statement that says what it expects (`ON CONFLICT DO
 * NOTHING … RETURNING`, `WHERE state = 'pending' … RETURNING`, `DELETE … RETURNING`): its winner is the one
 * that got a row back, and only the winner records the event that sends an activity.
 */
export function followsStore(rooms: RoomDb) {
  const fr = rooms.table(followers);
  const fg = rooms.table(following);
  const first = <T>(rows: T[]): T | undefined => rows[0];
  // Counted for the home page and NodeInfo: built and prepared once.
  const followersIn = rooms.prepare((db, p: Placeholders<{ state: Follower["state"] }>) =>
    db.select({ n: count() }).from(fr).where(eq(fr.state, p.state)),
  );
  const followingIn = rooms.prepare((db, p: Placeholders<{ state: Followed["state"] }>) =>
    db.select({ n: count() }).from(fg).where(eq(fg.state, p.state)),
  );
  const limited = <Q extends { limit(n: number): unknown }>(query: Q, limit: number | undefined) =>
    limit === undefined ? query : query.limit(limit);

  /** Removes a follower (an Undo, or a rejected request with `onlyPending`); the row that went, once. */
  const removeFollowerWithin = async (
    db: RoomQueries,
    actorIri: string,
    onlyPending = false,
  ): Promise<Follower | undefined> =>
    first(
      await db
        .delete(fr)
        .where(and(eq(fr.actorIri, actorIri), onlyPending ? eq(fr.state, "pending") : undefined))
        .returning(),
    );
  /** Ends our follow; the row that went, once. */
  const removeFollowingWithin = async (db: RoomQueries, actorIri: string): Promise<Followed | undefined> =>
    first(await db.delete(fg).where(eq(fg.actorIri, actorIri)).returning());

  /**
   * A block (inside moderation's write): every follow either way with actors that `matches` ends, without a word
   * to them. Blocks are rare: the IRIs are read and filtered here, then deleted in chunks. Which tables changed.
   */
  async function removeRelationsWithin(
    db: RoomQueries,
    matches: (actorIri: string) => boolean,
  ): Promise<{ followers: number; following: number }> {
    const removed = { followers: 0, following: 0 };
    for (const [name, table] of [
      ["followers", fr],
      ["following", fg],
    ] as const) {
      const iris = (await db.select({ iri: table.actorIri }).from(table)).map((row) => row.iri).filter(matches);
      for (let at = 0; at < iris.length; at += 500) {
        const gone = await db
          .delete(table)
          .where(inArray(table.actorIri, iris.slice(at, at + 500)))
          .returning({ iri: table.actorIri });
        removed[name] += gone.length;
      }
    }
    return removed;
  }

  return {
    removeRelationsWithin,
    getFollower: (actorIri: string): Promise<Follower | undefined> =>
      rooms.read(async (db) => first(await db.select().from(fr).where(eq(fr.actorIri, actorIri)))),

    listFollowers(state: Follower["state"], page: PageQuery = {}, actorIriPrefix?: string): Promise<Follower[]> {
      return rooms.read(async (db) => {
        const query = db
          .select()
          .from(fr)
          .where(
            and(
              eq(fr.state, state),
              page.after ? gt(fr.actorIri, page.after) : undefined,
              actorIriPrefix ? gte(fr.actorIri, actorIriPrefix) : undefined,
              actorIriPrefix ? lt(fr.actorIri, `${actorIriPrefix}\u{10ffff}`) : undefined,
            ),
          )
          .orderBy(asc(fr.actorIri));
        return (await limited(query, page.limit)) as Follower[];
      });
    },

    /** Every accepted follower of one audience (a delivery's recipient list). */
    followersFor: (audience: Audience): Promise<Follower[]> =>
      rooms.read((db) =>
        db
          .select()
          .from(fr)
          .where(and(eq(fr.state, "accepted"), inArray(fr.kind, KINDS_OF[audience])))
          .orderBy(asc(fr.actorIri)),
      ),

    countFollowers: (state: Follower["state"] = "accepted"): Promise<number> =>
      rooms.read(async (db) => first(await followersIn(db, { state }))?.n ?? 0),

    /** Every follower, whatever its state (the in-memory copy: copy.ts). */
    allFollowers: (): Promise<Follower[]> => rooms.read((db) => db.select().from(fr)),

    /**
     * Records a Follow received. `created` is true for the one write that made the row (the operator is told
     * once, however many copies of the Follow arrive at once); a repeated Follow refreshes the address, and a
     * follower already accepted stays accepted.
     */
    async recordFollowerWithin(
      db: RoomQueries,
      actor: RemoteActorAddress,
      followIri: string,
      state: Follower["state"],
      at: Date,
      kind: Follower["kind"] = "unknown",
    ): Promise<{ row: Follower; created: boolean }> {
      assertOnActorHost(actor);
      const when = at.toISOString();
      const row = { ...actor, followIri, state, kind, createdAt: when, acceptedAt: state === "accepted" ? when : null };
      const made = first(await db.insert(fr).values(row).onConflictDoNothing().returning());
      if (made) return { row: made, created: true };
      const set = {
        followIri,
        handle: actor.handle,
        inbox: actor.inbox,
        sharedInbox: actor.sharedInbox,
        kind,
        ...(state === "accepted" ? { state, acceptedAt: when } : {}),
      };
      // An upsert, not an UPDATE: the row may have left (an Undo) since the insert found it.
      const [updated] = await db.insert(fr).values(row).onConflictDoUpdate({ target: fr.actorIri, set }).returning();
      return { row: updated!, created: false };
    },

    /** Approves a pending request: only the write that finds it pending gets the row back. */
    acceptFollowerWithin: async (db: RoomQueries, actorIri: string, at: Date): Promise<Follower | undefined> =>
      first(
        await db
          .update(fr)
          .set({ state: "accepted", acceptedAt: at.toISOString() })
          .where(and(eq(fr.actorIri, actorIri), eq(fr.state, "pending")))
          .returning(),
      ),

    removeFollowerWithin,

    getFollowing: (actorIri: string): Promise<Followed | undefined> =>
      rooms.read(async (db) => first(await db.select().from(fg).where(eq(fg.actorIri, actorIri)))),

    findFollowingByHandle: (handle: string): Promise<Followed | undefined> =>
      rooms.read(async (db) => first(await db.select().from(fg).where(eq(fg.handle, handle)))),

    listFollowing(page: PageQuery = {}, state?: Followed["state"]): Promise<Followed[]> {
      return rooms.read(async (db) => {
        const query = db
          .select()
          .from(fg)
          .where(and(state ? eq(fg.state, state) : undefined, page.after ? gt(fg.actorIri, page.after) : undefined))
          .orderBy(asc(fg.actorIri));
        return (await limited(query, page.limit)) as Followed[];
      });
    },

    countFollowing: (state: Followed["state"] = "accepted"): Promise<number> =>
      rooms.read(async (db) => first(await followingIn(db, { state }))?.n ?? 0),

    /** Every followed actor, whatever its state (the in-memory copy: copy.ts). */
    allFollowing: (): Promise<Followed[]> => rooms.read((db) => db.select().from(fg)),

    /** Records our Follow (again: a new Follow id, pending until answered). */
    async recordFollowingWithin(db: RoomQueries, actor: RemoteActorAddress, followIri: string, at: Date) {
      assertOnActorHost(actor);
      const set = {
        followIri,
        handle: actor.handle,
        inbox: actor.inbox,
        sharedInbox: actor.sharedInbox,
        state: "pending" as const,
        respondedAt: null,
      };
      const [row] = await db
        .insert(fg)
        .values({ ...set, actorIri: actor.actorIri, createdAt: at.toISOString() })
        .onConflictDoUpdate({ target: fg.actorIri, set })
        .returning();
      return row!;
    },

    /**
     * Records the answer to our Follow: only a change of state, and only of the Follow it answers (when it names
     * one). A repeated Accept (or two copies at once) is no news: one write gets the row, the others nothing.
     */
    answerFollowing: (
      actorIri: string,
      state: "accepted" | "rejected",
      at: Date,
      followIri?: string,
    ): Promise<Followed | undefined> =>
      rooms.write(async (db) =>
        first(
          await db
            .update(fg)
            .set({ state, respondedAt: at.toISOString() })
            .where(
              and(
                eq(fg.actorIri, actorIri),
                ne(fg.state, state),
                followIri === undefined ? undefined : eq(fg.followIri, followIri),
              ),
            )
            .returning(),
        ),
      ),

    removeFollowingWithin,

    removeFollower: (actorIri: string): Promise<Follower | undefined> =>
      rooms.write((db) => removeFollowerWithin(db, actorIri)),
    removeFollowing: (actorIri: string): Promise<Followed | undefined> =>
      rooms.write((db) => removeFollowingWithin(db, actorIri)),
  };
}
