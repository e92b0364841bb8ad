/**
 * The assemblies room reaches its own tables only through its stores (store.ts, store-barter.ts,
 * store-outcomes.ts, on the RoomDb): no synchronous query, transaction or event recorded in a SQLite transaction
 * anywhere in src/assemblies. Its reads of rooms not yet moved (follows, the confederation's view) stay as they are.
 */
import fs from "node:fs";
import { describe, expect, it } from "vitest";

const files = fs
  .readdirSync("src/assemblies")
  .filter((name) => name.endsWith(".ts"))
  .map((name) => `src/assemblies/${name}`);

describe("the assemblies room on the RoomDb", () => {
  it("has no .get()/.all()/.run(), db.transaction or events.record(tx) left", () => {
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const source = fs.readFileSync(file, "utf8");
      expect(source, file).not.toMatch(/\.(get|all|run)\(\)/);
      expect(source, file).not.toMatch(/\.transaction\(/);
      expect(source, file).not.toMatch(/events\.record\(/);
    }
  });

  it("touches its own tables only in its stores", () => {
    const stores = new Set([
      "src/assemblies/store.ts",
      "src/assemblies/store-barter.ts",
      "src/assemblies/store-outcomes.ts",
    ]);
    for (const file of files.filter((name) => !stores.has(name) && !/schema/.test(name))) {
      const source = fs.readFileSync(file, "utf8");
      expect(source, file).not.toMatch(/import \{[^}]*\bassembl\w+[^}]*\} from "\.\/schema(-barter)?\.ts"/);
    }
  });
});
