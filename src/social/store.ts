import { and, eq, inArray, isNull, like, or, type SQL, sql } from "drizzle-orm";
import type { Config } from "../config/schema.ts";
import type { Db } from "../db/client.ts";
import { preparedOnce } from "../db/prepared.ts";
import type { Account, AccountProfile, PostRecord, Status } from "./activitypub.ts";
import { snowflake } from "./ids.ts";
import { accounts, notifications, reactions, statuses } from "./schema.ts";

type Notification = typeof notifications.$inferSelect;

export function upsertAccount(db: Db, profile: AccountProfile, now: Date): Account {
  const { createdAt, ...fields } = profile;
  const at = now.toISOString();
  return (
    db
      .insert(accounts)
      .values({
        ...fields,
        id: freshId(db, accounts, createdAt ? new Date(createdAt) : now),
        local: false,
        createdAt: createdAt ?? at,
        fetchedAt: at,
      })
      .onConflictDoUpdate({ target: accounts.iri, set: { ...fields, fetchedAt: at }, where: eq(accounts.local, false) })
      .returning()
      .get() ?? accountByIri(db, profile.iri)!
  );
}

/** The pod's own account row: its profile comes from the settings, the row gives it an id. */
export function ensureLocalAccount(db: Db, config: Config, actorIri: string, publishedAt: Date): Account {
  const existing = accountByIri(db, actorIri);
  if (existing) return existing;
  const at = publishedAt.toISOString();
  return db
    .insert(accounts)
    .values({
      id: snowflake(publishedAt),
      iri: actorIri,
      local: true,
      username: config.handle,
      host: config.url.host,
      kind: "Group",
      createdAt: at,
      fetchedAt: at,
    })
    .returning()
    .get();
}

const accountByIriQuery = (db: Db) =>
  db
    .select()
    .from(accounts)
    .where(eq(accounts.iri, sql.placeholder("iri")))
    .prepare();
export const accountByIri = (db: Db, iri: string) => preparedOnce(db, accountByIriQuery).get({ iri });
export const accountById = (db: Db, id: string) => db.select().from(accounts).where(eq(accounts.id, id)).get();
export const accountByAcct = (db: Db, username: string, host: string) =>
  db
    .select()
    .from(accounts)
    .where(and(eq(accounts.username, username), eq(accounts.host, host)))
    .get();

/** Removes an actor that deleted itself: its posts, reactions and notifications go with it (cascade). */
export const removeAccount = (db: Db, iri: string) =>
  db
    .delete(accounts)
    .where(and(eq(accounts.iri, iri), eq(accounts.local, false)))
    .run().changes > 0;

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

/** Hides or shows again a remote reply (moderation); true when the post exists and is remote. */
export function setStatusHidden(db: Db, id: string, hiddenAt: string | null): boolean {
  const remote = db.select({ id: accounts.id }).from(accounts).where(eq(accounts.local, false));
  return (
    db
      .update(statuses)
      .set({ hiddenAt })
      .where(and(eq(statuses.id, id), inArray(statuses.accountId, remote)))
      .run().changes > 0
  );
}

/**
 * Stores a post by its IRI; an update keeps the id. Only the author's account may change an existing
 * post. Returns the row and whether it is new, or null when the IRI belongs to someone else.
 */
export function upsertStatus(
  db: Db,
  account: Account,
  kind: Status["kind"],
  post: PostRecord,
): { status: Status; created: boolean } | null {
  const existing = statusByIri(db, post.iri);
  const values = { ...postColumns(post), mentions: JSON.stringify(post.mentions) };
  if (existing) {
    if (existing.accountId !== account.id) return null;
    const status = preparedOnce(db, updateStatusQuery).get({ ...values, id: existing.id })!;
    return { status, created: false };
  }
  const at = new Date(Math.min(Date.parse(post.publishedAt) || Date.now(), Date.now()));
  const status = preparedOnce(db, insertStatusQuery).get({
    ...values,
    id: freshId(db, statuses, at),
    accountId: account.id,
    kind,
  })!;
  return { status, created: true };
}

/** A post's own columns, as SQLite binds them (a placeholder skips drizzle's boolean mapping). */
const postColumns = (post: PostRecord) => ({
  iri: post.iri,
  url: post.url,
  inReplyToIri: post.inReplyToIri,
  content: post.content,
  spoilerText: post.spoilerText,
  visibility: post.visibility,
  language: post.language,
  sensitive: post.sensitive ? 1 : 0,
  publishedAt: post.publishedAt,
  editedAt: post.editedAt,
});
const POST_COLUMNS = [
  "iri",
  "url",
  "inReplyToIri",
  "content",
  "spoilerText",
  "visibility",
  "language",
  "sensitive",
  "mentions",
  "publishedAt",
  "editedAt",
] as const;
/** Each named column bound to the placeholder of its name (as SQL, which drizzle's insert and update both take). */
const placeholders = <K extends string>(names: readonly K[]) =>
  Object.fromEntries(names.map((name) => [name, sql`${sql.placeholder(name)}`])) as Record<K, SQL>;
// Prepared once (drizzle otherwise builds and prepares the SQL on every post the inbox stores).
const insertStatusQuery = (db: Db) =>
  db
    .insert(statuses)
    .values(placeholders([...POST_COLUMNS, "id", "accountId", "kind"]))
    .returning()
    .prepare();
const updateStatusQuery = (db: Db) =>
  db
    .update(statuses)
    .set(placeholders(POST_COLUMNS))
    .where(eq(statuses.id, sql.placeholder("id")))
    .returning()
    .prepare();

const statusByIriQuery = (db: Db) =>
  db
    .select()
    .from(statuses)
    .where(eq(statuses.iri, sql.placeholder("iri")))
    .prepare();
export const statusByIri = (db: Db, iri: string) => preparedOnce(db, statusByIriQuery).get({ iri });
export const statusById = (db: Db, id: string) => db.select().from(statuses).where(eq(statuses.id, id)).get();

export function deleteStatus(db: Db, iri: string, accountId?: string): boolean {
  return (
    db
      .delete(statuses)
      .where(and(eq(statuses.iri, iri), accountId ? eq(statuses.accountId, accountId) : undefined))
      .run().changes > 0
  );
}

/**
 * The pod's post a reply points at. Mastodon users reply to the readable Note; a pod may reply to the
 * structured object itself, whose Note lives at `<object>/note`.
 */
export function localReplyTarget(db: Db, iri: string): Status | undefined {
  const direct = statusByIri(db, iri);
  if (direct) return direct;
  const note = statusByIri(db, `${iri.replace(/\/$/, "")}/note`);
  return note && accountById(db, note.accountId)?.local ? note : undefined;
}

export function addReaction(
  db: Db,
  statusId: string,
  accountId: string,
  kind: "favourite" | "reblog",
  activityIri: string,
  now: Date,
): boolean {
  return (
    db
      .insert(reactions)
      .values({ statusId, accountId, kind, activityIri, createdAt: now.toISOString() })
      .onConflictDoNothing()
      .run().changes > 0
  );
}

export function removeReaction(db: Db, activityIri: string, accountId: string): boolean {
  return (
    db
      .delete(reactions)
      .where(and(eq(reactions.activityIri, activityIri), eq(reactions.accountId, accountId)))
      .run().changes > 0
  );
}

/** Tells the operator, once per account, kind and post: a Like, Undo, Like loop doesn't repeat it. */
const sameNotification = (forStatus: boolean) => (db: Db) =>
  db
    .select({ id: notifications.id })
    .from(notifications)
    .where(
      and(
        eq(notifications.type, sql.placeholder("type")),
        eq(notifications.accountId, sql.placeholder("accountId")),
        forStatus ? eq(notifications.statusId, sql.placeholder("statusId")) : isNull(notifications.statusId),
      ),
    )
    .prepare();
const sameNotificationFor = { status: sameNotification(true), none: sameNotification(false) };

export function notify(
  db: Db,
  type: Notification["type"],
  accountId: string,
  statusId: string | null,
  now: Date,
): Notification | null {
  const same = preparedOnce(db, statusId ? sameNotificationFor.status : sameNotificationFor.none).get({
    type,
    accountId,
    statusId,
  });
  if (same) return null;
  const id = freshId(db, notifications, now);
  return preparedOnce(db, insertNotificationQuery).get({
    id,
    type,
    accountId,
    statusId,
    createdAt: now.toISOString(),
  })!;
}

const insertNotificationQuery = (db: Db) =>
  db
    .insert(notifications)
    .values(placeholders(["id", "type", "accountId", "statusId", "createdAt"]))
    .returning()
    .prepare();

/** A snowflake for `at` not yet used in `table` (old dates share one clamped millisecond). */
type IdTable = typeof accounts | typeof statuses | typeof notifications;
const idTaken = new Map(
  [accounts, statuses, notifications].map((table) => [
    table as IdTable,
    (db: Db) =>
      db
        .select({ id: table.id })
        .from(table)
        .where(eq(table.id, sql.placeholder("id")))
        .prepare(),
  ]),
);

function freshId(db: Db, table: IdTable, at: Date): string {
  const taken = preparedOnce(db, idTaken.get(table)!);
  for (let tries = 0; ; tries++) {
    const id = snowflake(tries < 1000 ? at : new Date());
    if (!taken.get({ id })) return id;
  }
}

/** Replies, likes and boosts of a set of posts, counted in one query each. */
export function countsFor(
  db: Db,
  rows: Status[],
  publicOnly: boolean,
): Map<string, { replies: number; favourites: number; reblogs: number }> {
  const counts = new Map(rows.map((row) => [row.id, { replies: 0, favourites: 0, reblogs: 0 }]));
  if (rows.length === 0) return counts;
  const byIri = new Map(rows.map((row) => [row.iri, row.id]));
  const iris = [...byIri.keys()];
  const replies = db
    .select({ iri: statuses.inReplyToIri, n: sql<number>`count(*)` })
    .from(statuses)
    // Others than the pod don't learn that followers-only or direct replies exist.
    .where(
      and(
        sql`${statuses.inReplyToIri} IN ${iris}`,
        isNull(statuses.hiddenAt),
        publicOnly ? inArray(statuses.visibility, ["public", "unlisted"]) : undefined,
      ),
    )
    .groupBy(statuses.inReplyToIri)
    .all();
  for (const { iri, n } of replies) counts.get(byIri.get(iri!)!)!.replies = n;
  const ids = [...counts.keys()];
  const reacted = db
    .select({ statusId: reactions.statusId, kind: reactions.kind, n: sql<number>`count(*)` })
    .from(reactions)
    .where(sql`${reactions.statusId} IN ${ids}`)
    .groupBy(reactions.statusId, reactions.kind)
    .all();
  for (const { statusId, kind, n } of reacted)
    counts.get(statusId)![kind === "favourite" ? "favourites" : "reblogs"] = n;
  return counts;
}
