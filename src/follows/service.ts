import { and, asc, count, eq, gt, gte, inArray, lt, ne } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { inboxRefusal } from "../federation/public-address.ts";
import { forgetFollowAnswers } from "./accepted-answers.ts";
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

/** The invariant every stored address keeps (the caller also checks the address is public in production). */
function assertOnActorHost(actor: RemoteActorAddress): void {
  for (const url of [actor.inbox, actor.sharedInbox]) {
    const refusal = url === null ? null : inboxRefusal(actor.actorIri, url, true);
    if (refusal) throw new Error(`refusing to store ${url} for ${actor.actorIri}: ${refusal}`);
  }
}

export function recordFollower(
  db: Db,
  actor: RemoteActorAddress,
  followIri: string,
  state: Follower["state"],
  at: Date,
  kind: Follower["kind"] = "unknown",
): Follower {
  assertOnActorHost(actor);
  const when = at.toISOString();
  const row = { ...actor, followIri, state, kind, createdAt: when, acceptedAt: state === "accepted" ? when : null };
  return db
    .insert(followers)
    .values(row)
    .onConflictDoUpdate({
      target: followers.actorIri,
      set: {
        followIri,
        handle: actor.handle,
        inbox: actor.inbox,
        sharedInbox: actor.sharedInbox,
        kind,
        // A follower already accepted stays accepted when it re-sends Follow.
        ...(state === "accepted" ? { state, acceptedAt: row.acceptedAt } : {}),
      },
    })
    .returning()
    .get();
}

export function getFollower(db: Db, actorIri: string): Follower | undefined {
  return db.select().from(followers).where(eq(followers.actorIri, actorIri)).get();
}

export function acceptFollower(db: Db, actorIri: string, at: Date): Follower | undefined {
  return db
    .update(followers)
    .set({ state: "accepted", acceptedAt: at.toISOString() })
    .where(eq(followers.actorIri, actorIri))
    .returning()
    .get();
}

export function removeFollower(db: Db, actorIri: string): boolean {
  return db.delete(followers).where(eq(followers.actorIri, actorIri)).run().changes > 0;
}

/** Ends, without a word to them, every follow either way with actors that `matches` (a block); how many went. */
export function removeRelationsWith(db: Db, matches: (actorIri: string) => boolean): number {
  return db.transaction(() => {
    let removed = 0;
    for (const table of [followers, following]) {
      const iris = db
        .select({ iri: table.actorIri })
        .from(table)
        .all()
        .map((row) => row.iri)
        .filter(matches);
      for (let at = 0; at < iris.length; at += 500) {
        removed += db
          .delete(table)
          .where(inArray(table.actorIri, iris.slice(at, at + 500)))
          .run().changes;
      }
    }
    return removed;
  });
}

export interface PageQuery {
  /** Return rows whose actor IRI sorts after this one. */
  after?: string;
  /** At most this many rows; -1 for all of them (SQLite reads a negative LIMIT as none). */
  limit: number;
}

export function listFollowers(db: Db, state: Follower["state"], page: PageQuery, actorIriPrefix?: string): Follower[] {
  return db
    .select()
    .from(followers)
    .where(
      and(
        eq(followers.state, state),
        page.after ? gt(followers.actorIri, page.after) : undefined,
        actorIriPrefix ? gte(followers.actorIri, actorIriPrefix) : undefined,
        actorIriPrefix ? lt(followers.actorIri, `${actorIriPrefix}\u{10ffff}`) : undefined,
      ),
    )
    .orderBy(asc(followers.actorIri))
    .limit(page.limit)
    .all();
}

/** Who reads what: pods the structured objects, people's servers the Notes; followers not yet classified both. */
export type Audience = "pods" | "people";
const KINDS_OF: Record<Audience, Follower["kind"][]> = { pods: ["pod", "unknown"], people: ["social", "unknown"] };

/** Every accepted follower of one audience (a delivery's recipient list). */
export function followersFor(db: Db, audience: Audience): Follower[] {
  return db
    .select()
    .from(followers)
    .where(and(eq(followers.state, "accepted"), inArray(followers.kind, KINDS_OF[audience])))
    .orderBy(asc(followers.actorIri))
    .all();
}

export function countFollowers(db: Db, state: Follower["state"] = "accepted"): number {
  return db.select({ n: count() }).from(followers).where(eq(followers.state, state)).get()?.n ?? 0;
}

export function recordFollowing(db: Db, actor: RemoteActorAddress, followIri: string, at: Date): Followed {
  assertOnActorHost(actor);
  forgetFollowAnswers(db);
  return db
    .insert(following)
    .values({ ...actor, followIri, state: "pending", createdAt: at.toISOString(), respondedAt: null })
    .onConflictDoUpdate({
      target: following.actorIri,
      set: {
        followIri,
        handle: actor.handle,
        inbox: actor.inbox,
        sharedInbox: actor.sharedInbox,
        state: "pending",
        respondedAt: null,
      },
    })
    .returning()
    .get();
}

export function getFollowing(db: Db, actorIri: string): Followed | undefined {
  return db.select().from(following).where(eq(following.actorIri, actorIri)).get();
}

/** The accepted followed actors' IRIs as a subquery: a timeline embeds it (one statement, no list in memory). */
export function acceptedFollowingIris(db: Db) {
  return db.select({ iri: following.actorIri }).from(following).where(eq(following.state, "accepted"));
}

export { followsAccepted } from "./accepted-answers.ts";

export function findFollowingByHandle(db: Db, handle: string): Followed | undefined {
  return db.select().from(following).where(eq(following.handle, handle)).get();
}

/** Records the answer to our Follow; only a pending or accepted follow can change. */
export function answerFollowing(
  db: Db,
  actorIri: string,
  state: "accepted" | "rejected",
  at: Date,
): Followed | undefined {
  forgetFollowAnswers(db);
  return (
    db
      .update(following)
      .set({ state, respondedAt: at.toISOString() })
      // Only a change of state: a repeated Accept (or Reject) is no news and starts nothing again.
      .where(and(eq(following.actorIri, actorIri), ne(following.state, state)))
      .returning()
      .get()
  );
}

export function removeFollowing(db: Db, actorIri: string): boolean {
  forgetFollowAnswers(db);
  return db.delete(following).where(eq(following.actorIri, actorIri)).run().changes > 0;
}

export function listFollowing(db: Db, page: PageQuery, state?: Followed["state"]): Followed[] {
  return db
    .select()
    .from(following)
    .where(
      and(state ? eq(following.state, state) : undefined, page.after ? gt(following.actorIri, page.after) : undefined),
    )
    .orderBy(asc(following.actorIri))
    .limit(page.limit)
    .all();
}

export function countFollowing(db: Db, state: Followed["state"] = "accepted"): number {
  return db.select({ n: count() }).from(following).where(eq(following.state, state)).get()?.n ?? 0;
}
