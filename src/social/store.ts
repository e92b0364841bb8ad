import { and, asc, count, eq, inArray, isNull, like, lt, or, sql } from "drizzle-orm";
import type { Config } from "../config/schema.ts";
import { oneAtATimeWithin } from "../db/postgres-write-client.ts";
import { placeholdersOf, type Placeholders, type RoomDb, type RoomQueries } from "../db/room-db.ts";
import type { Account, AccountProfile, PostRecord, Status } from "./activitypub.ts";
import { snowflake } from "./ids.ts";
import { accounts, notifications, reactions, statusDeletions, statuses } from "./schema.ts";

export type Notification = typeof notifications.$inferSelect;
export type Counts = { replies: number; favourites: number; reblogs: number };

/**
 * The social room's writes and lookups (accounts, posts, reactions, notifications), on either database. Functions
 * taking a `db` run inside a write someone else holds (the inbox's grouped write, a posting's write); the others
 * open their own read or write.
 *
 * Races are settled in SQL: an account or a post is taken by its unique IRI (`ON CONFLICT`), a reaction by its
 * key, a post is changed only by its own account (`WHERE account_id = ?`), and a notification is made once per
 * account, kind and post (on PostgreSQL while the account's row is held by a no-op UPDATE: the second writer waits
 * for the first to commit, then sees its notification; SQLite's writes take turns). Ids are snowflakes: an id another process took in the same millisecond
 * is a conflict too, and the insert is tried again with the next one.
 */
export function socialStore(rooms: RoomDb): SocialStore {
  let store = stores.get(rooms);
  if (!store) stores.set(rooms, (store = makeStore(rooms)));
  return store;
}

export type SocialStore = ReturnType<typeof makeStore>;
const stores = new WeakMap<RoomDb, SocialStore>();

/** How many fresh ids an insert tries before giving up (each conflict means another row took that id). */
const ID_TRIES = 1000;
/** Deletes of posts the pod never held, kept per server (the latest). */
export const UNHELD_DELETIONS_PER_SERVER = 1000;
/** A Delete of a post the pod never held is not remembered past this IRI length (Mastodon's are under 100). */
export const UNHELD_DELETION_MAX_IRI = 2048;

function makeStore(rooms: RoomDb) {
  const a = rooms.table(accounts);
  const s = rooms.table(statuses);
  const r = rooms.table(reactions);
  const n = rooms.table(notifications);
  const deletions = rooms.table(statusDeletions);

  // The statements every post (and every offer a followed pod sends: its post) runs, built once.
  type StatusRow = Omit<Status, "hiddenAt">;
  const STATUS_VALUES = [
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
  const accountWithIri = rooms.prepare((db, p: Placeholders<{ iri: string }>) =>
    db.select().from(a).where(eq(a.iri, p.iri)),
  );
  const statusWithIri = rooms.prepare((db, p: Placeholders<{ iri: string }>) =>
    db.select().from(s).where(eq(s.iri, p.iri)),
  );
  const insertStatus = rooms.prepare((db, p: Placeholders<StatusRow>) =>
    db
      .insert(s)
      .values(placeholdersOf(p, [...STATUS_VALUES, "id", "accountId", "kind"]))
      .onConflictDoNothing()
      .returning(),
  );
  const deletedPost = rooms.prepare((db, p: Placeholders<{ iri: string }>) =>
    db.select({ iri: deletions.iri }).from(deletions).where(eq(deletions.iri, p.iri)).limit(1),
  );
  const updateStatus = rooms.prepare((db, p: Placeholders<StatusRow>) =>
    db
      .update(s)
      .set(placeholdersOf(p, STATUS_VALUES))
      .where(
        and(
          eq(s.iri, p.iri),
          eq(s.accountId, p.accountId),
          // An edit delivered late (a retry, a resync) never replaces a newer one: versions are ISO instants.
          sql`coalesce(${p.editedAt}, ${p.publishedAt}) >= coalesce(${s.editedAt}, ${s.publishedAt})`,
        ),
      )
      .returning(),
  );

  const holdAccount = rooms.prepare((db, p: Placeholders<{ accountId: string }>) =>
    db
      .update(a)
      .set({ fetchedAt: sql`${a.fetchedAt}` })
      .where(eq(a.id, p.accountId))
      .returning({ id: a.id }),
  );
  const accountWithId = rooms.prepare((db, p: Placeholders<{ accountId: string }>) =>
    db.select({ id: a.id }).from(a).where(eq(a.id, p.accountId)),
  );
  const sameNotification = rooms.prepare(
    (db, p: Placeholders<{ accountId: string; type: Notification["type"]; statusId: string }>) =>
      db
        .select({ id: n.id })
        .from(n)
        .where(and(eq(n.accountId, p.accountId), eq(n.type, p.type), eq(n.statusId, p.statusId)))
        .limit(1),
  );
  const insertNotification = rooms.prepare((db, p: Placeholders<Notification>) =>
    db
      .insert(n)
      .values(placeholdersOf(p, ["id", "type", "accountId", "statusId", "createdAt"]))
      .onConflictDoNothing()
      .returning(),
  );

  const first = <T>(rows: T[]): T | undefined => rows[0];
  const accountByIri = async (db: RoomQueries, iri: string): Promise<Account | undefined> =>
    first(await accountWithIri(db, { iri }));
  const accountById = async (db: RoomQueries, id: string): Promise<Account | undefined> =>
    first(await db.select().from(a).where(eq(a.id, id)));
  const statusByIri = async (db: RoomQueries, iri: string): Promise<Status | undefined> =>
    first(await statusWithIri(db, { iri }));

  /** A snowflake for `at`, then later ones if it is taken (old dates share one clamped millisecond). */
  const idFor = (at: Date, tries: number) => snowflake(tries < ID_TRIES ? at : new Date());

  async function upsertAccount(db: RoomQueries, profile: AccountProfile, now: Date): Promise<Account> {
    const { createdAt, ...fields } = profile;
    const at = now.toISOString();
    for (let tries = 0; ; tries++) {
      // One statement for a new account; an IRI or id already taken is a conflict, not an error.
      const [inserted] = await db
        .insert(a)
        .values({
          ...fields,
          id: idFor(createdAt ? new Date(createdAt) : now, tries),
          local: false,
          createdAt: createdAt ?? at,
          fetchedAt: at,
        })
        .onConflictDoNothing()
        .returning();
      if (inserted) return inserted;
      // The pod's own account is never overwritten by a remote profile claiming its IRI.
      const [updated] = await db
        .update(a)
        .set({ ...fields, fetchedAt: at })
        .where(and(eq(a.iri, profile.iri), eq(a.local, false)))
        .returning();
      if (updated) return updated;
      const held = await accountByIri(db, profile.iri);
      if (held) return held;
      // Nothing holds the IRI: the id was taken by another account.
    }
  }

  /**
   * Stores a post by its IRI; an update keeps the id. Only the author's account may change an existing post, and
   * only with an edit at least as new as the one kept. Returns the row and whether it is new, or null when the IRI
   * belongs to someone else or the edit is older.
   */
  async function upsertStatus(
    db: RoomQueries,
    account: Account,
    kind: Status["kind"],
    post: PostRecord,
  ): Promise<{ status: Status; created: boolean } | null> {
    const values = {
      ...post,
      // One spelling of each instant, so that the update's condition compares them as text.
      publishedAt: sameInstant(post.publishedAt),
      editedAt: post.editedAt === null ? null : sameInstant(post.editedAt),
      mentions: JSON.stringify(post.mentions),
      accountId: account.id,
      kind,
    };
    await postTurn(db, post.iri);
    // Its author deleted it: a Create or Update that comes after the Delete does not bring it back.
    if ((await deletedPost(db, { iri: post.iri })).length > 0) return null;
    const at = new Date(Math.min(Date.parse(post.publishedAt) || Date.now(), Date.now()));
    for (let tries = 0; ; tries++) {
      const row = { ...values, id: idFor(at, tries) };
      // One statement for a new post (the common case); an IRI or id already taken is a conflict, not an error.
      const [inserted] = await insertStatus(db, row);
      if (inserted) return { status: inserted, created: true };
      // The post's own account changes it; its id and kind stay as they were.
      const [updated] = await updateStatus(db, row);
      if (updated) return { status: updated, created: false };
      if (await statusByIri(db, post.iri)) return null;
      // Nothing holds the IRI: the id was taken by another post.
    }
  }

  /**
   * On PostgreSQL, a post's writes take turns (a Delete and a late Create in two processes at once would each miss
   * the other's row); SQLite's writes take turns anyway.
   */
  const postTurn = (db: RoomQueries, iri: string) => inTurn(db, `post ${iri}`);
  async function inTurn(db: RoomQueries, key: string): Promise<void> {
    if (rooms.dialect === "postgres") await oneAtATimeWithin(db, key);
  }

  /**
   * A Delete from a post's author: the post goes and its IRI is remembered, so that a late Create or Update does
   * not bring it back. Remembered even if the pod never held the post (its Create may still be on its way), but
   * only for an IRI on the author's own server: nobody can rule out another server's posts. Whether a post went.
   *
   * Deletes of posts the pod never held cost their sender nothing to make up (and accounts on its own server
   * nothing to make either), so only each server's latest UNHELD_DELETIONS_PER_SERVER are kept, none with an
   * IRI longer than UNHELD_DELETION_MAX_IRI, and `pruneUnheldDeletions` forgets them after a while.
   */
  async function deletePostOfAuthor(db: RoomQueries, iri: string, author: Account, at: Date): Promise<boolean> {
    if (author.local || !URL.canParse(iri)) return false;
    const origin = new URL(iri).origin;
    if (origin !== new URL(author.iri).origin) return false;
    await postTurn(db, iri);
    const held = await deleteStatus(db, iri, author.id);
    const row = { iri, accountIri: author.iri, deletedAt: at.toISOString(), held, origin };
    if (held) {
      // Kept for good, even where a Delete from another account on its server was remembered first as unheld.
      await db
        .insert(deletions)
        .values(row)
        .onConflictDoUpdate({ target: deletions.iri, set: { held: true, accountIri: author.iri } });
      return true;
    }
    if (iri.length > UNHELD_DELETION_MAX_IRI) return false;
    // A server's unheld Deletes are counted and cut in turn, or two at once would each miss the other's.
    await inTurn(db, `unheld deletions ${origin}`);
    const [kept] = await db.insert(deletions).values(row).onConflictDoNothing().returning({ iri: deletions.iri });
    if (kept) await keepLatestUnheld(db, origin);
    return false;
  }

  async function keepLatestUnheld(db: RoomQueries, origin: string): Promise<void> {
    const unheld = and(eq(deletions.held, false), eq(deletions.origin, origin));
    const [{ n }] = (await db.select({ n: count() }).from(deletions).where(unheld)) as [{ n: number }];
    if (n <= UNHELD_DELETIONS_PER_SERVER) return;
    const oldest = db
      .select({ iri: deletions.iri })
      .from(deletions)
      .where(unheld)
      .orderBy(asc(deletions.deletedAt), asc(deletions.iri))
      .limit(n - UNHELD_DELETIONS_PER_SERVER);
    await db.delete(deletions).where(inArray(deletions.iri, oldest));
  }

  async function deleteStatus(db: RoomQueries, iri: string, accountId?: string): Promise<boolean> {
    const removed = await db
      .delete(s)
      .where(and(eq(s.iri, iri), accountId ? eq(s.accountId, accountId) : undefined))
      .returning({ id: s.id });
    return removed.length > 0;
  }

  /** Tells the operator, once per account, kind and post: a Like, Undo, Like loop doesn't repeat it. */
  async function notify(
    db: RoomQueries,
    type: Notification["type"],
    accountId: string,
    statusId: string | null,
    now: Date,
  ): Promise<Notification | null> {
    // On PostgreSQL, holds the account's row until the write ends: the same notification asked for at once by
    // another process waits here, then finds this one (READ COMMITTED reads what committed before each statement).
    // SQLite's writes take turns anyway, and rewriting the row cost a post more than the rest of its notification.
    const account = rooms.dialect === "postgres" ? holdAccount : accountWithId;
    if ((await account(db, { accountId })).length === 0) return null;
    const same = statusId
      ? await sameNotification(db, { accountId, type, statusId })
      : await db
          .select({ id: n.id })
          .from(n)
          .where(and(eq(n.accountId, accountId), eq(n.type, type), isNull(n.statusId)))
          .limit(1);
    if (same.length > 0) return null;
    return insertNotificationOf(db, type, accountId, statusId, now);
  }

  /**
   * Tells the operator of a post `upsertStatus` has just created in this write (a mention, a reply to the pod):
   * nothing can have told of it yet, and the post's row, inserted with the account's id under its foreign key,
   * shows the account is there. A post that was already held is not told of again.
   */
  const notifyOfNewPost = async (
    db: RoomQueries,
    upserted: { status: Status; created: boolean },
    now: Date,
  ): Promise<Notification | null> =>
    upserted.created ? insertNotificationOf(db, "mention", upserted.status.accountId, upserted.status.id, now) : null;

  async function insertNotificationOf(
    db: RoomQueries,
    type: Notification["type"],
    accountId: string,
    statusId: string | null,
    now: Date,
  ): Promise<Notification> {
    for (let tries = 0; ; tries++) {
      const [row] = await insertNotification(db, {
        id: idFor(now, tries),
        type,
        accountId,
        statusId,
        createdAt: now.toISOString(),
      });
      if (row) return row;
    }
  }

  async function addReaction(
    db: RoomQueries,
    statusId: string,
    accountId: string,
    kind: "favourite" | "reblog",
    activityIri: string,
    now: Date,
  ): Promise<boolean> {
    const added = await db
      .insert(r)
      .values({ statusId, accountId, kind, activityIri, createdAt: now.toISOString() })
      .onConflictDoNothing()
      .returning({ statusId: r.statusId });
    return added.length > 0;
  }

  /**
   * The pod's post a reply points at. Mastodon users reply to the readable Note; a pod may reply to the
   * structured object itself, whose Note lives at `<object>/note`.
   */
  async function localReplyTarget(db: RoomQueries, iri: string): Promise<Status | undefined> {
    const direct = await statusByIri(db, iri);
    if (direct) return direct;
    const [note] = await db
      .select({ s })
      .from(s)
      .innerJoin(a, eq(a.id, s.accountId))
      .where(and(eq(s.iri, `${iri.replace(/\/$/, "")}/note`), eq(a.local, true)));
    return note?.s;
  }

  /**
   * A domain block (inside moderation's write): every remote account of the domain and its subdomains goes, and
   * with it (cascade) its posts, reactions and notifications. How many accounts went.
   */
  async function removeAccountsOfDomain(db: RoomQueries, domain: string): Promise<number> {
    // The domain goes into LIKE patterns: it may hold neither `%` nor `_` (nor anything a host cannot).
    if (!/^[a-z0-9.-]+$/.test(domain)) throw new Error(`not a domain: ${domain}`);
    const removed = await db
      .delete(a)
      .where(
        and(
          eq(a.local, false),
          // `host` carries the port when there is one, and may end in the dot DNS ignores (refused since the block,
          // but kept from before it).
          or(
            ...[domain, `${domain}.`].flatMap((name) => [
              eq(a.host, name),
              like(a.host, `${name}:%`),
              like(a.host, `%.${name}`),
              like(a.host, `%.${name}:%`),
            ]),
          ),
        ),
      )
      .returning({ id: a.id });
    return removed.length;
  }

  /**
   * An account block (inside moderation's write): its posts, reactions and notifications go, its row stays. `iris`
   * are the ways its IRI may be written (with and without the trailing dot of its host).
   */
  async function removeContentOf(db: RoomQueries, iris: string[]): Promise<number> {
    const held = await db
      .select({ id: a.id })
      .from(a)
      .where(and(inArray(a.iri, iris), eq(a.local, false)));
    if (held.length === 0) return 0;
    const ids = held.map((account) => account.id);
    const posts = await db.delete(s).where(inArray(s.accountId, ids)).returning({ id: s.id });
    await db.delete(r).where(inArray(r.accountId, ids));
    await db.delete(n).where(inArray(n.accountId, ids));
    return posts.length;
  }

  return {
    /** For use inside a write the caller holds (the inbox's grouped write, a posting's write, a block). */
    within: {
      accountByIri,
      statusByIri,
      upsertAccount,
      upsertStatus,
      deleteStatus,
      notifyOfNewPost,
      addReaction,
      removeAccountsOfDomain,
      removeContentOf,
    },

    accountByIri: (iri: string) => rooms.read((db) => accountByIri(db, iri)),
    accountById: (id: string) => rooms.read((db) => accountById(db, id)),
    accountByAcct: (username: string, host: string) =>
      rooms.read(async (db) =>
        first(
          await db
            .select()
            .from(a)
            .where(and(eq(a.username, username), eq(a.host, host))),
        ),
      ),
    statusByIri: (iri: string) => rooms.read((db) => statusByIri(db, iri)),
    statusById: (id: string) => rooms.read(async (db) => first(await db.select().from(s).where(eq(s.id, id)))),
    localReplyTarget: (iri: string) => rooms.read((db) => localReplyTarget(db, iri)),

    upsertAccount: (profile: AccountProfile, now: Date) => rooms.write((db) => upsertAccount(db, profile, now)),

    /** The pod's own account row: its profile comes from the settings, the row gives it an id (made once). */
    async ensureLocalAccount(config: Config, actorIri: string, publishedAt: Date): Promise<Account> {
      const existing = await rooms.read((db) => accountByIri(db, actorIri));
      if (existing) return existing;
      const at = publishedAt.toISOString();
      return rooms.write(async (db) => {
        const [made] = await db
          .insert(a)
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
          .onConflictDoNothing({ target: a.iri })
          .returning();
        return made ?? (await accountByIri(db, actorIri))!;
      });
    },

    /** Removes an actor that deleted itself: its posts, reactions and notifications go with it (cascade). */
    removeAccount: (iri: string) =>
      rooms.write(async (db) => {
        const removed = await db
          .delete(a)
          .where(and(eq(a.iri, iri), eq(a.local, false)))
          .returning({ id: a.id });
        return removed.length > 0;
      }),

    /** Hides or shows again a remote reply (moderation); true when the post exists and is remote. */
    setStatusHidden: (id: string, hiddenAt: string | null) =>
      rooms.write(async (db) => {
        const remote = db.select({ id: a.id }).from(a).where(eq(a.local, false));
        const changed = await db
          .update(s)
          .set({ hiddenAt })
          .where(and(eq(s.id, id), inArray(s.accountId, remote)))
          .returning({ id: s.id });
        return changed.length > 0;
      }),

    upsertStatus: (account: Account, kind: Status["kind"], post: PostRecord) =>
      rooms.write((db) => upsertStatus(db, account, kind, post)),
    deleteStatus: (iri: string, accountId?: string) => rooms.write((db) => deleteStatus(db, iri, accountId)),
    deletePostOfAuthor: (iri: string, author: Account, at: Date) =>
      rooms.write((db) => deletePostOfAuthor(db, iri, author, at)),
    /** Forgets Deletes of posts the pod never held, made before `cutoff`. */
    pruneUnheldDeletions: (cutoff: Date) =>
      rooms.write(async (db) => {
        await db.delete(deletions).where(and(eq(deletions.held, false), lt(deletions.deletedAt, cutoff.toISOString())));
      }),

    /** A like or boost, counted once however often it arrives; the operator is told when it is new. */
    react: (statusId: string, accountId: string, kind: "favourite" | "reblog", activityIri: string, now: Date) =>
      rooms.write(async (db) => {
        const added = await addReaction(db, statusId, accountId, kind, activityIri, now);
        if (added) await notify(db, kind, accountId, statusId, now);
        return added;
      }),

    removeReaction: (activityIri: string, accountId: string) =>
      rooms.write(async (db) => {
        const removed = await db
          .delete(r)
          .where(and(eq(r.activityIri, activityIri), eq(r.accountId, accountId)))
          .returning({ id: r.statusId });
        return removed.length > 0;
      }),

    notify: (type: Notification["type"], accountId: string, statusId: string | null, now: Date) =>
      rooms.write((db) => notify(db, type, accountId, statusId, now)),

    /** Replies, likes and boosts of a set of posts, counted in one query each. */
    countsFor: (rows: Status[], publicOnly: boolean) =>
      rooms.read(async (db) => {
        const counts = new Map<string, Counts>(rows.map((row) => [row.id, { replies: 0, favourites: 0, reblogs: 0 }]));
        if (rows.length === 0) return counts;
        const byIri = new Map(rows.map((row) => [row.iri, row.id]));
        const replies = await db
          .select({ iri: s.inReplyToIri, n: count() })
          .from(s)
          // Others than the pod don't learn that followers-only or direct replies exist.
          .where(
            and(
              inArray(s.inReplyToIri, [...byIri.keys()]),
              isNull(s.hiddenAt),
              publicOnly ? inArray(s.visibility, ["public", "unlisted"]) : undefined,
            ),
          )
          .groupBy(s.inReplyToIri);
        for (const { iri, n } of replies) counts.get(byIri.get(iri!)!)!.replies = n;
        const reacted = await db
          .select({ statusId: r.statusId, kind: r.kind, n: count() })
          .from(r)
          .where(inArray(r.statusId, [...counts.keys()]))
          .groupBy(r.statusId, r.kind)
          .orderBy(asc(r.statusId));
        for (const { statusId, kind, n } of reacted)
          counts.get(statusId)![kind === "favourite" ? "favourites" : "reblogs"] = n;
        return counts;
      }),
  };
}

/** An ISO 8601 instant as `toISOString` spells it (milliseconds, `Z`); anything unparsable as it was. */
function sameInstant(value: string): string {
  const time = Date.parse(value);
  return Number.isFinite(time) ? new Date(time).toISOString() : value;
}
