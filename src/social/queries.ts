import { and, count, countDistinct, eq, inArray, max, or, sql, type Column } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import type { Account, Status } from "./activitypub.ts";
import { accounts, statuses } from "./schema.ts";

/** What other rooms read of the social room's tables: narrow lookups (its store stays private). */
export { accountByAcct, accountById, accountByIri, countsFor, statusById, statusByIri } from "./store.ts";

const SHOWN_TO_OTHERS = ["public", "unlisted"] as const;

/** Posts counted for an account entity: others than the pod see only what they could read. */
export function postsOf(db: Db, accountId: string, forPod: boolean): { n: number; last: string | null } {
  return (
    db
      .select({ n: count(), last: max(statuses.publishedAt) })
      .from(statuses)
      .where(
        and(eq(statuses.accountId, accountId), forPod ? undefined : inArray(statuses.visibility, [...SHOWN_TO_OTHERS])),
      )
      .get() ?? { n: 0, last: null }
  );
}

/** Every post of one account, whatever its visibility. */
export const countStatusesOf = (db: Db, accountId: string): number =>
  db.select({ n: count() }).from(statuses).where(eq(statuses.accountId, accountId)).get()?.n ?? 0;

/** How many other servers the pod knows accounts of. */
export const countKnownDomains = (db: Db): number =>
  db
    .select({ n: countDistinct(accounts.host) })
    .from(accounts)
    .where(eq(accounts.local, false))
    .get()?.n ?? 0;

/** What the pod published and still shows, as Mastodon counts posts: its public and unlisted statuses. */
export function countLocalPosts(db: Db): number {
  return (
    db
      .select({ n: count() })
      .from(statuses)
      .innerJoin(accounts, eq(statuses.accountId, accounts.id))
      .where(and(eq(accounts.local, true), inArray(statuses.visibility, [...SHOWN_TO_OTHERS])))
      .get()?.n ?? 0
  );
}

export const statusRefsByIris = (db: Db, iris: string[]): Pick<Status, "id" | "iri" | "accountId">[] =>
  iris.length
    ? db
        .select({ id: statuses.id, iri: statuses.iri, accountId: statuses.accountId })
        .from(statuses)
        .where(inArray(statuses.iri, iris))
        .all()
    : [];

export const statusesByIds = (db: Db, ids: string[]): Status[] =>
  ids.length ? db.select().from(statuses).where(inArray(statuses.id, ids)).all() : [];

export const accountsByIds = (db: Db, ids: string[]): Account[] =>
  ids.length ? db.select().from(accounts).where(inArray(accounts.id, ids)).all() : [];

export const accountsByIris = (db: Db, iris: string[]): Account[] =>
  iris.length ? db.select().from(accounts).where(inArray(accounts.iri, iris)).all() : [];

/** Known accounts whose username or display name contains `term` (a leading `@` ignored), as written. */
export function searchAccounts(db: Db, term: string, limit: number, offset: number): Account[] {
  // LIKE treats `%` and `_` as wildcards; escaped, a name with `_` in it is found as written.
  const pattern = `%${term.replace(/^@/, "").replace(/[%_\\]/g, "\\$&")}%`;
  const contains = (column: Column) => sql`${column} like ${pattern} escape '\\'`;
  return db
    .select()
    .from(accounts)
    .where(or(contains(accounts.username), contains(accounts.displayName)))
    .limit(limit)
    .offset(offset)
    .all();
}
