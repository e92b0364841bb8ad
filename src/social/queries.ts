import { and, count, countDistinct, eq, inArray, max, or, sql, type Column } from "drizzle-orm";
import type { RoomDb } from "../db/room-db.ts";
import type { Account, Status } from "./activitypub.ts";
import { accounts, statuses } from "./schema.ts";
import { socialStore } from "./store.ts";

const SHOWN_TO_OTHERS = ["public", "unlisted"] as const;

/** What other rooms (the Mastodon API) read of the social room's tables: narrow lookups, on either database. */
export function socialQueries(rooms: RoomDb) {
  const a = rooms.table(accounts);
  const s = rooms.table(statuses);
  const store = socialStore(rooms);
  return {
    accountByAcct: store.accountByAcct,
    accountById: store.accountById,
    accountByIri: store.accountByIri,
    countsFor: store.countsFor,
    statusById: store.statusById,
    statusByIri: store.statusByIri,

    /** Posts counted for an account entity: others than the pod see only what they could read. */
    postsOf: (accountId: string, forPod: boolean): Promise<{ n: number; last: string | null }> =>
      rooms.read(
        async (db) =>
          (
            await db
              .select({ n: count(), last: max(s.publishedAt) })
              .from(s)
              .where(and(eq(s.accountId, accountId), forPod ? undefined : inArray(s.visibility, [...SHOWN_TO_OTHERS])))
          )[0] ?? { n: 0, last: null },
      ),

    /** Every post of one account, whatever its visibility. */
    countStatusesOf: (accountId: string): Promise<number> =>
      rooms.read(async (db) => (await db.select({ n: count() }).from(s).where(eq(s.accountId, accountId)))[0]?.n ?? 0),

    /** How many other servers the pod knows accounts of. */
    countKnownDomains: (): Promise<number> =>
      rooms.read(
        async (db) =>
          (
            await db
              .select({ n: countDistinct(a.host) })
              .from(a)
              .where(eq(a.local, false))
          )[0]?.n ?? 0,
      ),

    /** What the pod published and still shows, as Mastodon counts posts: its public and unlisted statuses. */
    countLocalPosts: (): Promise<number> =>
      rooms.read(
        async (db) =>
          (
            await db
              .select({ n: count() })
              .from(s)
              .innerJoin(a, eq(s.accountId, a.id))
              .where(and(eq(a.local, true), inArray(s.visibility, [...SHOWN_TO_OTHERS])))
          )[0]?.n ?? 0,
      ),

    statusRefsByIris: (iris: string[]): Promise<Pick<Status, "id" | "iri" | "accountId">[]> =>
      iris.length
        ? rooms.read((db) =>
            db.select({ id: s.id, iri: s.iri, accountId: s.accountId }).from(s).where(inArray(s.iri, iris)),
          )
        : Promise.resolve([]),

    statusesByIds: (ids: string[]): Promise<Status[]> =>
      ids.length ? rooms.read((db) => db.select().from(s).where(inArray(s.id, ids))) : Promise.resolve([]),

    accountsByIds: (ids: string[]): Promise<Account[]> =>
      ids.length ? rooms.read((db) => db.select().from(a).where(inArray(a.id, ids))) : Promise.resolve([]),

    accountsByIris: (iris: string[]): Promise<Account[]> =>
      iris.length ? rooms.read((db) => db.select().from(a).where(inArray(a.iri, iris))) : Promise.resolve([]),

    /** Known accounts whose username or display name contains `term` (a leading `@` ignored), in any case. */
    searchAccounts(term: string, limit: number, offset: number): Promise<Account[]> {
      // LIKE treats `%` and `_` as wildcards; escaped, a name with `_` in it is found as written. SQLite's LIKE
      // ignores ASCII case (and finds any other name as written); PostgreSQL's ILIKE ignores case likewise.
      const pattern = `%${term.replace(/^@/, "").replace(/[%_\\]/g, "\\$&")}%`;
      const like = rooms.dialect === "postgres" ? sql.raw("ilike") : sql.raw("like");
      const contains = (column: Column) => sql`${column} ${like} ${pattern} escape '\\'`;
      return rooms.read((db) =>
        db
          .select()
          .from(a)
          .where(or(contains(a.username), contains(a.displayName)))
          .orderBy(a.id)
          .limit(limit)
          .offset(offset),
      );
    },
  };
}

export type SocialQueries = ReturnType<typeof socialQueries>;
