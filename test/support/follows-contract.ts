import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { RoomDb } from "../../src/db/room-db.ts";
import { events } from "../../src/events/schema.ts";
import { eventsStore } from "../../src/events/store.ts";
import { type EventsWithin, FOLLOW_UNDONE, FOLLOWER_ANSWERED, followChanges } from "../../src/follows/changes.ts";
import { followsCopy } from "../../src/follows/copy.ts";
import { followers, following } from "../../src/follows/schema.ts";
import { followsStore, type RemoteActorAddress } from "../../src/follows/store.ts";

/**
 * The follows room on both databases (test/integration and test/postgres follows-store.test.ts): the followers
 * and the followed, the changes that send activities (with their events, in one write), and what two writers
 * at once may do: `open` and `other` are two connections (SQLite) or the pool used twice (PostgreSQL).
 */
export function describeFollowsContract(name: string, open: () => RoomDb, other: () => RoomDb = open): void {
  describe(`${name} (the follows)`, () => {
    const at = new Date("2026-11-30T10:00:00Z");
    let n = 0;
    const actor = (host = `pod${++n}.example`): RemoteActorAddress => ({
      actorIri: `https://${host}/users/pod`,
      handle: `@pod@${host}`,
      inbox: `https://${host}/users/pod/inbox`,
      sharedInbox: `https://${host}/inbox`,
    });
    const changesOn = (rooms: RoomDb) => {
      const recorder = eventsStore(rooms);
      const within: EventsWithin = {
        recordWithin: (db, kind, payload, key) => recorder.recordWithin(db, kind, payload, key, at),
      };
      return followChanges(rooms, within, () => at);
    };
    const eventsOf = (rooms: RoomDb, kind: string, key: string) =>
      rooms.read(async (db) => {
        const t = rooms.table(events);
        return db
          .select({ payload: t.payload })
          .from(t)
          .where(and(eq(t.kind, kind), eq(t.orderingKey, key)));
      });
    const setUp = () => {
      const rooms = open();
      return { rooms, store: followsStore(rooms), changes: changesOn(rooms) };
    };

    it("records a follower once, keeps its address fresh and keeps an accepted follower accepted", async () => {
      const { store, changes } = setUp();
      const a = actor();
      const first = await changes.followerAsked(a, `${a.actorIri}#f1`, "accepted", "pod");
      expect(first).toMatchObject({
        created: true,
        row: { state: "accepted", kind: "pod", acceptedAt: at.toISOString() },
      });
      const moved = { ...a, inbox: `${a.actorIri}/new-inbox`, handle: "@renamed@x" };
      const again = await changes.followerAsked(moved, `${a.actorIri}#f2`, "pending", "pod");
      expect(again.created).toBe(false);
      expect(again.row).toMatchObject({ state: "accepted", followIri: `${a.actorIri}#f2`, inbox: moved.inbox });
      expect(await store.getFollower(a.actorIri)).toEqual(again.row);
      expect(await store.getFollower("https://nobody.example/users/x")).toBeUndefined();
    });

    it("refuses an address on another host than its actor, storing nothing", async () => {
      const { store, changes } = setUp();
      const a = { ...actor(), inbox: "https://elsewhere.example/inbox" };
      await expect(changes.followerAsked(a, `${a.actorIri}#f`, "accepted", "pod")).rejects.toThrow(/refusing/);
      expect(await store.getFollower(a.actorIri)).toBeUndefined();
    });

    it("lists followers by state in IRI order, in pages, by prefix and by audience, and counts them", async () => {
      const rooms = open();
      await rooms.write(async (db) => {
        await db.delete(rooms.table(followers));
      });
      const { store, changes } = setUp();
      const hosts = ["b.list.example", "a.list.example", "c.list.example", "d.list.example"];
      const kinds = ["pod", "social", "unknown", "pod"] as const;
      for (const [i, host] of hosts.entries()) {
        const a = actor(host);
        await changes.followerAsked(a, `${a.actorIri}#f`, i === 3 ? "pending" : "accepted", kinds[i]!);
      }
      const iris = (rows: { actorIri: string }[]) => rows.map((r) => new URL(r.actorIri).host);
      expect(iris(await store.listFollowers("accepted"))).toEqual([
        "a.list.example",
        "b.list.example",
        "c.list.example",
      ]);
      const page = await store.listFollowers("accepted", { limit: 2 });
      expect(iris(page)).toEqual(["a.list.example", "b.list.example"]);
      expect(iris(await store.listFollowers("accepted", { after: page[1]!.actorIri, limit: 2 }))).toEqual([
        "c.list.example",
      ]);
      expect(iris(await store.listFollowers("accepted", {}, "https://b.list.example/"))).toEqual(["b.list.example"]);
      expect(iris(await store.listFollowers("pending"))).toEqual(["d.list.example"]);
      expect(iris(await store.followersFor("pods"))).toEqual(["b.list.example", "c.list.example"]);
      expect(iris(await store.followersFor("people"))).toEqual(["a.list.example", "c.list.example"]);
      expect(await store.countFollowers()).toBe(3);
      expect(await store.countFollowers("pending")).toBe(1);
    });

    it("records our follow pending, takes one answer to it, ignores repeats and other Follows' answers", async () => {
      const { store, changes } = setUp();
      const a = actor();
      const sent = await changes.follow(a, `${a.actorIri}#ours`);
      expect(sent).toMatchObject({ state: "pending", respondedAt: null });
      expect(await store.answerFollowing(a.actorIri, "accepted", at, `${a.actorIri}#someone-else`)).toBeUndefined();
      expect(await store.answerFollowing(a.actorIri, "accepted", at, sent.followIri)).toMatchObject({
        state: "accepted",
      });
      expect(await store.answerFollowing(a.actorIri, "accepted", at)).toBeUndefined();
      expect(await store.findFollowingByHandle(a.handle!)).toMatchObject({ state: "accepted" });
      // Asked again: a new Follow id, pending again.
      expect(await changes.follow(a, `${a.actorIri}#again`)).toMatchObject({ state: "pending" });
      expect(await store.answerFollowing(a.actorIri, "rejected", at)).toMatchObject({ state: "rejected" });
      expect(await store.answerFollowing("https://nobody.example/u", "accepted", at)).toBeUndefined();
    });

    it("lists and counts whom the pod follows, by state, in pages", async () => {
      const rooms = open();
      await rooms.write(async (db) => {
        await db.delete(rooms.table(following));
      });
      const { store, changes } = setUp();
      for (const host of ["b.f.example", "a.f.example", "c.f.example"]) {
        const a = actor(host);
        await changes.follow(a, `${a.actorIri}#f`);
        if (host !== "c.f.example") await store.answerFollowing(a.actorIri, "accepted", at);
      }
      const hosts = (rows: { actorIri: string }[]) => rows.map((r) => new URL(r.actorIri).host);
      expect(hosts(await store.listFollowing({}, "accepted"))).toEqual(["a.f.example", "b.f.example"]);
      expect(hosts(await store.listFollowing({ limit: 2 }))).toEqual(["a.f.example", "b.f.example"]);
      expect(hosts(await store.listFollowing({ after: "https://b.f.example/users/pod" }))).toEqual(["c.f.example"]);
      expect(await store.countFollowing()).toBe(2);
      expect(await store.countFollowing("pending")).toBe(1);
    });

    it("a throw within a write leaves neither the follower nor its event", async () => {
      const rooms = open();
      const a = actor();
      const store = followsStore(rooms);
      const recorder = eventsStore(rooms);
      await expect(
        rooms.write(async (db) => {
          await store.recordFollowerWithin(db, a, `${a.actorIri}#f`, "accepted", at, "pod");
          await recorder.recordWithin(db, FOLLOWER_ANSWERED, {}, a.actorIri, at);
          throw new Error("changed its mind");
        }),
      ).rejects.toThrow("changed its mind");
      expect(await store.getFollower(a.actorIri)).toBeUndefined();
      expect(await eventsOf(rooms, FOLLOWER_ANSWERED, a.actorIri)).toEqual([]);
    });

    it("unknown actors: nothing to approve, reject or unfollow, and nothing recorded", async () => {
      const { rooms, changes } = setUp();
      const iri = "https://unknown.example/users/x";
      expect(await changes.approve(iri)).toBeUndefined();
      expect(await changes.reject(iri)).toBeUndefined();
      expect(await changes.unfollow(iri)).toBeUndefined();
      expect(await eventsOf(rooms, FOLLOWER_ANSWERED, iri)).toEqual([]);
      expect(await eventsOf(rooms, FOLLOW_UNDONE, iri)).toEqual([]);
    });

    describe("two writers at once", () => {
      // Several rounds: which writer goes first varies, and a missing guard shows in some order of the two.
      const ROUNDS = 8;

      it("the same Follow arriving twice at once makes one new follower (the operator is told once)", async () => {
        for (let round = 0; round < ROUNDS; round++) {
          const a = actor();
          const results = await Promise.all(
            [open(), other()].map((rooms) => changesOn(rooms).followerAsked(a, `${a.actorIri}#f`, "pending", "pod")),
          );
          expect(results.filter((r) => r.created)).toHaveLength(1);
        }
      });

      it("a request approved by two coordinators at once is accepted once: one Accept", async () => {
        const { rooms, changes } = setUp();
        const a = actor();
        await changes.followerAsked(a, `${a.actorIri}#f`, "pending", "pod");
        const answers = await Promise.all([changes.approve(a.actorIri), changesOn(other()).approve(a.actorIri)]);
        expect(answers.filter(Boolean)).toHaveLength(1);
        expect(await eventsOf(rooms, FOLLOWER_ANSWERED, a.actorIri)).toHaveLength(1);
      });

      it("a request approved and rejected at once gets one answer, and the row shows which", async () => {
        const { rooms, store, changes } = setUp();
        for (let round = 0; round < ROUNDS; round++) {
          const a = actor();
          await changes.followerAsked(a, `${a.actorIri}#f`, "pending", "pod");
          const approve = () => changes.approve(a.actorIri);
          const reject = () => changesOn(other()).reject(a.actorIri);
          // Asked in either order: the second one asked may still commit first.
          const [approved, rejected] =
            round % 2 ? (await Promise.all([reject(), approve()])).reverse() : await Promise.all([approve(), reject()]);
          expect([approved, rejected].filter(Boolean)).toHaveLength(1);
          const sent = await eventsOf(rooms, FOLLOWER_ANSWERED, a.actorIri);
          expect(sent).toHaveLength(1);
          expect(JSON.parse(sent[0]!.payload).accepted).toBe(approved !== undefined);
          expect((await store.getFollower(a.actorIri))?.state).toBe(approved ? "accepted" : undefined);
        }
      });

      it("an Accept of our Follow delivered twice at once is applied once", async () => {
        const { store, changes } = setUp();
        const a = actor();
        const sent = await changes.follow(a, `${a.actorIri}#f`);
        const applied = await Promise.all([
          store.answerFollowing(a.actorIri, "accepted", at, sent.followIri),
          followsStore(other()).answerFollowing(a.actorIri, "accepted", at, sent.followIri),
        ]);
        expect(applied.filter(Boolean)).toHaveLength(1);
      });

      it("an Undo while the request is approved: no follower left, an Accept only if approved", async () => {
        const { rooms, store, changes } = setUp();
        const a = actor();
        await changes.followerAsked(a, `${a.actorIri}#f`, "pending", "pod");
        const [approved, left] = await Promise.all([
          changes.approve(a.actorIri),
          followsStore(other()).removeFollower(a.actorIri),
        ]);
        expect(left).toBeDefined();
        expect(await store.getFollower(a.actorIri)).toBeUndefined();
        expect(await eventsOf(rooms, FOLLOWER_ANSWERED, a.actorIri)).toHaveLength(approved ? 1 : 0);
      });

      it("our follow ended twice at once (its Accept arriving meanwhile): one Undo, no row left", async () => {
        const { rooms, store, changes } = setUp();
        const a = actor();
        const sent = await changes.follow(a, `${a.actorIri}#f`);
        const [one, two] = await Promise.all([
          changes.unfollow(a.actorIri),
          changesOn(other()).unfollow(a.actorIri),
          followsStore(other()).answerFollowing(a.actorIri, "accepted", at, sent.followIri),
        ]);
        expect([one, two].filter(Boolean)).toHaveLength(1);
        expect(await eventsOf(rooms, FOLLOW_UNDONE, a.actorIri)).toHaveLength(1);
        expect(await store.getFollowing(a.actorIri)).toBeUndefined();
        // The Accept of a follow already ended changes nothing.
        expect(await store.answerFollowing(a.actorIri, "accepted", at, sent.followIri)).toBeUndefined();
      });
    });

    describe("the copy in memory (synchronous readers and the inbox)", () => {
      it("answers from memory; this process's change counts at once, another's once the counter moves", async () => {
        const rooms = open();
        let counter = 0;
        const copy = followsCopy(rooms, { following: () => counter, followers: () => counter }, () => {});
        const { changes } = setUp();
        const a = actor();
        await changes.follow(a, `${a.actorIri}#f`);
        await followsStore(rooms).answerFollowing(a.actorIri, "accepted", at);
        await copy.load();
        expect(copy.followsAccepted(a.actorIri)).toBe(true);
        expect(copy.getFollowing(a.actorIri)?.state).toBe("accepted");
        // Another process ends the follow: the copy keeps its answer until the counter moves.
        await changesOn(other()).unfollow(a.actorIri);
        expect(copy.followsAccepted(a.actorIri)).toBe(true);
        counter++;
        expect(await copy.followsAccepted(a.actorIri)).toBe(false);
        // This process's own change (told to the copy) counts at the very next question.
        await changes.follow(a, `${a.actorIri}#again`);
        await followsStore(rooms).answerFollowing(a.actorIri, "accepted", at);
        copy.followingChanged();
        expect(await copy.followsAccepted(a.actorIri)).toBe(true);
      });

      it("a pending follow is read, not answered from memory: another process's Accept counts at once", async () => {
        const rooms = open();
        const copy = followsCopy(rooms, { following: () => 1, followers: () => 1 }, () => {});
        const a = actor();
        const sent = await changesOn(rooms).follow(a, `${a.actorIri}#f`);
        await copy.load();
        expect(await copy.followsAccepted(a.actorIri)).toBe(false);
        await followsStore(other()).answerFollowing(a.actorIri, "accepted", at, sent.followIri);
        expect(await copy.followsAccepted(a.actorIri)).toBe(true);
      });

      it("counts followers and reads them by IRI", async () => {
        const rooms = open();
        const copy = followsCopy(rooms, { following: () => 1, followers: () => 1 }, () => {});
        const a = actor();
        await changesOn(rooms).followerAsked(a, `${a.actorIri}#f`, "accepted", "social");
        await copy.load();
        expect(copy.getFollower(a.actorIri)?.kind).toBe("social");
        expect(copy.countFollowers()).toBe(await followsStore(rooms).countFollowers());
      });
    });
  });
}
