import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkpointInBackground } from "../../src/db/checkpoints.ts";
import { openDatabase, type DatabaseHandle } from "../../src/db/client.ts";

describe("WAL checkpoints in a background thread", () => {
  let dir: string;
  let file: string;
  let handle: DatabaseHandle;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pods-checkpoints-"));
    file = path.join(dir, "db.sqlite");
    handle = openDatabase(file);
    handle.sqlite.exec("CREATE TABLE t (body TEXT)");
  });
  afterEach(() => {
    handle.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const write = (kib: number) => {
    const insert = handle.sqlite.prepare("INSERT INTO t (body) VALUES (?)");
    handle.sqlite.transaction(() => {
      for (let i = 0; i < kib; i++) insert.run("x".repeat(1024));
    })();
  };
  /** Waits for a condition (no timing assertion: the test's own timeout is the only limit). */
  const until = async (condition: () => boolean) => {
    while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
  };

  const onError = (error: unknown) => {
    throw error;
  };
  const threshold = () => handle.sqlite.pragma("wal_autocheckpoint", { simple: true });
  /** Writes that last (a commit every few milliseconds) until the thread runs: the connection's threshold is raised. */
  const writeUntilThreadRuns = async (fallbackPages: number) => {
    while (threshold() !== fallbackPages) {
      write(1);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  };
  /** What tests pass so that writes start the thread quickly (checks every 10 ms, two changes in a row). */
  const quickWake = { wakeCheckMs: 10, wakeAfterChecks: 2 };
  const endsWhenIdleFor100Ms = () => ({
    intervalMs: 10,
    fallbackPages: 100_000,
    idleExitMs: 100,
    ...quickWake,
    onError,
  });

  const connectionLeavesCheckpoints =
    "the connection leaves checkpoints to the thread (up to its fallback); the thread moves commits into the " +
    "database file";
  it(connectionLeavesCheckpoints, async () => {
    const checkpoints = checkpointInBackground(handle.sqlite, {
      intervalMs: 10,
      fallbackPages: 100_000,
      ...quickWake,
      onError,
    });
    try {
      await writeUntilThreadRuns(100_000);
      const rows = () => (handle.sqlite.prepare("SELECT count(*) AS n FROM t").get() as { n: number }).n;
      const rowsBefore = rows();
      const before = fs.statSync(file).size;
      write(2048); // 2 MiB: past the default threshold of 1,000 pages
      // Writes go to the WAL; only a checkpoint grows the database file, and this connection makes none.
      await until(() => fs.statSync(file).size >= before + 2 * 1024 * 1024);
      expect(rows()).toBe(rowsBefore + 2048);
    } finally {
      await checkpoints.stop();
    }
  });

  it("stopping ends the thread and gives the connection its automatic checkpoints back", async () => {
    const checkpoints = checkpointInBackground(handle.sqlite, { intervalMs: 10, ...quickWake, onError });
    await writeUntilThreadRuns(4000);
    await checkpoints.stop();
    expect(handle.sqlite.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
    write(1); // the connection is as usable as before
  });

  const afterThreadFails =
    "after the thread fails as on a full disk, it is started again (with backoff) and checkpoints resume";
  it(afterThreadFails, async () => {
    const failures: { error: unknown; restartInMs: number }[] = [];
    const checkpoints = checkpointInBackground(handle.sqlite, {
      intervalMs: 10,
      fallbackPages: 100_000,
      restartDelaysMs: [20, 40],
      ...quickWake,
      workerUrl: new URL("../support/full-disk-checkpoint-worker.ts", import.meta.url),
      onError: (error, restartInMs) => failures.push({ error, restartInMs }),
    });
    try {
      await writeUntilThreadRuns(100_000);
      await until(() => failures.length === 2);
      expect(failures.map((f) => (f.error as Error).message)).toEqual([
        "database or disk is full",
        "database or disk is full",
      ]);
      expect(failures.map((f) => f.restartInMs)).toEqual([20, 40]);
      // The third launch runs: the connection leaves checkpoints to it again, and commits reach the file.
      await until(() => threshold() === 100_000);
      const before = fs.statSync(file).size;
      write(2048);
      await until(() => fs.statSync(file).size >= before + 2 * 1024 * 1024);
      expect(failures).toHaveLength(2);
    } finally {
      await checkpoints.stop();
    }
    expect(threshold()).toBe(1000);
  });

  it("stopping while a restart is pending cancels it", async () => {
    let failed = false;
    const checkpoints = checkpointInBackground(handle.sqlite, {
      intervalMs: 10,
      restartDelaysMs: [60_000],
      ...quickWake,
      workerUrl: new URL("../support/full-disk-checkpoint-worker.ts", import.meta.url),
      onError: () => (failed = true),
    });
    await until(() => failed);
    await checkpoints.stop();
    expect(handle.sqlite.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
  });

  it("once the thread ended for idleness, a write now and then does not start it again", async () => {
    const checkpoints = checkpointInBackground(handle.sqlite, endsWhenIdleFor100Ms());
    try {
      await until(() => threshold() === 1000); // ended for idleness: the connection checkpoints itself
      // Single commits 100 ms apart, as a periodic job's leases: ten checks between each, never two in a row.
      for (let i = 0; i < 5; i++) {
        write(1);
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(threshold()).toBe(1000);
      }
    } finally {
      await checkpoints.stop();
    }
  });

  it("writes that last start the thread; it ends once they stop, and writes that last start it again", async () => {
    const checkpoints = checkpointInBackground(handle.sqlite, endsWhenIdleFor100Ms());
    try {
      await writeUntilThreadRuns(100_000);
      await until(() => threshold() === 1000); // ended for idleness: no error, the usual threshold is back
      await writeUntilThreadRuns(100_000);
      const before = fs.statSync(file).size;
      write(2048);
      await until(() => fs.statSync(file).size >= before + 2 * 1024 * 1024);
    } finally {
      await checkpoints.stop();
    }
    expect(threshold()).toBe(1000);
  });

  it("under steady writes the WAL starts over: the connection's fallback checkpoint restarts it", async () => {
    const checkpoints = checkpointInBackground(handle.sqlite, {
      intervalMs: 1,
      fallbackPages: 500,
      ...quickWake,
      onError,
    });
    // SQLite gives the WAL a new salt each time it starts the log over from its beginning.
    const salt = () => {
      const header = Buffer.alloc(20);
      const fd = fs.openSync(`${file}-wal`, "r");
      try {
        fs.readSync(fd, header, 0, 20, 0);
      } finally {
        fs.closeSync(fd);
      }
      return header.readUInt32BE(16);
    };
    const salts = new Set<number>();
    try {
      await writeUntilThreadRuns(500);
      // 64 MiB in 256 commits, each followed by a turn of the event loop, as a busy inbox writes.
      for (let i = 0; i < 256; i++) {
        write(256);
        salts.add(salt());
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      await checkpoints.stop();
    }
    // Without the fallback the WAL never starts over while the thread runs: it holds everything written
    // (~95 MB here). How often it starts over depends on how the thread's checkpoints fall between the
    // writes (machine load), so the test asks only that it did.
    expect(salts.size).toBeGreaterThan(1);
  });
});
