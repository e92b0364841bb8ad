import { and, eq, like, or } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { accounts, notifications, reactions, statuses } from "./schema.ts";

/*
 * What moderation, not yet on the RoomDb, still does with the social tables on the synchronous SQLite connection:
 * its block is one synchronous transaction across four rooms, and these run inside it. They go when moderation
 * moves; everything else uses the RoomDb store (store.ts).
 */

/** Removes every remote account of a domain and its subdomains (a domain block): posts and reactions go too. */
export const removeAccountsOfDomain = (db: Db, domain: string) =>
  db
    .delete(accounts)
    .where(
      and(
        eq(accounts.local, false),
        // `host` carries the port when there is one.
        or(
          eq(accounts.host, domain),
          like(accounts.host, `${domain}:%`),
          like(accounts.host, `%.${domain}`),
          like(accounts.host, `%.${domain}:%`),
        ),
      ),
    )
    .run().changes;

/** A blocked account's posts, reactions and notifications go; the account row stays (apps list blocked accounts). */
export function removeContentOf(db: Db, iri: string): number {
  const account = db
    .select({ id: accounts.id })
    .from(accounts)
    .where(and(eq(accounts.iri, iri), eq(accounts.local, false)))
    .get();
  if (!account) return 0;
  return db.transaction(() => {
    const posts = db.delete(statuses).where(eq(statuses.accountId, account.id)).run().changes;
    db.delete(reactions).where(eq(reactions.accountId, account.id)).run();
    db.delete(notifications).where(eq(notifications.accountId, account.id)).run();
    return posts;
  });
}
