import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Config } from "../../src/config/schema.ts";
import { openMigratedDatabase, type DatabaseHandle } from "../../src/db/client.ts";
import { EventDispatcher } from "../../src/events/dispatcher.ts";
import { SqliteMessageQueue } from "../../src/federation/sqlite-mq.ts";
import type { PodDeps } from "../../src/federation/deps.ts";
import { createLogger } from "../../src/log/logger.ts";
import { sqliteRoomDb } from "../../src/db/room-db-sqlite.ts";
import { tombstones } from "../../src/publishing/schema.ts";
import { tombstonesStore } from "../../src/publishing/tombstones.ts";

/** One process's view of the pod's file: its own connection, queue and dispatcher. */
interface Side {
  handle: DatabaseHandle;
  dispatcher: EventDispatcher;
}

describe("the event dispatcher (a real SQLite file, the pod's own queue)", () => {
  let dir: string;
  let sides: Side[];
  let clock: number;

  const open = (): Side => {
    const handle = openMigratedDatabase(path.join(dir, "pod.sqlite"));
    const deps: PodDeps = {
      config: {} as Config,
      db: handle.db,
      log: createLogger("silent", process.stderr),
      now: () => new Date(clock),
    };
    const side = { handle, dispatcher: new EventDispatcher(deps, new SqliteMessageQueue(handle)) };
    sides.push(side);
    return side;
  };
  const count = (side: Side, sql: string) => (side.handle.sqlite.prepare(sql).get() as { n: number }).n;
  const queued = (side: Side) => count(side, "SELECT COUNT(*) AS n FROM queue_messages");
  const state = (side: Side, id: string) =>
    side.handle.sqlite.prepare("SELECT state, attempts, last_error AS lastError FROM events WHERE id = ?").get(id) as
      | { state: string; attempts: number; lastError: string | null }
      | undefined;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "events-"));
    sides = [];
    clock = Date.parse("2026-11-01T12:00:00Z");
  });
  afterEach(async () => {
    for (const side of sides) {
      await side.dispatcher.stop();
      side.handle.close();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A change (a tombstone row) and its event, in one transaction. */
  const change = (side: Side, iri: string, payload: unknown = { iri }) =>
    side.handle.db.transaction((tx) => {
      tx.insert(tombstones)
        .values({ iri, formerType: "Note", deletedAt: new Date(clock).toISOString() })
        .run();
      return side.dispatcher.record(tx, "test.sent", payload, iri);
    });

  it("an event commits or rolls back with its change", () => {
    const side = open();
    expect(() =>
      side.handle.db.transaction((tx) => {
        side.dispatcher.record(tx, "test.sent", {});
        throw new Error("the change failed");
      }),
    ).toThrow("the change failed");
    expect(count(side, "SELECT COUNT(*) AS n FROM events")).toBe(0);
    change(side, "https://pod.example/a");
    expect(count(side, "SELECT COUNT(*) AS n FROM events WHERE state = 'pending'")).toBe(1);
  });

  it("what a handler enqueues is written when the event is marked done, and not before", async () => {
    const side = open();
    let seenWhileRunning = -1;
    side.dispatcher.on("test.sent", async (payload: { iri: string }) => {
      await side.dispatcher.queue.enqueue({ type: "outbox", inbox: "https://a.example/in", activityId: payload.iri });
      await side.dispatcher.queue.enqueueMany!([{ n: 1 }, { n: 2 }]);
      seenWhileRunning = queued(side);
    });
    const id = change(side, "https://pod.example/a");
    await side.dispatcher.settle();
    expect(seenWhileRunning).toBe(0);
    expect(queued(side)).toBe(3);
    expect(state(side, id)).toMatchObject({ state: "done", attempts: 0 });
    // Enqueued outside a handler, the queue is the pod's queue as it was.
    await side.dispatcher.queue.enqueue({ n: 3 });
    expect(queued(side)).toBe(4);
  });

  it("a handler that fails enqueues nothing and is retried later; the retry sends once", async () => {
    const side = open();
    let runs = 0;
    side.dispatcher.on("test.sent", async () => {
      runs++;
      await side.dispatcher.queue.enqueue({ run: runs });
      if (runs === 1) throw new Error("the first run fails after enqueueing");
    });
    const id = change(side, "https://pod.example/a");
    await side.dispatcher.settle();
    expect(queued(side)).toBe(0);
    const lastError = "the first run fails after enqueueing";
    expect(state(side, id)).toMatchObject({ state: "pending", attempts: 1, lastError });
    // Not due yet: nothing runs.
    await side.dispatcher.settle();
    expect(runs).toBe(1);
    clock += 60_000;
    await side.dispatcher.settle();
    expect(runs).toBe(2);
    expect(queued(side)).toBe(1);
    expect(state(side, id)).toMatchObject({ state: "done" });
  });

  it("an event of the same object waits while an earlier one is pending; other objects go on", async () => {
    const side = open();
    const ran: string[] = [];
    let failFirst = true;
    side.dispatcher.on("test.sent", async (payload: { iri: string; step: string }) => {
      if (payload.step === "create" && failFirst) {
        failFirst = false;
        throw new Error("not yet");
      }
      ran.push(`${payload.iri} ${payload.step}`);
    });
    change(side, "https://pod.example/a", { iri: "a", step: "create" });
    const update = { iri: "a", step: "update" };
    side.handle.db.transaction((tx) => side.dispatcher.record(tx, "test.sent", update, "https://pod.example/a"));
    change(side, "https://pod.example/b", { iri: "b", step: "create" });
    await side.dispatcher.settle();
    expect(ran).toEqual(["b create"]);
    clock += 60_000;
    await side.dispatcher.settle();
    expect(ran).toEqual(["b create", "a create", "a update"]);
  });

  it("two processes running the same event: it is enqueued once", async () => {
    const one = open();
    const two = open();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const oneStarted = new Promise<void>((resolve) => (started = resolve));
    one.dispatcher.on("test.sent", async () => {
      await one.dispatcher.queue.enqueue({ from: "one" });
      started();
      await gate; // the other process runs the same event meanwhile
    });
    two.dispatcher.on("test.sent", async () => {
      await two.dispatcher.queue.enqueue({ from: "two" });
    });
    const id = change(one, "https://pod.example/a");
    const running = one.dispatcher.settle();
    await oneStarted;
    await two.dispatcher.settle();
    release();
    await running;
    expect(queued(one)).toBe(1);
    const payload = one.handle.sqlite.prepare("SELECT payload FROM queue_messages").pluck().get() as string;
    expect(JSON.parse(payload)).toEqual({ from: "two" });
    expect(state(one, id)).toMatchObject({ state: "done" });
  });

  it("events left pending by a crash run when a dispatcher starts", async () => {
    const crashed = open();
    const id = change(crashed, "https://pod.example/a");
    crashed.handle.close();
    sides = sides.filter((s) => s !== crashed);
    const restarted = open();
    let ran = 0;
    restarted.dispatcher.on("test.sent", async () => {
      ran++;
      await restarted.dispatcher.queue.enqueue({ after: "restart" });
    });
    restarted.dispatcher.start();
    for (let i = 0; i < 100 && state(restarted, id)?.state !== "done"; i++) await new Promise((r) => setTimeout(r, 20));
    expect(ran).toBe(1);
    expect(queued(restarted)).toBe(1);
  });

  it("an event recorded in a RoomDb write runs like one recorded in a synchronous transaction, in order", async () => {
    const side = open();
    const rooms = sqliteRoomDb(side.handle.sqlite);
    const tombs = tombstonesStore(rooms);
    const ran: string[] = [];
    side.dispatcher.on("test.sent", async (payload: { step: string }) => {
      ran.push(payload.step);
      await side.dispatcher.queue.enqueue({ step: payload.step });
    });
    const iri = "https://pod.example/a";
    const lost = rooms.write(async (db) => {
      await side.dispatcher.recordWithin(db, "test.sent", { step: "rolled back" }, iri);
      throw new Error("the change failed");
    });
    await expect(lost).rejects.toThrow("the change failed");
    change(side, iri, { step: "synchronous" });
    const id = await rooms.write(async (db) => {
      await tombs.recordWithin(db, [{ iri: `${iri}/gone`, formerType: "Note" }], new Date(clock));
      return side.dispatcher.recordWithin(db, "test.sent", { step: "within" }, iri);
    });
    await side.dispatcher.settle();
    expect(ran).toEqual(["synchronous", "within"]);
    expect(state(side, id)).toMatchObject({ state: "done" });
    expect(queued(side)).toBe(2);
    expect(count(side, "SELECT COUNT(*) AS n FROM events")).toBe(2);
  });
});
