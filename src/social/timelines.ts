import { and, asc, desc, eq, gt, inArray, isNull, like, lt, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { acceptedFollowingIris } from "../follows/sqlite-only.ts";
import type { Status } from "./activitypub.ts";
import { accounts, markers, notifications, statuses } from "./schema.ts";

/** Mastodon's paging: newest first below max_id, above since_id; min_id pages forward (oldest first, then reversed). */
export interface Page {
  maxId?: string;
  sinceId?: string;
  minId?: string;
  limit: number;
}

function paged<T extends { id: string }>(
  page: Page,
  column: typeof statuses.id | typeof notifications.id,
  query: (where: SQL | undefined, order: SQL) => T[],
): T[] {
  const bounds = and(
    page.maxId ? lt(column, page.maxId) : undefined,
    page.sinceId ? gt(column, page.sinceId) : undefined,
    page.minId ? gt(column, page.minId) : undefined,
  );
  if (page.minId) return query(bounds, asc(column)).reverse();
  return query(bounds, desc(column));
}

const PUBLIC_VISIBILITIES = ["public", "unlisted"] as const;

/** The timelines and threads Mastodon apps read, newest first. */
export function timelines(db: Db) {
  const select = (where: SQL | undefined, order: SQL, limit: number): Status[] =>
    db
      .select({ s: statuses })
      .from(statuses)
      .innerJoin(accounts, eq(accounts.id, statuses.accountId))
      .where(where)
      .orderBy(order)
      .limit(limit)
      .all()
      .map((r) => r.s);

  const followedIris = acceptedFollowingIris(db);

  return {
    /** The pod's own posts and those of everyone it follows. */
    home(page: Page): Status[] {
      return paged(page, statuses.id, (where, order) =>
        select(and(where, or(eq(accounts.local, true), inArray(accounts.iri, followedIris))), order, page.limit),
      );
    },

    /** Public posts: the pod's own with `local`, every public post it knows without. */
    public(page: Page, localOnly: boolean): Status[] {
      return paged(page, statuses.id, (where, order) =>
        select(
          and(where, eq(statuses.visibility, "public"), localOnly ? eq(accounts.local, true) : undefined),
          order,
          page.limit,
        ),
      );
    },

    /** One account's posts; followers-only posts of an account the pod follows are its to read. */
    ofAccount(accountId: string, page: Page, options: { canSeePrivate: boolean; excludeReplies: boolean }): Status[] {
      return paged(page, statuses.id, (where, order) =>
        select(
          and(
            where,
            eq(statuses.accountId, accountId),
            options.canSeePrivate
              ? sql`${statuses.visibility} != 'direct'`
              : inArray(statuses.visibility, [...PUBLIC_VISIBILITIES]),
            options.excludeReplies ? sql`${statuses.inReplyToIri} IS NULL` : undefined,
          ),
          order,
          page.limit,
        ),
      );
    },

    /** The thread around a post: what it answers (up to the root), and every answer below it. */
    context(status: Status): { ancestors: Status[]; descendants: Status[] } {
      const ancestors: Status[] = [];
      let parentIri = status.inReplyToIri;
      while (parentIri && ancestors.length < 40) {
        const parent = db.select().from(statuses).where(eq(statuses.iri, parentIri)).get();
        if (!parent) break;
        ancestors.unshift(parent);
        parentIri = parent.inReplyToIri;
      }
      const descendants: Status[] = [];
      let frontier = [status.iri];
      // At most 200 answers, read level by level: a flood of replies can't make one request unbounded.
      while (frontier.length > 0 && descendants.length < 200) {
        const replies = db
          .select()
          .from(statuses)
          .where(and(inArray(statuses.inReplyToIri, frontier.slice(0, 200)), isNull(statuses.hiddenAt)))
          .orderBy(asc(statuses.id))
          .limit(200 - descendants.length)
          .all();
        descendants.push(...replies);
        frontier = replies.map((r) => r.iri);
      }
      return { ancestors, descendants };
    },

    /** Answers to one of the pod's posts (an offer's or need's responses); `publicOnly` for its public page. */
    repliesTo(iri: string, publicOnly: boolean) {
      return db
        .select({ status: statuses, account: accounts })
        .from(statuses)
        .innerJoin(accounts, eq(accounts.id, statuses.accountId))
        .where(
          and(
            eq(statuses.inReplyToIri, iri),
            isNull(statuses.hiddenAt),
            publicOnly ? inArray(statuses.visibility, [...PUBLIC_VISIBILITIES]) : undefined,
          ),
        )
        .orderBy(asc(statuses.id))
        .limit(500)
        .all();
    },

    /** The latest remote replies to the pod's posts, hidden ones too (the moderation page lists them). */
    repliesToPod(origin: string, limit: number) {
      return db
        .select({ status: statuses, account: accounts })
        .from(statuses)
        .innerJoin(accounts, eq(accounts.id, statuses.accountId))
        .where(and(eq(accounts.local, false), like(statuses.inReplyToIri, `${origin}/%`)))
        .orderBy(desc(statuses.id))
        .limit(limit)
        .all();
    },

    notifications(page: Page, types?: string[], excludeTypes?: string[]) {
      return paged(page, notifications.id, (where, order) =>
        db
          .select()
          .from(notifications)
          .where(
            and(
              where,
              types?.length
                ? inArray(notifications.type, types as (typeof notifications.$inferSelect.type)[])
                : undefined,
              excludeTypes?.length ? sql`${notifications.type} NOT IN ${excludeTypes}` : undefined,
            ),
          )
          .orderBy(order)
          .limit(page.limit)
          .all(),
      );
    },

    notification: (id: string) => db.select().from(notifications).where(eq(notifications.id, id)).get(),
    dismiss: (id: string) => db.delete(notifications).where(eq(notifications.id, id)).run().changes > 0,
    clearNotifications: () => void db.delete(notifications).run(),

    markers(names: string[]) {
      return db
        .select()
        .from(markers)
        .where(inArray(markers.timeline, names as ("home" | "notifications")[]))
        .all();
    },

    setMarker(timeline: "home" | "notifications", lastReadId: string, now: Date) {
      return db
        .insert(markers)
        .values({ timeline, lastReadId, version: 1, updatedAt: now.toISOString() })
        .onConflictDoUpdate({
          target: markers.timeline,
          set: { lastReadId, version: sql`${markers.version} + 1`, updatedAt: now.toISOString() },
        })
        .returning()
        .get();
    },
  };
}

export type Timelines = ReturnType<typeof timelines>;
