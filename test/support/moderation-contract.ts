import { eq, inArray } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import { describe, expect, it } from "vitest";
import type { ViewRecord } from "../../src/confederation/from-as.ts";
import { neighborPods, viewObjects } from "../../src/confederation/schema.ts";
import { viewStore } from "../../src/confederation/store.ts";
import type { RoomDb } from "../../src/db/room-db.ts";
import { events } from "../../src/events/schema.ts";
import { eventsStore } from "../../src/events/store.ts";
import { followers, following } from "../../src/follows/schema.ts";
import { followsStore } from "../../src/follows/store.ts";
import { blockLists } from "../../src/moderation/copy.ts";
import { blockedAccounts, blockedDomains, reports } from "../../src/moderation/schema.ts";
import type { Report } from "../../src/moderation/store.ts";
import {
  type ModerationRooms,
  moderationWrites,
  OPEN_REPORTS_PER_ACTOR,
  REPORT_SENT,
  type RecordEvent,
} from "../../src/moderation/writes.ts";
import { accounts, notifications, reactions, statuses } from "../../src/social/schema.ts";
import { socialStore } from "../../src/social/store.ts";
import { viewOfferRecord } from "./view-record.ts";

export interface ModerationDatabases {
  /** The pod's RoomDb. */
  rooms: () => RoomDb;
  /** Another process's RoomDb on the same database (its own connection or pool). */
  another: () => RoomDb;
}

const at = new Date("2026-11-30T10:00:00.000Z");
let made = 0;

/** What src/pod.ts hands moderation: the other rooms' `…Within` functions, on this RoomDb. */
export function forgettingOn(rooms: RoomDb): ModerationRooms {
  const social = socialStore(rooms);
  return {
    forgetDomainAccountsWithin: social.within.removeAccountsOfDomain,
    forgetAccountWithin: social.within.removeContentOf,
    forgetPodsWithin: viewStore(rooms).removePodsWithin,
    endRelationsWithin: followsStore(rooms).removeRelationsWithin,
  };
}

const recordOn =
  (rooms: RoomDb): RecordEvent =>
  (db, kind, payload, key) =>
    eventsStore(rooms).recordWithin(db, kind, payload, key, at);

const offer = (podIri: string, iri: string): ViewRecord => viewOfferRecord(iri, podIri);

/**
 * The moderation room on both databases: the very writes the service makes (src/moderation/writes.ts: a block with
 * what the social room, the confederal view and the follows forget of it, in one RoomDb write; reports) and the
 * block lists kept in memory (copy.ts). test/integration/moderation-store.test.ts (SQLite, a second connection to
 * the file as a second process) and test/postgres/moderation-store.test.ts (a second pool). The HTTP behaviour:
 * test/e2e/moderation.test.ts, test/integration/moderation-refuses.test.ts.
 */
export function describeModerationContract(name: string, databases: ModerationDatabases): void {
  describe(`${name} (the moderation room)`, () => {
    const writesOn = (rooms: RoomDb, forgetting = forgettingOn(rooms), record = recordOn(rooms)) =>
      moderationWrites(rooms, forgetting, record);

    /** A server's world as the pod holds it: accounts with posts, reactions and notifications, pods, follows. */
    async function seed(rooms: RoomDb, hosts: string[], localHost: string) {
      const a = rooms.table(accounts);
      const s = rooms.table(statuses);
      const view = viewStore(rooms);
      const follows = followsStore(rooms);
      const iso = at.toISOString();
      const local = { id: uuidv7(), iri: `https://${localHost}/users/me`, username: "me", host: localHost };
      const localPost = uuidv7();
      await rooms.write(async (db) => {
        await db.insert(a).values({ ...local, local: true, createdAt: iso, fetchedAt: iso });
        await db.insert(s).values({
          id: localPost,
          iri: `${local.iri}/posts/1`,
          accountId: local.id,
          kind: "note",
          content: "<p>Hello</p>",
          visibility: "public",
          publishedAt: iso,
        });
        for (const host of hosts) {
          const hostname = host.replace(/:\d+$/, "");
          const actorIri = `https://${host}/users/pod`;
          const id = uuidv7();
          await db.insert(a).values({ id, iri: actorIri, username: "pod", host, createdAt: iso, fetchedAt: iso });
          const post = uuidv7();
          await db.insert(s).values({
            id: post,
            iri: `${actorIri}/posts/1`,
            accountId: id,
            kind: "note",
            content: "<p>Hi</p>",
            visibility: "public",
            publishedAt: iso,
          });
          await db.insert(rooms.table(reactions)).values({
            statusId: localPost,
            accountId: id,
            kind: "favourite",
            activityIri: `${actorIri}/likes/1`,
            createdAt: iso,
          });
          await db
            .insert(rooms.table(notifications))
            .values({ id: uuidv7(), type: "favourite", accountId: id, statusId: localPost, createdAt: iso });
          await view.upsertWithin(db, offer(actorIri, `${actorIri.replace("/users/pod", "")}/offers/1`), {
            viaIri: actorIri,
            at,
          });
          await view.upsertNeighborPodWithin(db, { actorIri, name: hostname, handle: null, url: null }, at);
          const address = { actorIri, handle: null, inbox: `${actorIri}/inbox`, sharedInbox: null };
          await follows.recordFollowerWithin(db, address, `${actorIri}#follow`, "accepted", at, "pod");
          await follows.recordFollowingWithin(db, address, `${actorIri}#followed`, at);
        }
      });
      return { local };
    }

    /** What the pod still holds of each host: [accounts, posts, reactions, notifications, view objects, pods, followers, following]. */
    async function heldOf(rooms: RoomDb, host: string) {
      const actorIri = `https://${host}/users/pod`;
      return rooms.read(async (db) => {
        const a = rooms.table(accounts);
        const [account] = await db.select({ id: a.id }).from(a).where(eq(a.iri, actorIri));
        const s = rooms.table(statuses);
        const r = rooms.table(reactions);
        const n = rooms.table(notifications);
        const v = rooms.table(viewObjects);
        const p = rooms.table(neighborPods);
        const fr = rooms.table(followers);
        const fg = rooms.table(following);
        return [
          account ? 1 : 0,
          account ? (await db.select().from(s).where(eq(s.accountId, account.id))).length : 0,
          account ? (await db.select().from(r).where(eq(r.accountId, account.id))).length : 0,
          account ? (await db.select().from(n).where(eq(n.accountId, account.id))).length : 0,
          (await db.select().from(v).where(eq(v.podIri, actorIri))).length,
          (await db.select().from(p).where(eq(p.actorIri, actorIri))).length,
          (await db.select().from(fr).where(eq(fr.actorIri, actorIri))).length,
          (await db.select().from(fg).where(eq(fg.actorIri, actorIri))).length,
        ];
      });
    }
    const ALL = [1, 1, 1, 1, 1, 1, 1, 1];
    const NOTHING = [0, 0, 0, 0, 0, 0, 0, 0];

    const domainRows = (rooms: RoomDb, domain: string) =>
      rooms.read((db) =>
        db
          .select()
          .from(rooms.table(blockedDomains))
          .where(eq(rooms.table(blockedDomains).domain, domain)),
      );

    it("a domain block forgets the domain's and its subdomains' accounts, posts, pods and follows in one write", async () => {
      const rooms = databases.rooms();
      const domain = `social${++made}.example`;
      const gone = [domain, `eu.${domain}`, `${domain}:8443`, `a.b.${domain}:444`, `${domain}.`, `eu.${domain}.:8443`];
      const kept = [`evil-${domain}`, `${domain}.evil.example`, `x${domain}`];
      const { local } = await seed(rooms, [...gone, ...kept], domain);
      const outcome = await writesOn(rooms).blockDomain({ domain, reason: "spam", createdAt: at.toISOString() });
      expect(outcome.added).toBe(true);
      expect(outcome.relations).toEqual({ followers: gone.length, following: gone.length });
      // accounts + view objects + followers + following, of each host gone
      expect(outcome.forgotten).toBe(gone.length * 4);
      for (const host of gone) expect([host, await heldOf(rooms, host)]).toEqual([host, NOTHING]);
      for (const host of kept) expect([host, await heldOf(rooms, host)]).toEqual([host, ALL]);
      // The pod's own account on that host (a local row) stays.
      const a = rooms.table(accounts);
      expect(await rooms.read((db) => db.select({ id: a.id }).from(a).where(eq(a.iri, local.iri)))).toHaveLength(1);
      expect(await domainRows(rooms, domain)).toEqual([{ domain, reason: "spam", createdAt: at.toISOString() }]);
    });

    it("a block whose later part throws leaves nothing: the block row too", async () => {
      const rooms = databases.rooms();
      const domain = `broken${++made}.example`;
      await seed(rooms, [domain], `pod${made}.example`);
      const failing: ModerationRooms = {
        ...forgettingOn(rooms),
        endRelationsWithin: async () => {
          throw new Error("the follows failed");
        },
      };
      await expect(
        writesOn(rooms, failing).blockDomain({ domain, reason: "", createdAt: at.toISOString() }),
      ).rejects.toThrow("the follows failed");
      expect(await domainRows(rooms, domain)).toEqual([]);
      expect(await heldOf(rooms, domain)).toEqual(ALL);

      const actorIri = `https://${domain}/users/pod`;
      await expect(
        writesOn(rooms, failing).blockAccount({ actorIri, handle: "", reason: "", createdAt: at.toISOString() }),
      ).rejects.toThrow("the follows failed");
      const b = rooms.table(blockedAccounts);
      expect(await rooms.read((db) => db.select().from(b).where(eq(b.actorIri, actorIri)))).toEqual([]);
      expect(await heldOf(rooms, domain)).toEqual(ALL);
    });

    it("blocking twice keeps the first block; unblocking removes it once", async () => {
      const rooms = databases.rooms();
      const writes = writesOn(rooms);
      const domain = `twice${++made}.example`;
      expect((await writes.blockDomain({ domain, reason: "first", createdAt: at.toISOString() })).added).toBe(true);
      const again = await writes.blockDomain({ domain, reason: "second", createdAt: new Date().toISOString() });
      expect(again).toEqual({ added: false, forgotten: 0, relations: { followers: 0, following: 0 } });
      expect(await domainRows(rooms, domain)).toEqual([{ domain, reason: "first", createdAt: at.toISOString() }]);
      expect(await writes.store.removeBlockedDomain(domain)).toBe(true);
      expect(await writes.store.removeBlockedDomain(domain)).toBe(false);
      expect(await domainRows(rooms, domain)).toEqual([]);

      const actorIri = `https://${domain}/users/someone`;
      const row = { actorIri, handle: "@someone@x", reason: "", createdAt: at.toISOString() };
      expect((await writes.blockAccount(row)).added).toBe(true);
      expect((await writes.blockAccount({ ...row, handle: "other" })).added).toBe(false);
      expect((await writes.store.listBlockedAccounts()).filter((r) => r.actorIri === actorIri)).toEqual([row]);
      expect(await writes.store.removeBlockedAccount(actorIri)).toBe(true);
      expect(await writes.store.removeBlockedAccount(actorIri)).toBe(false);
    });

    it("an account block forgets its posts, reactions, notifications, pod and follows; its row and its server stay", async () => {
      const rooms = databases.rooms();
      const domain = `account${++made}.example`;
      const neighbor = `other.${domain}`;
      // The same account, stored before the block with its host's trailing dot (which DNS and TLS ignore).
      const dotted = `${domain}.`;
      await seed(rooms, [domain, dotted, neighbor], `pod${made}.example`);
      const actorIri = `https://${domain}/users/pod`;
      const outcome = await writesOn(rooms).blockAccount({
        actorIri,
        handle: `@pod@${domain}`,
        reason: "",
        createdAt: at.toISOString(),
      });
      // posts + view objects + followers + following, of both spellings
      expect(outcome).toEqual({ added: true, forgotten: 8, relations: { followers: 2, following: 2 } });
      expect(await heldOf(rooms, domain)).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
      expect(await heldOf(rooms, dotted)).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
      expect(await heldOf(rooms, neighbor)).toEqual(ALL);
    });

    it("the block lists of another process follow the change counter; this process's own load sees its block", async () => {
      const here = databases.rooms();
      const there = databases.another();
      const errors: unknown[] = [];
      const lists = blockLists(there, there.version("moderation", 0), (error) => errors.push(error));
      await lists.load();
      const domain = `listed${++made}.example`;
      const actor = `https://${domain}/users/someone`;
      const account = `https://acct${made}.example/users/troll`;
      expect(lists.refuses(actor)).toBe(false);
      const writes = writesOn(here);
      await writes.blockDomain({ domain, reason: "", createdAt: at.toISOString() });
      await writes.blockAccount({ actorIri: account, handle: "", reason: "", createdAt: at.toISOString() });
      // What the request hook does before the inbox asks, at most 100 times 20 ms (PostgreSQL's counter is read
      // in the background).
      for (let i = 0; i < 100 && !(lists.refuses(actor) && lists.refuses(account)); i++) {
        await lists.refresh();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(lists.refuses(actor)).toBe(true);
      expect(lists.refuses(`https://eu.${domain}:8443/users/x#main-key`)).toBe(true);
      expect(lists.refuses(`https://evil-${domain}/users/someone`)).toBe(false);
      expect(lists.blocksAccount(account)).toBe(true);
      expect(lists.blocksDomainOf(account)).toBe(false);
      expect(lists.blocksDomainOf(actor)).toBe(true);

      await writes.store.removeBlockedDomain(domain);
      for (let i = 0; i < 100 && lists.refuses(actor); i++) {
        await lists.refresh();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(lists.refuses(actor)).toBe(false);
      expect(lists.refuses(account)).toBe(true);

      // The process that blocked loads at once (the service awaits it after its write).
      const own = blockLists(here, here.version("moderation"), (error) => errors.push(error));
      await own.load();
      await writes.blockDomain({ domain, reason: "", createdAt: at.toISOString() });
      await own.load();
      expect(own.refuses(actor)).toBe(true);
      expect(errors).toEqual([]);
    });

    const received = (actorIri: string, activityIri = `${actorIri}/flags/${uuidv7()}`): Report => ({
      id: uuidv7(),
      direction: "received",
      activityIri,
      actorIri,
      objects: "[]",
      comment: "",
      createdAt: at.toISOString(),
      closedAt: null,
    });
    const reportsFrom = async (rooms: RoomDb, actorIri: string) => {
      const t = rooms.table(reports);
      return rooms.read((db) => db.select().from(t).where(eq(t.actorIri, actorIri)));
    };
    /** Both processes' writes, their pools warm (a cold pool's first connection would come too late to race). */
    const bothWarm = async () => {
      const one = writesOn(databases.rooms());
      const two = writesOn(databases.another());
      await Promise.all([one.store.listReports("received", 1), two.store.listReports("received", 1)]);
      return [one, two];
    };

    it("keeps at most five open reports per sender, however many arrive at once from two processes", async () => {
      const [one, two] = await bothWarm();
      const flooder = `https://flood${++made}.example/actor`;
      const kept = await Promise.all(
        Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? one! : two!).receiveReport(received(flooder))),
      );
      expect(kept.filter(Boolean)).toHaveLength(OPEN_REPORTS_PER_ACTOR);
      expect(await reportsFrom(databases.rooms(), flooder)).toHaveLength(OPEN_REPORTS_PER_ACTOR);
      // Another sender is not held back, and a closed report makes room again.
      const other = `https://calm${made}.example/actor`;
      expect(await one!.receiveReport(received(other))).toBe(true);
      const [first] = await reportsFrom(databases.rooms(), flooder);
      expect(await one!.store.closeReport(first!.id, at.toISOString())).toBe(true);
      expect(await two!.receiveReport(received(flooder))).toBe(true);
      expect(await two!.receiveReport(received(flooder))).toBe(false);
    });

    it("keeps a Flag delivered twice (to two processes at once, then again) once", async () => {
      const [one, two] = await bothWarm();
      const sender = `https://twice${++made}.example/actor`;
      const flag = `${sender}/flags/1`;
      const kept = await Promise.all([
        one!.receiveReport(received(sender, flag)),
        two!.receiveReport(received(sender, flag)),
      ]);
      expect(kept.sort()).toEqual([false, true]);
      expect(await one!.receiveReport(received(sender, flag))).toBe(false);
      expect(await reportsFrom(databases.rooms(), sender)).toHaveLength(1);
    });

    it("a sent report and the event that delivers its Flag are written together, or neither", async () => {
      const rooms = databases.rooms();
      const target = `https://sent${++made}.example/users/bad`;
      const report = (): Report => ({
        ...received(target, `https://pod.example/reports/${uuidv7()}`),
        direction: "sent",
      });
      const recipient = { actorIri: target, inbox: `${target}/inbox`, sharedInbox: null };
      const kept = report();
      await writesOn(rooms).sendReport(kept, recipient);
      const e = rooms.table(events);
      const eventsFor = () =>
        rooms.read((db) =>
          db
            .select({ payload: e.payload })
            .from(e)
            .where(inArray(e.kind, [REPORT_SENT])),
        );
      const payloads = (await eventsFor()).map((row) => JSON.parse(row.payload) as { report: Report });
      expect(payloads.filter((p) => p.report.actorIri === target).map((p) => p.report)).toEqual([kept]);
      expect(await reportsFrom(rooms, target)).toEqual([kept]);

      const failing: RecordEvent = async (db, kind, payload, key) => {
        await recordOn(rooms)(db, kind, payload, key);
        throw new Error("the event failed");
      };
      await expect(writesOn(rooms, forgettingOn(rooms), failing).sendReport(report(), recipient)).rejects.toThrow(
        "the event failed",
      );
      expect(await reportsFrom(rooms, target)).toEqual([kept]);
      expect((await eventsFor()).filter((row) => row.payload.includes(target))).toHaveLength(1);
    });
  });
}
