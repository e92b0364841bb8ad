import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "../../src/db/client.ts";
import { groupCommit } from "../../src/db/group-commit.ts";

describe("group commit", () => {
  let dir: string;
  let handle: DatabaseHandle;
  /** The write-ahead log's size: each commit appends the pages it changed (no checkpoints in these tests). */
  const walBytes = () => fs.statSync(path.join(dir, "db.sqlite-wal")).size;
  const names = () =>
    handle.sqlite
      .prepare<[], { name: string }>("SELECT name FROM t ORDER BY name")
      .all()
      .map((r) => r.name);
  const insert = (name: string) => () => handle.sqlite.prepare("INSERT INTO t (name) VALUES (?)").run(name).changes;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pods-group-commit-"));
    handle = openDatabase(path.join(dir, "db.sqlite"));
    handle.sqlite.pragma("wal_autocheckpoint = 0");
    handle.sqlite.exec("CREATE TABLE t (name TEXT PRIMARY KEY)");
  });
  afterEach(() => {
    handle.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("writes asked for together share one commit, and each settles only after it", async () => {
    const commit = groupCommit(handle.sqlite);
    let before = walBytes();
    await commit(insert("a"));
    const oneCommit = walBytes() - before; // the table's page and its key's, once

    before = walBytes();
    const writes = [commit(insert("b")), commit(insert("c")), commit(insert("d"))];
    expect(names()).toEqual(["a"]); // nothing written yet: the batch commits on the next turn
    expect(await Promise.all(writes)).toEqual([1, 1, 1]);
    expect(names()).toEqual(["a", "b", "c", "d"]);
    expect(walBytes() - before).toBe(oneCommit); // three writes, the same pages, one commit
  });

  it("a write that throws leaves no trace; the others in its batch still commit", async () => {
    const commit = groupCommit(handle.sqlite);
    const failing = () => {
      insert("x")();
      throw new Error("refused halfway");
    };
    const outcomes = await Promise.allSettled([commit(insert("a")), commit(failing), commit(insert("x"))]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(names()).toEqual(["a", "x"]); // the failing write's own "x" was rolled back, the third's kept
  });

  it("a commit that fails rejects every write of the batch and writes nothing", async () => {
    handle.sqlite.exec(`CREATE TABLE parent (id TEXT PRIMARY KEY);
      CREATE TABLE child (parent TEXT REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)`);
    const commit = groupCommit(handle.sqlite);
    // A deferred foreign key is checked only at COMMIT, which then fails for the whole batch.
    const orphan = () => handle.sqlite.prepare("INSERT INTO child (parent) VALUES ('nobody')").run();
    const outcomes = await Promise.allSettled([commit(insert("a")), commit(orphan)]);
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected"]);
    expect(names()).toEqual([]);
    expect(handle.sqlite.inTransaction).toBe(false);
    expect(await commit(insert("b"))).toBe(1); // and the next batch commits as usual
  });

  const failureThatRolls =
    "a failure that rolls back the whole transaction ends the batch: the writes after it don't commit on their own";
  it(failureThatRolls, async () => {
    const commit = groupCommit(handle.sqlite);
    // What SQLite does on a full disk or an I/O error: the whole transaction is gone, not just the savepoint.
    const rollBackEverything = () => handle.sqlite.exec("ROLLBACK");
    const outcomes = await Promise.allSettled([commit(insert("x")), commit(rollBackEverything), commit(insert("y"))]);
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(names()).toEqual([]);
    expect(handle.sqlite.inTransaction).toBe(false);
  });
});
