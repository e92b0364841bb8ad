import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Config } from "../../src/config/schema.ts";
import { openMigratedDatabase, type DatabaseHandle } from "../../src/db/client.ts";
import { EventDispatcher } from "../../src/events/dispatcher.ts";
import { SqliteMessageQueue } from "../../src/federation/sqlite-mq.ts";
import type { PodDeps } from "../../src/federation/deps.ts";
import { createLogger } from "../../src/log/logger.ts";
import { sqliteRoomDb } from "../../src/db/room-db-sqlite.ts";
import { tombstonesStore } from "../../src/publishing/tombstones.ts";
import { describeDispatcherContract } from "../support/dispatcher-contract.ts";

/** One process's view of the pod's file: its own connection, queue and dispatcher. */
interface Side {
  handle: DatabaseHandle;
  dispatcher: EventDispatcher;
}

describe("the event dispatcher on SQLite: events recorded within RoomDb writes", () => {
  let dir: string;
  let sides: Side[];
  let clock: number;

  const open = (): Side => {
    const handle = openMigratedDatabase(path.join(dir, "pod.sqlite"));
    const deps: PodDeps = {
      config: {} as Config,
      rooms: sqliteRoomDb(handle.sqlite),
      log: createLogger("silent", process.stderr),
      now: () => new Date(clock),
    };
    const side = {
      handle,
      dispatcher: new EventDispatcher(deps, new SqliteMessageQueue(handle)),
    };
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

  /** A change (a tombstone row) and its event, in one RoomDb write. */
  const change = (side: Side, iri: string, payload: unknown = { iri }) => {
    const rooms = sqliteRoomDb(side.handle.sqlite);
    return rooms.write(async (db) => {
      await tombstonesStore(rooms).recordWithin(db, [{ iri, formerType: "Note" }], new Date(clock));
      return side.dispatcher.recordWithin(db, "test.sent", payload, iri);
    });
  };

  it("an event commits or rolls back with its change", async () => {
    const side = open();
    const lost = sqliteRoomDb(side.handle.sqlite).write(async (db) => {
      await side.dispatcher.recordWithin(db, "test.sent", {});
      throw new Error("the change failed");
    });
    await expect(lost).rejects.toThrow("the change failed");
    expect(count(side, "SELECT COUNT(*) AS n FROM events")).toBe(0);
    await change(side, "https://pod.example/a");
    expect(count(side, "SELECT COUNT(*) AS n FROM events WHERE state = 'pending'")).toBe(1);
    expect(count(side, "SELECT COUNT(*) AS n FROM tombstones")).toBe(1);
  });

  it("events recorded in RoomDb writes run in the order they committed, rolled-back ones never", async () => {
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
    await change(side, `${iri}/first`, { step: "first" });
    const id = await rooms.write(async (db) => {
      await tombs.recordWithin(db, [{ iri: `${iri}/gone`, formerType: "Note" }], new Date(clock));
      return side.dispatcher.recordWithin(db, "test.sent", { step: "within" }, iri);
    });
    await side.dispatcher.settle();
    expect(ran).toEqual(["first", "within"]);
    expect(state(side, id)).toMatchObject({ state: "done" });
    expect(queued(side)).toBe(2);
    expect(count(side, "SELECT COUNT(*) AS n FROM events")).toBe(2);
  });
});

let contractDir: string | undefined;
describeDispatcherContract("SQLite, two connections on one file", {
  async reset() {
    if (contractDir) fs.rmSync(contractDir, { recursive: true, force: true });
    contractDir = fs.mkdtempSync(path.join(os.tmpdir(), "events-"));
  },
  async open(now) {
    const handle = openMigratedDatabase(path.join(contractDir!, "pod.sqlite"));
    const rooms = sqliteRoomDb(handle.sqlite);
    const deps: PodDeps = { config: {} as Config, rooms, log: createLogger("silent", process.stderr), now };
    const payloads = handle.sqlite.prepare("SELECT payload FROM queue_messages ORDER BY created_at, id").pluck();
    return {
      rooms,
      dispatcher: new EventDispatcher(deps, new SqliteMessageQueue(handle)),
      queued: async () => (payloads.all() as string[]).map((p) => JSON.parse(p) as unknown),
      close: async () => handle.close(),
    };
  },
});
afterAll(() => {
  if (contractDir) fs.rmSync(contractDir, { recursive: true, force: true });
});
