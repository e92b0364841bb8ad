import { describe, expect, it } from "vitest";
import { categoriesCopy } from "../../src/categories/copy.ts";
import { customCategories } from "../../src/categories/schema.ts";
import { SHARED_CATEGORIES } from "../../src/categories/taxonomy.ts";
import { loadConfig } from "../../src/config/load.ts";
import type { RoomDb } from "../../src/db/room-db.ts";
import { ProblemError } from "../../src/http/problem.ts";

/**
 * The categories room's behaviour on both databases (test/integration/categories.test.ts and
 * test/postgres/categories.test.ts). The change counter another process's change bumps (SQL triggers: migrations
 * 0036 and migrations-pg 0004) is a plain number here; the real one is tested in the files above.
 */
export function describeCategoriesContract(name: string, open: () => RoomDb): void {
  describe(`${name} (categories room)`, () => {
    const config = loadConfig({ POD_URL: "http://127.0.0.1:9", DATA_DIR: "/nonexistent" });
    const now = new Date(Date.UTC(2026, 0, 1));

    async function processOf(rooms: RoomDb, version: { value: number }) {
      const categories = categoriesCopy(config, rooms, () => version.value);
      await categories.load();
      return categories;
    }
    async function emptied() {
      const rooms = open();
      await rooms.write((db) => db.delete(rooms.table(customCategories)));
      return rooms;
    }
    const problemOf = (work: () => unknown) => {
      try {
        work();
      } catch (error) {
        return error;
      }
      return undefined;
    };

    it("lists the shared taxonomy, then the pod's own categories by slug, under the pod's URL", async () => {
      const categories = await processOf(await emptied(), { value: 1 });
      expect(categories.list().map((c) => c.slug)).toEqual(SHARED_CATEGORIES.map((c) => c.slug));
      // Bytewise slug order on both databases (a linguistic collation would put "seed-swap" before "seeds").
      for (const slug of ["seeds", "seed-swap", "bikes", "9-lives"]) {
        await categories.add({ slug, label: `Label ${slug}` }, now);
      }
      const own = categories.list().filter((c) => !c.shared);
      expect(own.map((c) => c.slug)).toEqual(["9-lives", "bikes", "seed-swap", "seeds"]);
      expect(categories.find("bikes")).toEqual({
        slug: "bikes",
        label: "Label bikes",
        iri: "http://127.0.0.1:9/categories/bikes",
        shared: false,
      });
      expect(categories.find("food")).toMatchObject({ shared: true, iri: "https://w3id.org/pods/categories/food" });
      expect(categories.find("nothing")).toBeUndefined();
    });

    it("requires a known category, or answers a 400 naming the field", async () => {
      const categories = await processOf(await emptied(), { value: 1 });
      expect(categories.require("food", "body.category").slug).toBe("food");
      const error = problemOf(() => categories.require("unknown", "body.category"));
      expect(error).toBeInstanceOf(ProblemError);
      expect((error as ProblemError).problem).toMatchObject({ status: 400, field: "body.category" });
    });

    it("adds a slug once: a shared one, or one taken by another process meanwhile, is a conflict", async () => {
      const rooms = await emptied();
      const one = await processOf(rooms, { value: 1 });
      const two = await processOf(rooms, { value: 1 });
      await expect(one.add({ slug: "food", label: "Mine" }, now)).rejects.toMatchObject({
        problem: { status: 409 },
      });
      const results = await Promise.allSettled([
        one.add({ slug: "tandem", label: "From one" }, now),
        two.add({ slug: "tandem", label: "From two" }, now),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
      const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      expect(rejected.reason).toMatchObject({ problem: { status: 409 } });
      const rows = await rooms.read((db) => db.select().from(rooms.table(customCategories)));
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ slug: "tandem", description: "", createdAt: now.toISOString() });
    });

    it("renames the pod's own categories only; slug and IRI stay", async () => {
      const categories = await processOf(await emptied(), { value: 1 });
      const added = await categories.add({ slug: "bikes", label: "Bikes", description: "Two wheels" }, now);
      const renamed = await categories.rename("bikes", "Bicycles");
      expect(renamed).toEqual({ ...added, label: "Bicycles" });
      expect(categories.find("bikes")?.label).toBe("Bicycles");
      expect(await categories.rename("food", "Eats")).toBeUndefined();
      expect(categories.find("food")?.label).toBe("Food");
      expect(await categories.rename("nothing", "Eats")).toBeUndefined();
    });

    it("another process's change shows once the change counter moves, and only then", async () => {
      const rooms = await emptied();
      const version = { value: 3 };
      const one = await processOf(rooms, version);
      const two = await processOf(rooms, version);
      expect(two.refresh()).toBeUndefined(); // nothing changed: no promise, no read
      await one.add({ slug: "bikes", label: "Bikes" }, now);
      expect(two.find("bikes")).toBeUndefined();
      version.value++; // what the SQL trigger does on the insert
      const reloading = two.refresh();
      expect(reloading).toBeInstanceOf(Promise);
      expect(two.refresh()).toBe(reloading); // one read for everyone who asks meanwhile
      await reloading;
      expect(two.find("bikes")?.label).toBe("Bikes");

      // A synchronous lookup that sees the counter moved starts the reload itself (the inbox asks outside requests).
      await one.rename("bikes", "Bicycles");
      version.value++;
      expect(two.find("bikes")?.label).toBe("Bikes"); // this lookup still answers the copy it has
      for (let i = 0; i < 100 && two.find("bikes")?.label !== "Bicycles"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(two.find("bikes")?.label).toBe("Bicycles");
    });
  });
}
