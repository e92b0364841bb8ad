import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RoomDb } from "../../src/db/room-db.ts";
import type { EventDispatcher } from "../../src/events/dispatcher.ts";
import { events } from "../../src/events/schema.ts";
import { eventsStore } from "../../src/events/store.ts";
import { tombstonesStore } from "../../src/publishing/tombstones.ts";

/** One process's view of the pod's database: its own connection or pool, queue and dispatcher. */
export interface DispatcherSide {
  rooms: RoomDb;
  dispatcher: EventDispatcher;
  /** The payloads in the federation's queue, oldest first. */
  queued(): Promise<unknown[]>;
  close(): Promise<void>;
}

export interface DispatcherWorld {
  /** Empties the events, tombstones and queue tables. */
  reset(): Promise<void>;
  /** Opens another side on the same database; the clock is shared. */
  open(now: () => Date): Promise<DispatcherSide>;
}

/**
 * The event dispatcher on both databases (test/integration/events-dispatcher.test.ts on a SQLite file,
 * test/postgres/events-dispatcher.test.ts on a PostgreSQL server): a change and its event commit together; the
 * deliveries a handler enqueues are written only with the event marked done; retries; order per object; two
 * processes never send an event's deliveries twice.
 */
export function describeDispatcherContract(name: string, world: DispatcherWorld): void {
  describe(`${name} (the event dispatcher)`, () => {
    let clock: number;
    let sides: DispatcherSide[];
    const open = async () => {
      const side = await world.open(() => new Date(clock));
      sides.push(side);
      return side;
    };

    beforeEach(async () => {
      clock = Date.parse("2026-11-01T12:00:00Z");
      sides = [];
      await world.reset();
    });
    afterEach(async () => {
      for (const side of sides) {
        await side.dispatcher.stop();
        await side.close();
      }
    });

    /** A change (a tombstone row) and its event, in one RoomDb write. */
    const change = (side: DispatcherSide, iri: string, payload: unknown = { iri }) =>
      side.rooms.write(async (db) => {
        await tombstonesStore(side.rooms).recordWithin(db, [{ iri, formerType: "Note" }], new Date(clock));
        return side.dispatcher.recordWithin(db, "test.sent", payload, iri);
      });
    const state = async (side: DispatcherSide, id: string) => {
      const t = side.rooms.table(events);
      const rows = await side.rooms.read((db) => db.select().from(t));
      const row = rows.find((r) => r.id === id);
      return row && { state: row.state, attempts: row.attempts, lastError: row.lastError };
    };

    it("an event commits or rolls back with its change", async () => {
      const side = await open();
      const lost = side.rooms.write(async (db) => {
        await side.dispatcher.recordWithin(db, "test.sent", {}, null);
        throw new Error("the change failed");
      });
      await expect(lost).rejects.toThrow("the change failed");
      const id = await change(side, "https://pod.example/a");
      const t = side.rooms.table(events);
      expect((await side.rooms.read((db) => db.select().from(t))).map((e) => e.id)).toEqual([id]);
    });

    it("what a handler enqueues is written when the event is marked done, and not before", async () => {
      const side = await open();
      let seenWhileRunning: unknown[] | undefined;
      side.dispatcher.on("test.sent", async (payload: { iri: string }) => {
        await side.dispatcher.queue.enqueue({ type: "outbox", inbox: "https://a.example/in", activityId: payload.iri });
        await side.dispatcher.queue.enqueueMany!([{ n: 1 }, { n: 2 }]);
        seenWhileRunning = await side.queued();
      });
      const id = await change(side, "https://pod.example/a");
      await side.dispatcher.settle();
      expect(seenWhileRunning).toEqual([]);
      expect(await side.queued()).toEqual([
        { type: "outbox", inbox: "https://a.example/in", activityId: "https://pod.example/a" },
        { n: 1 },
        { n: 2 },
      ]);
      expect(await state(side, id)).toMatchObject({ state: "done", attempts: 0 });
      // Enqueued outside a handler, the queue is the pod's queue as it was.
      await side.dispatcher.queue.enqueue({ n: 3 });
      expect(await side.queued()).toHaveLength(4);
    });

    it("a handler that fails enqueues nothing and is retried later; the retry sends once", async () => {
      const side = await open();
      let runs = 0;
      side.dispatcher.on("test.sent", async () => {
        runs++;
        await side.dispatcher.queue.enqueue({ run: runs });
        if (runs === 1) throw new Error("the first run fails after enqueueing");
      });
      const id = await change(side, "https://pod.example/a");
      await side.dispatcher.settle();
      expect(await side.queued()).toEqual([]);
      const lastError = "the first run fails after enqueueing";
      expect(await state(side, id)).toMatchObject({ state: "pending", attempts: 1, lastError });
      await side.dispatcher.settle(); // not due yet: nothing runs
      expect(runs).toBe(1);
      clock += 60_000;
      await side.dispatcher.settle();
      expect(runs).toBe(2);
      expect(await side.queued()).toEqual([{ run: 2 }]);
      expect(await state(side, id)).toMatchObject({ state: "done" });
    });

    it("an event of the same object waits while an earlier one is pending; other objects go on", async () => {
      const side = await open();
      const ran: string[] = [];
      let failFirst = true;
      side.dispatcher.on("test.sent", async (payload: { iri: string; step: string }) => {
        if (payload.step === "create" && failFirst) {
          failFirst = false;
          throw new Error("not yet");
        }
        ran.push(`${payload.iri} ${payload.step}`);
      });
      await change(side, "https://pod.example/a", { iri: "a", step: "create" });
      await change(side, "https://pod.example/a", { iri: "a", step: "update" });
      await change(side, "https://pod.example/b", { iri: "b", step: "create" });
      await side.dispatcher.settle();
      expect(ran).toEqual(["b create"]);
      clock += 60_000;
      await side.dispatcher.settle();
      expect(ran).toEqual(["b create", "a create", "a update"]);
    });

    it("two processes running events at once: each event's deliveries are enqueued once", async () => {
      const one = await open();
      const two = await open();
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let started!: () => void;
      const oneStarted = new Promise<void>((resolve) => (started = resolve));
      for (const [side, from] of [
        [one, "one"],
        [two, "two"],
      ] as const) {
        side.dispatcher.on("test.sent", async (payload: { iri: string }) => {
          await side.dispatcher.queue.enqueue({ from, iri: payload.iri });
          if (side === one) {
            started();
            await gate; // the other process runs meanwhile
          }
        });
      }
      const a = await change(one, "https://pod.example/a");
      const b = await change(one, "https://pod.example/b");
      const running = one.dispatcher.settle();
      await oneStarted;
      await two.dispatcher.settle();
      release();
      await running;
      await one.dispatcher.settle();
      await two.dispatcher.settle();
      const sent = (await one.queued()) as { iri: string }[];
      expect(sent.map((m) => m.iri).sort()).toEqual(["https://pod.example/a", "https://pod.example/b"]);
      expect(await state(one, a)).toMatchObject({ state: "done" });
      expect(await state(one, b)).toMatchObject({ state: "done" });
    });

    it("events left pending by a crash run when a dispatcher starts", async () => {
      const crashed = await open();
      const id = await change(crashed, "https://pod.example/a");
      const restarted = await open();
      let ran = 0;
      restarted.dispatcher.on("test.sent", async () => {
        ran++;
        await restarted.dispatcher.queue.enqueue({ after: "restart" });
      });
      restarted.dispatcher.start();
      for (let i = 0; i < 200 && (await state(restarted, id))?.state !== "done"; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(ran).toBe(1);
      expect(await restarted.queued()).toEqual([{ after: "restart" }]);
    });

    it("an event taken by a worker that died is run by another: at once on SQLite, after the lease on PostgreSQL", async () => {
      const died = await open();
      const id = await change(died, "https://pod.example/a");
      expect((await eventsStore(died.rooms).claimNext(clock, 60_000))?.id).toBe(id); // taken, then the worker died
      const other = await open();
      let ran = 0;
      other.dispatcher.on("test.sent", async () => {
        ran++;
      });
      await other.dispatcher.settle();
      if (other.rooms.dialect === "postgres") {
        expect(ran).toBe(0);
        clock += 59_999;
        await other.dispatcher.settle();
        expect(ran).toBe(0);
        clock += 1;
        await other.dispatcher.settle();
      }
      expect(ran).toBe(1);
      expect(await state(other, id)).toMatchObject({ state: "done" });
    });
  });
}
