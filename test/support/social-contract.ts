import { and, count, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { Config } from "../../src/config/schema.ts";
import type { RoomDb } from "../../src/db/room-db.ts";
import { following } from "../../src/follows/schema.ts";
import type { Account, AccountProfile, PostRecord, Status } from "../../src/social/activitypub.ts";
import { socialQueries } from "../../src/social/queries.ts";
import { accounts, markers, notifications, reactions, statusDeletions, statuses } from "../../src/social/schema.ts";
import { socialStore, UNHELD_DELETION_MAX_IRI, UNHELD_DELETIONS_PER_SERVER } from "../../src/social/store.ts";
import { timelines } from "../../src/social/timelines.ts";

export interface SocialDatabases {
  /** The pod's RoomDb. */
  rooms: () => RoomDb;
  /** Another process's RoomDb on the same database (its own connection or pool). */
  another: () => RoomDb;
}

const config = { url: new URL("https://pod.example/"), handle: "pod" } as Config;
const POD = "https://pod.example/users/pod";
const at = new Date("2026-11-30T10:00:00Z");

/** A remote account's profile as the inbox stores it. */
export const profile = (host: string, name = "ana", extra: Partial<AccountProfile> = {}): AccountProfile => ({
  iri: `https://${host}/users/${name}`,
  username: name,
  host,
  displayName: `${name} of ${host}`,
  note: "",
  url: null,
  avatar: null,
  header: null,
  kind: "Person",
  locked: false,
  fields: "[]",
  inbox: `https://${host}/users/${name}/inbox`,
  sharedInbox: null,
  createdAt: null,
  ...extra,
});

/** A remote post as the inbox stores it, published at the contract's fixed time. */
export const post = (iri: string, extra: Partial<PostRecord> = {}): PostRecord => ({
  iri,
  url: iri,
  inReplyToIri: null,
  content: "<p>hello</p>",
  spoilerText: "",
  visibility: "public",
  language: "en",
  sensitive: false,
  mentions: [],
  publishedAt: at.toISOString(),
  editedAt: null,
  ...extra,
});

/**
 * The social room (accounts, posts, reactions, notifications, markers) on both databases: the store the inbox and
 * the Mastodon API use, its timelines and counts, and what two processes at once may do (`another()`: a second
 * connection to the SQLite file, a second pool on PostgreSQL). test/integration/social-store.test.ts and
 * test/postgres/social-store.test.ts; the HTTP shapes are the Mastodon tests' (test/e2e/mastodon-clients*.test.ts).
 */
export function describeSocialContract(name: string, databases: SocialDatabases): void {
  describe(`${name} (social room)`, () => {
    let rooms: RoomDb;
    let other: RoomDb;
    let n = 0;
    const host = () => `server${++n}.example`;

    beforeEach(async () => {
      rooms = databases.rooms();
      other = databases.another();
      await rooms.write(async (db) => {
        for (const table of [notifications, reactions, markers, statuses, statusDeletions, accounts, following])
          await db.delete(rooms.table(table));
      });
      // A cold pool would open its connections one after the other and so not race: warm both first.
      await Promise.all([rooms, other].map((on) => socialStore(on).accountByIri("https://nobody.example/")));
    });

    const rowCount = async (table: typeof accounts | typeof statuses | typeof reactions | typeof notifications) =>
      (await rooms.read((db) => db.select({ n: count() }).from(rooms.table(table))))[0]!.n;
    const local = () => socialStore(rooms).ensureLocalAccount(config, POD, at);

    it("an account upserted twice at once is one row; the pod's own account is never overwritten", async () => {
      const p = profile(host());
      const [first, second] = await Promise.all([
        socialStore(rooms).upsertAccount(p, at),
        socialStore(other).upsertAccount({ ...p, displayName: "Ana" }, at),
      ]);
      expect(first.id).toBe(second.id);
      expect(await rowCount(accounts)).toBe(1);
      const refreshed = await socialStore(rooms).upsertAccount(
        { ...p, note: "<p>new</p>" },
        new Date(at.getTime() + 1),
      );
      expect(refreshed).toMatchObject({ id: first.id, note: "<p>new</p>", local: false });

      const [mine, again] = await Promise.all([local(), socialStore(other).ensureLocalAccount(config, POD, at)]);
      expect(again.id).toBe(mine.id);
      const claimed = await socialStore(rooms).upsertAccount(
        { ...profile("pod.example", "pod"), iri: POD, displayName: "Impostor" },
        at,
      );
      expect(claimed).toMatchObject({ id: mine.id, local: true, displayName: "", username: "pod" });
      expect(await socialStore(rooms).accountByAcct("pod", "pod.example")).toMatchObject({ local: true });
      expect(await rowCount(accounts)).toBe(2);
    });

    it("a post upserted twice at once is one row, created once; only its author changes it", async () => {
      const author = await socialStore(rooms).upsertAccount(profile(host()), at);
      const iri = `${author.iri}/statuses/1`;
      const results = await Promise.all([
        socialStore(rooms).upsertStatus(author, "note", post(iri)),
        socialStore(other).upsertStatus(author, "note", post(iri, { content: "<p>edited</p>" })),
      ]);
      expect(results.map((r) => r?.created).sort()).toEqual([false, true]);
      expect(results[0]!.status.id).toBe(results[1]!.status.id);
      expect(await rowCount(statuses)).toBe(1);
      expect(await socialQueries(rooms).countStatusesOf(author.id)).toBe(1);

      const edited = await socialStore(rooms).upsertStatus(author, "note", post(iri, { content: "<p>third</p>" }));
      expect(edited).toMatchObject({ created: false, status: { id: results[0]!.status.id, content: "<p>third</p>" } });
      const someoneElse = await socialStore(rooms).upsertAccount(profile(author.host, "eve"), at);
      expect(await socialStore(rooms).upsertStatus(someoneElse, "note", post(iri))).toBeNull();
      expect((await socialStore(rooms).statusByIri(iri))?.accountId).toBe(author.id);
    });

    it("an older edit arriving late never replaces a newer one; the same edit again changes nothing", async () => {
      const author = await socialStore(rooms).upsertAccount(profile(host()), at);
      const iri = `${author.iri}/statuses/1`;
      const edit = (minutes: number, content: string) =>
        post(iri, { content, editedAt: new Date(at.getTime() + minutes * 60_000).toISOString() });
      await socialStore(rooms).upsertStatus(author, "note", post(iri, { content: "<p>first</p>" }));
      expect(await socialStore(rooms).upsertStatus(author, "note", edit(2, "<p>second</p>"))).toMatchObject({
        created: false,
        status: { content: "<p>second</p>" },
      });
      // Delivered after the newer one (a retry, another path): refused, the newer text stays.
      expect(await socialStore(rooms).upsertStatus(author, "note", edit(1, "<p>older</p>"))).toBeNull();
      expect(
        await socialStore(rooms).upsertStatus(author, "note", post(iri, { content: "<p>unedited</p>" })),
      ).toBeNull();
      expect(await socialStore(rooms).upsertStatus(author, "note", edit(2, "<p>second</p>"))).toMatchObject({
        created: false,
      });
      expect((await socialStore(rooms).statusByIri(iri))?.content).toBe("<p>second</p>");
    });

    it("a post its author deleted stays deleted: a late Create or Update, even arriving at once, does not bring it back", async () => {
      const author = await socialStore(rooms).upsertAccount(profile(host()), at);
      const iri = `${author.iri}/statuses/1`;
      await socialStore(rooms).upsertStatus(author, "note", post(iri));
      expect(await socialStore(rooms).deletePostOfAuthor(iri, author, at)).toBe(true);
      expect(await socialStore(rooms).upsertStatus(author, "note", post(iri, { content: "<p>late</p>" }))).toBeNull();
      expect(await socialStore(rooms).statusByIri(iri)).toBeUndefined();
      // Deleted before its Create arrived: the Create stays out too.
      const early = `${author.iri}/statuses/2`;
      expect(await socialStore(rooms).deletePostOfAuthor(early, author, at)).toBe(false);
      expect(await socialStore(rooms).upsertStatus(author, "note", post(early))).toBeNull();
      // Only the author's own server's IRIs: an account cannot delete another server's posts ahead of time.
      const elsewhere = `https://elsewhere.example/statuses/3`;
      expect(await socialStore(rooms).deletePostOfAuthor(elsewhere, author, at)).toBe(false);
      expect(await socialStore(rooms).upsertStatus(author, "note", post(elsewhere))).toMatchObject({ created: true });
      // A Delete and a Create at once, in two processes: the post never outlives the Delete.
      const iris = Array.from({ length: 20 }, (_, i) => `${author.iri}/statuses/race-${i}`);
      await Promise.all(
        iris.flatMap((raced) => [
          socialStore(other).deletePostOfAuthor(raced, author, at),
          socialStore(rooms).upsertStatus(author, "note", post(raced)),
        ]),
      );
      for (const raced of iris)
        expect([raced, await socialStore(rooms).statusByIri(raced)]).toEqual([raced, undefined]);
    });

    it("Deletes of posts never held: only a server's latest are kept, and only for a while; held ones stay", async () => {
      const store = socialStore(rooms);
      const author = await store.upsertAccount(profile(host()), at);
      const sibling = await store.upsertAccount(profile(author.host, "bo"), at);
      const elsewhere = await store.upsertAccount(profile(host(), "eve"), at);
      const unheld = (origin: string) =>
        rooms.read(async (db) =>
          (
            await db
              .select({ iri: statusDeletions.iri })
              .from(rooms.table(statusDeletions))
              .where(and(eq(statusDeletions.origin, origin), eq(statusDeletions.held, false)))
          ).map((row) => row.iri),
        );
      const origin = new URL(author.iri).origin;
      const held = `${author.iri}/statuses/held`;
      await store.upsertStatus(author, "note", post(held));
      expect(await store.deletePostOfAuthor(held, author, at)).toBe(true);
      const minutes = (m: number) => new Date(at.getTime() + m * 60_000);
      const madeUp = (i: number) => `${author.iri}/statuses/made-up-${i}`;
      const cap = UNHELD_DELETIONS_PER_SERVER;
      // Two processes at once, each Delete a minute later than the one before; every other one from another
      // account on the same server (accounts cost a hostile server nothing).
      await Promise.all(
        Array.from({ length: cap + 5 }, (_, i) =>
          socialStore(i % 2 ? other : rooms).deletePostOfAuthor(madeUp(i), i % 3 ? author : sibling, minutes(i + 1)),
        ),
      );
      await store.deletePostOfAuthor(`${elsewhere.iri}/statuses/1`, elsewhere, minutes(1));
      // An IRI past the limit is not remembered at all.
      const long = `${author.iri}/${"x".repeat(UNHELD_DELETION_MAX_IRI)}`;
      expect(await store.deletePostOfAuthor(long, author, minutes(cap + 10))).toBe(false);
      // The server's latest `cap` stay; its five oldest went, so their late Creates are taken again.
      const kept = new Set(await unheld(origin));
      expect(kept.has(long)).toBe(false);
      expect(kept.size).toBe(cap);
      for (let i = 0; i < 5; i++) expect(kept.has(madeUp(i))).toBe(false);
      expect(kept.has(madeUp(5)) && kept.has(madeUp(cap + 4))).toBe(true);
      expect(await store.upsertStatus(author, "note", post(madeUp(0)))).toMatchObject({ created: true });
      expect(await store.upsertStatus(author, "note", post(madeUp(5)))).toBeNull();
      expect(await unheld(new URL(elsewhere.iri).origin)).toEqual([`${elsewhere.iri}/statuses/1`]);
      // Another account on the post's server deleted it first (it did not hold it), then its author did: the
      // post is held for good, so neither the cap nor the prune lets it back.
      const contested = `${author.iri}/statuses/contested`;
      await store.upsertStatus(author, "note", post(contested));
      expect(await store.deletePostOfAuthor(contested, sibling, minutes(cap + 20))).toBe(false);
      expect(await store.statusByIri(contested)).toBeDefined();
      expect(await store.deletePostOfAuthor(contested, author, minutes(cap + 21))).toBe(true);
      // Pruned by age: what was never held and older than the cutoff goes; posts that were held stay deleted.
      await store.pruneUnheldDeletions(minutes(cap + 30));
      expect(await unheld(origin)).toEqual([]);
      expect(await unheld(new URL(elsewhere.iri).origin)).toEqual([]);
      expect(await store.upsertStatus(author, "note", post(madeUp(5)))).toMatchObject({ created: true });
      expect(await store.upsertStatus(author, "note", post(held))).toBeNull();
      expect(await store.upsertStatus(author, "note", post(contested))).toBeNull();
    });

    it("posts of one old millisecond each get an id of their own (a taken id is tried again, not an error)", async () => {
      const author = await socialStore(rooms).upsertAccount(profile(host()), at);
      const old = { publishedAt: "2001-01-01T00:00:00Z" };
      const stored = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          socialStore(i % 2 ? other : rooms).upsertStatus(author, "note", post(`${author.iri}/old/${i}`, old)),
        ),
      );
      expect(new Set(stored.map((s) => s!.status.id)).size).toBe(6);
      expect(stored.every((s) => s!.created)).toBe(true);
    });

    it("a post is deleted once: the second delete finds nothing; another account's delete is refused", async () => {
      const author = await socialStore(rooms).upsertAccount(profile(host()), at);
      const eve = await socialStore(rooms).upsertAccount(profile(author.host, "eve"), at);
      const iri = `${author.iri}/statuses/2`;
      await socialStore(rooms).upsertStatus(author, "note", post(iri));
      expect(await socialStore(rooms).deleteStatus(iri, eve.id)).toBe(false);
      const both = await Promise.all([
        socialStore(rooms).deleteStatus(iri, author.id),
        socialStore(other).deleteStatus(iri, author.id),
      ]);
      expect(both.sort()).toEqual([false, true]);
      expect(await socialStore(rooms).deleteStatus(iri)).toBe(false);
      expect(await socialStore(rooms).statusByIri(iri)).toBeUndefined();
    });

    it("a like arriving twice at once is counted once and told once; its Undo removes it once", async () => {
      const me = await local();
      const mine = (await socialStore(rooms).upsertStatus(me, "offer", post(`${config.url.origin}/offers/1/note`)))!;
      const fan = await socialStore(rooms).upsertAccount(profile(host()), at);
      const like = `${fan.iri}#likes/1`;
      const added = await Promise.all([
        socialStore(rooms).react(mine.status.id, fan.id, "favourite", like, at),
        socialStore(other).react(mine.status.id, fan.id, "favourite", like, at),
      ]);
      expect(added.sort()).toEqual([false, true]);
      const counts = await socialStore(rooms).countsFor([mine.status], false);
      expect(counts.get(mine.status.id)).toEqual({ replies: 0, favourites: 1, reblogs: 0 });
      expect(await rowCount(notifications)).toBe(1);

      expect(await socialStore(rooms).removeReaction(like, fan.id)).toBe(true);
      expect(await socialStore(rooms).removeReaction(like, fan.id)).toBe(false);
      // Liked again: counted again, but the operator was told already (a Like, Undo, Like loop is not repeated).
      expect(await socialStore(rooms).react(mine.status.id, fan.id, "favourite", `${like}b`, at)).toBe(true);
      expect(await rowCount(notifications)).toBe(1);
    });

    it("a notification is made once per account, kind and post, even asked for at once by two processes", async () => {
      const fan = await socialStore(rooms).upsertAccount(profile(host()), at);
      const made = await Promise.all([
        socialStore(rooms).notify("follow", fan.id, null, at),
        socialStore(other).notify("follow", fan.id, null, at),
        socialStore(rooms).notify("follow", fan.id, null, at),
        socialStore(other).notify("follow", fan.id, null, at),
      ]);
      expect(made.filter((row) => row !== null)).toHaveLength(1);
      expect(await socialStore(rooms).notify("follow_request", fan.id, null, at)).not.toBeNull();
      expect(await socialStore(rooms).notify("follow", "no-such-account", null, at)).toBeNull();
      expect(await rowCount(notifications)).toBe(2);
    });

    it("a new post's mention is told once, written at once by two processes; its edit and redelivery are not", async () => {
      const author = await socialStore(rooms).upsertAccount(profile(host()), at);
      const iri = `${author.iri}/statuses/mention`;
      // As the inbox does: the post and its notification in one write.
      const deliver = (on: RoomDb, content: string) =>
        on.write(async (db) => {
          const upserted = await socialStore(on).within.upsertStatus(db, author, "note", post(iri, { content }));
          return upserted && (await socialStore(on).within.notifyOfNewPost(db, upserted, at));
        });
      const told = await Promise.all([deliver(rooms, "<p>@pod hi</p>"), deliver(other, "<p>@pod hi</p>")]);
      expect(told.filter((row) => row)).toHaveLength(1);
      expect(await deliver(rooms, "<p>@pod hi, edited</p>")).toBeNull();
      const mentions = await rooms.read((db) =>
        db
          .select()
          .from(rooms.table(notifications))
          .where(eq(rooms.table(notifications).type, "mention")),
      );
      expect(mentions).toMatchObject([{ accountId: author.id, statusId: told.find((row) => row)!.statusId }]);
    });

    it("mentions: a reply to the pod's object finds its Note; the note of a remote account is not the pod's", async () => {
      const me = await local();
      const note = `${config.url.origin}/offers/9/note`;
      await socialStore(rooms).upsertStatus(me, "offer", post(note));
      expect((await socialStore(rooms).localReplyTarget(`${config.url.origin}/offers/9`))?.iri).toBe(note);
      expect((await socialStore(rooms).localReplyTarget(`${config.url.origin}/offers/9/`))?.iri).toBe(note);
      expect((await socialStore(rooms).localReplyTarget(note))?.iri).toBe(note);
      const remote = await socialStore(rooms).upsertAccount(profile(host()), at);
      await socialStore(rooms).upsertStatus(remote, "note", post(`${remote.iri}/thing/note`));
      expect(await socialStore(rooms).localReplyTarget(`${remote.iri}/thing`)).toBeUndefined();
    });

    it("timelines page by max_id, since_id and min_id, newest first, and show what each reader may see", async () => {
      const me = await local();
      const friend = await socialStore(rooms).upsertAccount(profile(host(), "friend"), at);
      const stranger = await socialStore(rooms).upsertAccount(profile(host(), "stranger"), at);
      await rooms.write(async (db) => {
        await db.insert(rooms.table(following)).values({
          actorIri: friend.iri,
          followIri: `${POD}#follow-1`,
          inbox: friend.inbox!,
          state: "accepted",
          createdAt: at.toISOString(),
        });
      });
      const write = async (account: Account, i: number, visibility: Status["visibility"] = "public") =>
        (await socialStore(rooms).upsertStatus(
          account,
          "note",
          post(`${account.iri}/s/${i}`, { visibility, publishedAt: new Date(at.getTime() + i * 1000).toISOString() }),
        ))!.status;
      const mine = [await write(me, 1), await write(me, 4, "unlisted")];
      const friends = [await write(friend, 2), await write(friend, 5, "private")];
      const strangers = [await write(stranger, 3), await write(stranger, 6, "direct")];
      const reading = timelines(rooms);
      const ids = (rows: Status[]) => rows.map((r) => r.id);

      const home = await reading.home({ limit: 10 });
      expect(ids(home)).toEqual(ids([friends[1]!, mine[1]!, friends[0]!, mine[0]!]));
      expect(ids(await reading.home({ limit: 2 }))).toEqual(ids(home.slice(0, 2)));
      expect(ids(await reading.home({ limit: 10, maxId: home[1]!.id }))).toEqual(ids(home.slice(2)));
      expect(ids(await reading.home({ limit: 10, sinceId: home[2]!.id }))).toEqual(ids(home.slice(0, 2)));
      // min_id pages forward: the oldest after it, still newest first.
      expect(ids(await reading.home({ limit: 2, minId: home[3]!.id }))).toEqual(ids(home.slice(1, 3)));

      expect(ids(await reading.public({ limit: 10 }, false))).toEqual(ids([strangers[0]!, friends[0]!, mine[0]!]));
      expect(ids(await reading.public({ limit: 10 }, true))).toEqual(ids([mine[0]!]));
      const ofFriend = (canSeePrivate: boolean) =>
        reading.ofAccount(friend.id, { limit: 10 }, { canSeePrivate, excludeReplies: false });
      expect(ids(await ofFriend(false))).toEqual(ids([friends[0]!]));
      expect(ids(await ofFriend(true))).toEqual(ids([friends[1]!, friends[0]!]));
      expect(
        ids(await reading.ofAccount(stranger.id, { limit: 10 }, { canSeePrivate: true, excludeReplies: false })),
      ).toEqual(ids([strangers[0]!]));

      // What counts show: others see public and unlisted posts; the pod sees all; NodeInfo counts the pod's shown.
      const queries = socialQueries(rooms);
      expect(await queries.postsOf(friend.id, false)).toEqual({ n: 1, last: friends[0]!.publishedAt });
      expect(await queries.postsOf(friend.id, true)).toEqual({ n: 2, last: friends[1]!.publishedAt });
      expect(await queries.countLocalPosts()).toBe(2);
      expect(await queries.countKnownDomains()).toBe(2);
      expect(await queries.postsOf("nobody", false)).toEqual({ n: 0, last: null });
    });

    it("replies are counted for others only when public or unlisted and not hidden; threads read both ways", async () => {
      const me = await local();
      const root = (await socialStore(rooms).upsertStatus(me, "note", post(`${config.url.origin}/notes/1`)))!.status;
      const ana = await socialStore(rooms).upsertAccount(profile(host()), at);
      const reply = async (i: number, visibility: Status["visibility"], to = root.iri) =>
        (await socialStore(rooms).upsertStatus(
          ana,
          "note",
          post(`${ana.iri}/r/${i}`, { inReplyToIri: to, visibility }),
        ))!.status;
      const open = await reply(1, "public");
      const followersOnly = await reply(2, "private");
      const hidden = await reply(3, "unlisted");
      const deeper = await reply(4, "public", open.iri);
      expect(await socialStore(rooms).setStatusHidden(hidden.id, at.toISOString())).toBe(true);
      expect(await socialStore(rooms).setStatusHidden(root.id, at.toISOString())).toBe(false);

      const forOthers = await socialStore(rooms).countsFor([root, open], true);
      expect(forOthers.get(root.id)?.replies).toBe(1);
      expect(forOthers.get(open.id)?.replies).toBe(1);
      expect((await socialStore(rooms).countsFor([root], false)).get(root.id)?.replies).toBe(2);

      const thread = await timelines(rooms).context(deeper);
      expect(thread.ancestors.map((s) => s.id)).toEqual([root.id, open.id]);
      const below = await timelines(rooms).context(root);
      expect(below.descendants.map((s) => s.id)).toEqual([open.id, followersOnly.id, deeper.id]);
      expect(below.descendants.map((s) => s.id)).not.toContain(hidden.id);
      expect((await timelines(rooms).repliesTo(root.iri, true)).map((r) => r.status.id)).toEqual([open.id]);
      const moderated = await timelines(rooms).repliesToPod(config.url.origin, 10);
      expect(moderated.map((r) => r.status.id)).toContain(hidden.id);
    });

    it("notifications page and filter by type; dismissing one works once; clearing empties them", async () => {
      const a = await socialStore(rooms).upsertAccount(profile(host()), at);
      const b = await socialStore(rooms).upsertAccount(profile(host()), at);
      const follow = (await socialStore(rooms).notify("follow", a.id, null, at))!;
      const request = (await socialStore(rooms).notify("follow_request", b.id, null, new Date(at.getTime() + 1)))!;
      const reading = timelines(rooms);
      expect((await reading.notifications({ limit: 10 })).map((r) => r.id)).toEqual([request.id, follow.id]);
      expect((await reading.notifications({ limit: 10 }, ["follow"])).map((r) => r.id)).toEqual([follow.id]);
      expect((await reading.notifications({ limit: 10 }, undefined, ["follow"])).map((r) => r.id)).toEqual([
        request.id,
      ]);
      expect((await reading.notifications({ limit: 10, maxId: request.id })).map((r) => r.id)).toEqual([follow.id]);
      expect(await reading.notification(follow.id)).toMatchObject({ type: "follow", accountId: a.id });
      const dismissed = await Promise.all([reading.dismiss(follow.id), timelines(other).dismiss(follow.id)]);
      expect(dismissed.sort()).toEqual([false, true]);
      await reading.clearNotifications();
      expect(await reading.notifications({ limit: 10 })).toEqual([]);
    });

    it("a marker set at once by two processes counts both settings", async () => {
      await Promise.all([
        timelines(rooms).setMarker("home", "100", at),
        timelines(other).setMarker("home", "101", at),
        timelines(rooms).setMarker("home", "102", at),
      ]);
      const [home] = await timelines(rooms).markers(["home"]);
      expect(home?.version).toBe(3);
      expect(await timelines(rooms).markers(["notifications"])).toEqual([]);
    });

    it("an account whose id (from its publication time) another account holds gets the next free one", async () => {
      const old = { createdAt: "2022-11-06T00:00:00.000Z" };
      const first = await socialStore(rooms).upsertAccount(profile(host(), "first", old), at);
      // The id the next account of that millisecond would take, held by a row written meanwhile.
      const next = (BigInt(first.id) + 1n).toString();
      const squatter = profile(host(), "squatter");
      await rooms.write((db) =>
        db
          .insert(rooms.table(accounts))
          .values({ ...squatter, id: next, local: false, createdAt: old.createdAt, fetchedAt: at.toISOString() }),
      );
      const second = await socialStore(rooms).upsertAccount(profile(host(), "second", old), at);
      expect([second.username, second.id > next]).toEqual(["second", true]);
    });

    it("search finds names in any case, with `_` and `%` as written", async () => {
      await socialStore(rooms).upsertAccount(profile(host(), "Maria_G"), at);
      await socialStore(rooms).upsertAccount(profile(host(), "mariaXg", { displayName: "100% Maria" }), at);
      const search = (term: string) =>
        socialQueries(rooms)
          .searchAccounts(term, 10, 0)
          .then((rows) => rows.map((r) => r.username).sort());
      expect(await search("maria")).toEqual(["Maria_G", "mariaXg"]);
      expect(await search("@MARIA_g")).toEqual(["Maria_G"]);
      expect(await search("100%")).toEqual(["mariaXg"]);
      expect(await search("nobody")).toEqual([]);
      // Names beyond ASCII are found as written.
      await socialStore(rooms).upsertAccount(profile(host(), "maria_ru", { displayName: "Мария" }), at);
      await socialStore(rooms).upsertAccount(profile(host(), "emile", { displayName: "Émile Zola" }), at);
      expect(await search("Мария")).toEqual(["maria_ru"]);
      expect(await search("Émile")).toEqual(["emile"]);
    });

    it("an actor that deleted itself goes with its posts and reactions; the pod's own account never does", async () => {
      const me = await local();
      const ana = await socialStore(rooms).upsertAccount(profile(host()), at);
      await socialStore(rooms).upsertStatus(ana, "note", post(`${ana.iri}/s/1`));
      expect(await socialStore(rooms).removeAccount(ana.iri)).toBe(true);
      expect(await socialStore(rooms).removeAccount(ana.iri)).toBe(false);
      expect(await socialStore(rooms).removeAccount(me.iri)).toBe(false);
      expect(await rowCount(statuses)).toBe(0);
      const row = await rooms.read((db) =>
        db
          .select()
          .from(rooms.table(accounts))
          .where(eq(rooms.table(accounts).iri, me.iri)),
      );
      expect(row).toHaveLength(1);
    });
  });
}
