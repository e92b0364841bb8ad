import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.ts";
import type { RoomDb } from "../../src/db/room-db.ts";
import { guideCopy, type GuideSources } from "../../src/memory/guide-copy.ts";
import type { Entry } from "../../src/memory/model.ts";
import {
  memoryEntries,
  memoryGuideLinks,
  memoryReviewReminders,
  memoryRevisions,
  memoryUploads,
} from "../../src/memory/schema.ts";
import { memoryStore } from "../../src/memory/store.ts";
import { uploadsStore } from "../../src/memory/uploads.ts";
import { practices } from "../../src/practices/schema.ts";
import { practicesStore } from "../../src/practices/store.ts";

export interface MemoryDatabases {
  /** The pod's RoomDb. */
  rooms: () => RoomDb;
  /** Another process's RoomDb on the same database (its own connection). */
  another: () => RoomDb;
  /** The `guides` change counter as that database's synchronous reader sees it. */
  guidesVersion: () => Promise<() => number>;
}

const AT = "2026-11-30T10:00:00.000Z";
const config = loadConfig({ POD_URL: "http://127.0.0.1:9", DATA_DIR: "/nonexistent" });

let serial = 0;
/** An entry's row with a sortable id (uuidv7-like, so the newest sorts last). */
function entryRow(kind: Entry["kind"], title: string, values: Partial<Entry> = {}): typeof memoryEntries.$inferInsert {
  const id = `01900000-0000-7000-8000-${String(++serial).padStart(12, "0")}`;
  const visibility = values.visibility ?? "internal";
  return {
    id,
    kind,
    title,
    summary: `${title}, in short`,
    body: values.body ?? `${title} body`,
    visibility,
    status: "active",
    publicationId: visibility === "public" ? `p-${id}` : null,
    language: "en",
    createdAt: AT,
    updatedAt: AT,
    ...values,
  };
}

/**
 * The memory room on both databases: test/integration/memory-store.test.ts (SQLite) and
 * test/postgres/memory-store.test.ts. Races run on two connections (two processes).
 */
export function describeMemoryContract(name: string, databases: MemoryDatabases): void {
  describe(`${name} (memory room)`, () => {
    let store: ReturnType<typeof memoryStore>;
    let other: ReturnType<typeof memoryStore>;

    beforeEach(async () => {
      const rooms = databases.rooms();
      store = memoryStore(rooms);
      other = memoryStore(databases.another());
      await rooms.write(async (db) => {
        for (const table of [memoryRevisions, memoryGuideLinks, memoryReviewReminders, memoryUploads, practices]) {
          await db.delete(rooms.table(table));
        }
        await db.delete(rooms.table(memoryEntries));
      });
    });

    const add = (row: typeof memoryEntries.$inferInsert, on = store) =>
      databases.rooms().write((db) => on.insertWithin(db, row));

    it("unknown ids: nothing found, a change answers 404 and writes nothing", async () => {
      expect(await store.find("01900000-0000-7000-8000-999999999999")).toBeUndefined();
      expect(await store.revisions("nope")).toEqual([]);
      await expect(
        databases.rooms().write((db) => store.reviseWithin(db, "nope", { title: "x" }, "", AT)),
      ).rejects.toMatchObject({ problem: { status: 404 } });
      expect(await store.list()).toEqual([]);
    });

    it("a write that throws leaves nothing: not the entry, not its search index", async () => {
      const rooms = databases.rooms();
      await expect(
        rooms.write(async (db) => {
          await store.insertWithin(db, entryRow("lesson", "Compost lesson"));
          throw new Error("after the insert");
        }),
      ).rejects.toThrow("after the insert");
      expect(await store.list()).toEqual([]);
      expect(await store.search("compost", false)).toEqual([]);
    });

    it("a withdrawn entry cannot change (409); reviews due are active, unsuperseded decisions", async () => {
      const due = await add(entryRow("decision", "Close Sundays", { reviewOn: "2026-11-01" }));
      await add(entryRow("decision", "Later", { reviewOn: "2027-11-01" }));
      const gone = await add(entryRow("decision", "Gone", { reviewOn: "2026-10-01", status: "withdrawn" }));
      expect((await store.reviewsDue("2026-11-30")).map((e) => e.id)).toEqual([due.id]);
      await expect(
        databases.rooms().write((db) => store.reviseWithin(db, gone.id, { title: "x" }, "", AT)),
      ).rejects.toMatchObject({ problem: { status: 409 } });
    });

    it("a workflow's revision is written once: six changes at once, each number once, the rest 409", async () => {
      const workflow = await add(entryRow("workflow", "Open the pantry", { body: "1. Unlock" }));
      await databases.rooms().write((db) =>
        store.addRevisionWithin(db, {
          entryId: workflow.id,
          number: 1,
          body: "1. Unlock",
          changeNote: "",
          createdAt: AT,
        }),
      );
      const change = (rooms: RoomDb, on: typeof store, body: string) =>
        rooms.write((db) => on.reviseWithin(db, workflow.id, { body }, `to ${body}`, AT));
      // Three writers in each process, all at once (on PostgreSQL each write has a pooled connection of its own).
      const results = await Promise.allSettled(
        [1, 2, 3].flatMap((n) => [
          change(databases.rooms(), store, `1. Unlock\n2. Light ${n}`),
          change(databases.another(), other, `1. Unlock\n2. Sweep ${n}`),
        ]),
      );
      const won = results.filter((r) => r.status === "fulfilled");
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      // SQLite's writes take turns, so each reads the one before and writes the next revision: all win.
      // PostgreSQL's run at once: one whose conditional UPDATE finds the revision moved is refused (409).
      expect(won.length).toBeGreaterThan(0);
      expect(lost.map((r) => r.reason.problem?.status ?? String(r.reason))).toEqual(lost.map(() => 409));
      const numbers = (await store.revisions(workflow.id)).map((r) => r.number);
      expect(numbers).toEqual(Array.from({ length: won.length + 1 }, (_, i) => won.length + 1 - i));
      expect((await store.find(workflow.id))!.revision).toBe(won.length + 1);
    });

    it("a decision is superseded once: two at once on two processes, one takes it", async () => {
      const older = await add(entryRow("decision", "Old rule"));
      const [a, b] = [await add(entryRow("decision", "Rule A")), await add(entryRow("decision", "Rule B"))];
      const supersede = (rooms: RoomDb, on: typeof store, by: string) =>
        rooms.write((db) => on.supersedeWithin(db, older.id, by, AT));
      const settled = await Promise.allSettled([
        supersede(databases.rooms(), store, a.id),
        supersede(databases.another(), other, b.id),
      ]);
      const results = settled.map((r) => (r.status === "fulfilled" ? r.value : undefined));
      const refused = settled.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      expect(refused.map((r) => r.reason.problem?.status)).toEqual([409]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await store.find(older.id))!.supersededBy).toBe(results.find(Boolean)!.supersededBy);
    });

    it("a review reminder is claimed once across processes; a released one can be claimed again", async () => {
      const key = { entryId: "e1", reviewOn: "2026-12-01", memberId: "m1" };
      const claims = await Promise.all([
        store.claimReminder(key, new Date(AT)),
        other.claimReminder(key, new Date(AT)),
        store.claimReminder(key, new Date(AT)),
        other.claimReminder(key, new Date(AT)),
      ]);
      expect(claims.filter(Boolean)).toHaveLength(1);
      await store.releaseReminder(key);
      expect(await other.claimReminder(key, new Date(AT))).toBe(true);
      expect(await store.claimReminder({ ...key, reviewOn: "2027-12-01" }, new Date(AT))).toBe(true);
    });

    it("search: prefixes; members see internal ones, the public only public ones, nobody withdrawn", async () => {
      const pantry = await add(entryRow("workflow", "Pantry opening", { visibility: "public" }));
      const secret = await add(entryRow("lesson", "Pantry keys", { body: "where the key hides" }));
      const withdrawn = await add(entryRow("decision", "Pantry hours"));
      await databases.rooms().write((db) => store.changeWithin(db, withdrawn.id, { status: "withdrawn" }));
      expect((await store.search("pant", false)).map((e) => e.id).sort()).toEqual([pantry.id, secret.id].sort());
      expect((await store.search("PANTRY", true)).map((e) => e.id)).toEqual([pantry.id]);
      expect((await store.search("pantry hides", false)).map((e) => e.id)).toEqual([secret.id]);
      expect(await store.search("key hides", true)).toEqual([]);
      // A change re-indexes: the new words are found, the old ones no more.
      await databases.rooms().write((db) => store.changeWithin(db, pantry.id, { title: "Larder opening" }));
      expect((await store.search("larder", true)).map((e) => e.id)).toEqual([pantry.id]);
    });

    it("search: hostile words are an ordinary or empty result, never an error", async () => {
      await add(entryRow("workflow", "Pantry opening", { visibility: "public" }));
      const hostile = [
        '"',
        "'",
        '" OR 1=1 --',
        "pantry' OR '1'='1",
        "*",
        "NEAR(pantry opening)",
        "pantry:* | !x & (y",
        "title:pantry",
        "\\",
        "\u0000",
        "x".repeat(10_000),
        "pantry ".repeat(2_000),
        "()&|!:*<->",
        "",
      ];
      for (const words of hostile) {
        const found = await store.search(words, true);
        expect(Array.isArray(found), JSON.stringify(words.slice(0, 20))).toBe(true);
      }
      expect(await store.search("()&|!:*<->", true)).toEqual([]);
      expect((await store.search("pantry' OR '1'='1", true)).length).toBeLessThanOrEqual(1);
    });

    it("guide links: public ones only, an old practice's too; another process's change seen", async () => {
      const rooms = databases.rooms();
      const practiceRows = Array.from({ length: 205 }, (_, n) => ({
        id: `01900000-0000-7000-9000-${String(n).padStart(12, "0")}`,
        title: `Practice ${n}`,
        summary: `Practice ${n} in short`,
        body: "",
        tags: [],
        problem: "",
        outcomes: "",
        language: "en",
        adaptedFrom: null,
        status: "published" as const,
        createdAt: AT,
        updatedAt: AT,
      }));
      await rooms.write(async (db) => {
        await db.insert(rooms.table(practices)).values(practiceRows);
      });
      const oldest = practiceRows[0]!;
      const publicFlow = await add(entryRow("workflow", "Public flow", { visibility: "public" }));
      const privateFlow = await add(entryRow("workflow", "Private flow"));
      const uploads = uploadsStore(rooms, "/tmp/none", () => new Date(AT));
      const subject = { subjectKind: "offer" as const, subjectId: "offer-1" };
      for (const [guideKind, guideId] of [
        ["practice", oldest.id],
        ["workflow", publicFlow.id],
        ["workflow", privateFlow.id],
        ["upload", "01900000-0000-7000-8000-00000000dead"],
      ] as const) {
        await store.attach({ ...subject, guideKind, guideId }, new Date(AT));
      }
      const sourcesOn = (on: RoomDb): GuideSources => {
        const s = memoryStore(on);
        const u = on === rooms ? uploads : uploadsStore(on, "/tmp/none", () => new Date(AT));
        return {
          links: s.allGuideLinks,
          practices: practicesStore(on).publishedByIds,
          entries: s.byIds,
          uploads: u.byIds,
        };
      };
      const copyHere = guideCopy(config, sourcesOn(rooms), await databases.guidesVersion(), () => {});
      await copyHere.load();
      expect(copyHere.of(subject).map((g) => g.name)).toEqual(["Practice 0", "Public flow"]);
      expect(copyHere.of({ subjectKind: "service", subjectId: "offer-1" })).toEqual([]);

      // Another process makes the public workflow internal: this copy drops it once the counter shows it.
      const version = await databases.guidesVersion();
      const before = version();
      const e = databases.another().table(memoryEntries);
      await databases.another().write(async (db) => {
        await db.update(e).set({ visibility: "internal", publicationId: null }).where(eq(e.id, publicFlow.id));
      });
      let names = copyHere.of(subject).map((g) => g.name);
      for (let round = 0; round < 100 && names.includes("Public flow"); round++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        await copyHere.refresh();
        names = copyHere.of(subject).map((g) => g.name);
      }
      expect(names).toEqual(["Practice 0"]);
      expect((await databases.guidesVersion())()).toBeGreaterThan(before);
    });
  });
}
