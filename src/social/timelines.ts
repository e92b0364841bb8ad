import { and, asc, desc, eq, gt, inArray, isNull, like, lt, ne, notInArray, or, sql, type SQL } from "drizzle-orm";
import type { Placeholders, RoomDb, RoomQueries } from "../db/room-db.ts";
import { acceptedFollowingIris } from "../follows/subquery.ts";
import type { Account, Status } from "./activitypub.ts";
import { accounts, markers, notifications, statuses } from "./schema.ts";

/** Mastodon's paging: newest first below max_id, above since_id; min_id pages forward (oldest first, then reversed). */
export interface Page {
  maxId?: string;
  sinceId?: string;
  minId?: string;
  limit: number;
}

async function paged<T extends { id: string }>(
  page: Page,
  column: typeof statuses.id | typeof notifications.id,
  query: (where: SQL | undefined, order: SQL) => Promise<T[]>,
): Promise<T[]> {
  const bounds = and(
    page.maxId ? lt(column, page.maxId) : undefined,
    page.sinceId ? gt(column, page.sinceId) : undefined,
    page.minId ? gt(column, page.minId) : undefined,
  );
  if (page.minId) return (await query(bounds, asc(column))).reverse();
  return query(bounds, desc(column));
}

const PUBLIC_VISIBILITIES = ["public", "unlisted"] as const;
/** The replies an offer's or need's page shows at most. */
const REPLIES_SHOWN = 500;

/** The timelines and threads Mastodon apps read, newest first, on either database. */
export function timelines(rooms: RoomDb) {
  const a = rooms.table(accounts);
  const s = rooms.table(statuses);
  const n = rooms.table(notifications);
  const m = rooms.table(markers);

  const select = (db: RoomQueries, where: SQL | undefined, order: SQL, limit: number): Promise<Status[]> =>
    db
      .select({ s })
      .from(s)
      .innerJoin(a, eq(a.id, s.accountId))
      .where(where)
      .orderBy(order)
      .limit(limit)
      .then((rows) => rows.map((r) => r.s));
  const withAuthors = (where: SQL | undefined, order: SQL, limit: number) =>
    rooms.read((db) =>
      db
        .select({ status: s, account: a })
        .from(s)
        .innerJoin(a, eq(a.id, s.accountId))
        .where(where)
        .orderBy(order)
        .limit(limit),
    ) as Promise<{ status: Status; account: Account }[]>;

  // Every offer's and need's page reads its replies: built and prepared once (with and without the
  // non-public ones), not per request.
  const repliesTo = (publicOnly: boolean) =>
    rooms.prepare((db, p: Placeholders<{ iri: string }>) =>
      db
        .select({ status: s, account: a })
        .from(s)
        .innerJoin(a, eq(a.id, s.accountId))
        .where(
          and(
            eq(s.inReplyToIri, p.iri),
            isNull(s.hiddenAt),
            publicOnly ? inArray(s.visibility, [...PUBLIC_VISIBILITIES]) : undefined,
          ),
        )
        .orderBy(asc(s.id))
        .limit(REPLIES_SHOWN),
    );
  const publicRepliesTo = repliesTo(true);
  const allRepliesTo = repliesTo(false);

  return {
    /** The pod's own posts and those of everyone it follows. */
    home(page: Page): Promise<Status[]> {
      return rooms.read((db) =>
        paged(page, s.id, (where, order) =>
          select(
            db,
            and(where, or(eq(a.local, true), inArray(a.iri, acceptedFollowingIris(rooms, db)))),
            order,
            page.limit,
          ),
        ),
      );
    },

    /** Public posts: the pod's own with `local`, every public post it knows without. */
    public(page: Page, localOnly: boolean): Promise<Status[]> {
      return rooms.read((db) =>
        paged(page, s.id, (where, order) =>
          select(
            db,
            and(where, eq(s.visibility, "public"), localOnly ? eq(a.local, true) : undefined),
            order,
            page.limit,
          ),
        ),
      );
    },

    /** One account's posts; followers-only posts of an account the pod follows are its to read. */
    ofAccount(
      accountId: string,
      page: Page,
      options: { canSeePrivate: boolean; excludeReplies: boolean },
    ): Promise<Status[]> {
      return rooms.read((db) =>
        paged(page, s.id, (where, order) =>
          select(
            db,
            and(
              where,
              eq(s.accountId, accountId),
              options.canSeePrivate ? ne(s.visibility, "direct") : inArray(s.visibility, [...PUBLIC_VISIBILITIES]),
              options.excludeReplies ? isNull(s.inReplyToIri) : undefined,
            ),
            order,
            page.limit,
          ),
        ),
      );
    },

    /** The thread around a post: what it answers (up to the root), and every answer below it. */
    context(status: Status): Promise<{ ancestors: Status[]; descendants: Status[] }> {
      return rooms.read(async (db) => {
        const ancestors: Status[] = [];
        let parentIri = status.inReplyToIri;
        while (parentIri && ancestors.length < 40) {
          const [parent] = await db.select().from(s).where(eq(s.iri, parentIri));
          if (!parent) break;
          ancestors.unshift(parent);
          parentIri = parent.inReplyToIri;
        }
        const descendants: Status[] = [];
        let frontier = [status.iri];
        // At most 200 answers, read level by level: a flood of replies can't make one request unbounded.
        while (frontier.length > 0 && descendants.length < 200) {
          const replies = await db
            .select()
            .from(s)
            .where(and(inArray(s.inReplyToIri, frontier.slice(0, 200)), isNull(s.hiddenAt)))
            .orderBy(asc(s.id))
            .limit(200 - descendants.length);
          descendants.push(...replies);
          frontier = replies.map((r) => r.iri);
        }
        return { ancestors, descendants };
      });
    },

    /** Answers to one of the pod's posts (an offer's or need's responses); `publicOnly` for its public page. */
    repliesTo(iri: string, publicOnly: boolean) {
      return rooms.read((db) => (publicOnly ? publicRepliesTo : allRepliesTo)(db, { iri })) as Promise<
        { status: Status; account: Account }[]
      >;
    },

    /** The latest remote replies to the pod's posts, hidden ones too (the moderation page lists them). */
    repliesToPod(origin: string, limit: number) {
      return withAuthors(and(eq(a.local, false), like(s.inReplyToIri, `${origin}/%`)), desc(s.id), limit);
    },

    notifications(page: Page, types?: string[], excludeTypes?: string[]): Promise<Notification[]> {
      return rooms.read((db) =>
        paged(page, n.id, (where, order) =>
          db
            .select()
            .from(n)
            .where(
              and(
                where,
                types?.length ? inArray(n.type, types as Notification["type"][]) : undefined,
                excludeTypes?.length ? notInArray(n.type, excludeTypes as Notification["type"][]) : undefined,
              ),
            )
            .orderBy(order)
            .limit(page.limit),
        ),
      );
    },

    notification: (id: string): Promise<Notification | undefined> =>
      rooms.read(async (db) => (await db.select().from(n).where(eq(n.id, id)))[0]),

    /** True the first time: a second dismissal (or one at once elsewhere) finds nothing. */
    dismiss: (id: string): Promise<boolean> =>
      rooms.write(async (db) => (await db.delete(n).where(eq(n.id, id)).returning({ id: n.id })).length > 0),

    clearNotifications: (): Promise<void> =>
      rooms.write(async (db) => {
        await db.delete(n);
      }),

    markers(names: string[]) {
      return rooms.read((db) =>
        db
          .select()
          .from(m)
          .where(inArray(m.timeline, names as ("home" | "notifications")[])),
      );
    },

    /** A marker's version counts every setting, however many arrive at once (one upsert, its increment in SQL). */
    setMarker(timeline: "home" | "notifications", lastReadId: string, now: Date) {
      return rooms.write(
        async (db) =>
          (
            await db
              .insert(m)
              .values({ timeline, lastReadId, version: 1, updatedAt: now.toISOString() })
              .onConflictDoUpdate({
                target: m.timeline,
                set: { lastReadId, version: sql`${m.version} + 1`, updatedAt: now.toISOString() },
              })
              .returning()
          )[0]!,
      );
    },
  };
}

type Notification = typeof notifications.$inferSelect;
export type Timelines = ReturnType<typeof timelines>;
