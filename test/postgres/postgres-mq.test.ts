import { testMessageQueue } from "@fedify/testing";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgresPool, type PostgresPool } from "../../src/db/postgres.ts";
import { postgresRoomDb } from "../../src/db/room-db-postgres.ts";
import { PostgresMessageQueue, type PostgresMessageQueueOptions } from "../../src/federation/postgres-mq.ts";
import { describeMessageQueueContract, waitFor } from "../support/mq-contract.ts";
import { freshDatabase, postgresUnavailable, type TestDatabase } from "../support/postgres.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

const CHILD = fileURLToPath(new URL("../support/postgres-mq-child.ts", import.meta.url));

describe.skipIf(skip != null)("PostgresMessageQueue", () => {
  let database: TestDatabase;
  let pool: PostgresPool;
  const pools: PostgresPool[] = [];

  /** A queue on its own pool, as another process would have. */
  const open = (options: PostgresMessageQueueOptions = {}) => {
    const own = openPostgresPool(database.url, { max: 4 });
    pools.push(own);
    return new PostgresMessageQueue(own, { pollIntervalMs: 50, ...options });
  };

  beforeAll(async () => {
    database = await freshDatabase();
    pool = openPostgresPool(database.url, { max: 20 });
    await new PostgresMessageQueue(pool).initialize();
  });

  afterAll(async () => {
    await Promise.all([pool, ...pools].map((p) => p?.end().catch(() => {})));
    await database?.drop();
  });

  describeMessageQueueContract("PostgresMessageQueue", () => ({
    open: async (options) => open(options),
    reset: async () => {
      // The previous test's queues are closed by now: give their connections back.
      await Promise.all(pools.splice(0).map((p) => p.end()));
      await pool.query("TRUNCATE fedify_queue_messages");
    },
  }));

  it("passes Fedify's testMessageQueue suite with two instances", { timeout: 90_000 }, async () => {
    await pool.query("TRUNCATE fedify_queue_messages");
    await testMessageQueue(
      () => open({ pollIntervalMs: 200 }),
      ({ mq1, mq2, controller }) => {
        controller.abort();
        mq1.close();
        mq2.close();
      },
      { testOrderingKey: true },
    );
  });

  it("creates its table idempotently, from several instances at once", async () => {
    await Promise.all([open(), open(), open()].map((mq) => mq.initialize()));
    const { rows } = await pool.query("SELECT count(*)::int AS n FROM fedify_queue_messages");
    expect(rows[0].n).toBeGreaterThanOrEqual(0);
  });

  it("wakes an idle listener on another connection through NOTIFY instead of waiting for the poll", async () => {
    await pool.query("TRUNCATE fedify_queue_messages");
    const controller = new AbortController();
    const listener = open({ pollIntervalMs: 600_000 });
    const received: unknown[] = [];
    void listener.listen((m) => void received.push(m), { signal: controller.signal });
    // The first poll happens at once; only a notification can wake the listener after that.
    await sleep(300);
    await open().enqueue({ hello: "world" });
    try {
      await waitFor(() => received.length === 1, 10_000);
      expect(received).toEqual([{ hello: "world" }]);
    } finally {
      controller.abort();
    }
  });

  it("enqueues within the caller's RoomDb write: nothing on rollback, delivered after commit", async () => {
    await pool.query("TRUNCATE fedify_queue_messages");
    const controller = new AbortController();
    const mq = open();
    const received: string[] = [];
    void mq.listen((m: string) => void received.push(m), { signal: controller.signal });
    try {
      const rooms = postgresRoomDb(pool);
      await rooms
        .write(async (db) => {
          await mq.enqueueWithin(db, ["rolled back"]);
          throw new Error("the change failed");
        })
        .catch(() => {});
      await expect(rooms.read(async (db) => mq.enqueueWithin(db, ["outside a write"]))).rejects.toThrow(
        "not the db of a PostgreSQL RoomDb write",
      );
      await rooms.write(async (db) => {
        await mq.enqueueWithin(db, ["first", "second"], { orderingKey: "outbox" });
        await sleep(200);
        expect(received).toEqual([]); // not visible before commit
      });
      await waitFor(() => received.length === 2);
      await sleep(100);
      expect(received).toEqual(["first", "second"]);
    } finally {
      controller.abort();
    }
  });

  it("hands a message out again after its lease when the process handling it is killed (SIGKILL)", async () => {
    await pool.query("TRUNCATE fedify_queue_messages");
    const leaseMs = 1_500;
    const child = spawn(process.execPath, [CHILD, database.url, String(leaseMs)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let childOutput = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (childOutput += chunk));
    const controller = new AbortController();
    try {
      await waitFor(() => childOutput.includes("listening"), 20_000);
      const mq = open({ leaseMs });
      await mq.enqueue({ id: "m1", type: "Create" }, { orderingKey: "object" });
      await mq.enqueue({ id: "m2", type: "Delete" }, { orderingKey: "object" });
      await waitFor(() => childOutput.includes("started m1"), 20_000);
      child.kill("SIGKILL");
      await once(child, "exit");
      expect(childOutput).not.toContain("started m2");

      const received: string[] = [];
      void mq.listen((m: { id: string }) => void received.push(m.id), { signal: controller.signal });
      await waitFor(() => received.length === 2, 20_000);
      expect(received).toEqual(["m1", "m2"]);
      expect(await mq.getDepth()).toEqual({ queued: 0, ready: 0, delayed: 0 });
    } finally {
      controller.abort();
      if (child.exitCode == null && child.signalCode == null) child.kill("SIGKILL");
    }
  });
});
