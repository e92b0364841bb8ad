import { Temporal } from "@js-temporal/polyfill";
import type { MessageQueueEnqueueOptions } from "@fedify/fedify";
import { testMessageQueue } from "@fedify/testing";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { openMigratedDatabase, type DatabaseHandle } from "../../src/db/client.ts";
import { SqliteMessageQueue, type SqliteMessageQueueOptions } from "../../src/federation/sqlite-mq.ts";
import { describeMessageQueueContract } from "../support/mq-contract.ts";

// Fedify's types name the global Temporal; at runtime it hands over polyfill objects, as we do here.
const delay = (seconds: number) =>
  ({ delay: Temporal.Duration.from({ seconds }) }) as unknown as MessageQueueEnqueueOptions;

async function waitFor(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error("waitFor timed out");
    await sleep(5);
  }
}

describe("SqliteMessageQueue", () => {
  let dir: string;
  let file: string;
  let handles: DatabaseHandle[];
  let queues: SqliteMessageQueue[];
  let controller: AbortController;
  let clock: number;

  /** A queue on its own connection to the shared file, as a second process would have. */
  function open(options: SqliteMessageQueueOptions = {}): { mq: SqliteMessageQueue; handle: DatabaseHandle } {
    const handle = openMigratedDatabase(file);
    const mq = new SqliteMessageQueue(handle, { pollIntervalMs: 10, ...options });
    handles.push(handle);
    queues.push(mq);
    return { mq, handle };
  }

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pods-mq-"));
    file = path.join(dir, "pod.sqlite");
    handles = [];
    queues = [];
    controller = new AbortController();
    clock = Date.UTC(2025, 0, 1);
  });

  afterEach(() => {
    controller.abort();
    for (const mq of queues) mq.close();
    for (const handle of handles) handle.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("passes Fedify's testMessageQueue suite with two instances over one file", { timeout: 90_000 }, async () => {
    await testMessageQueue(
      () => open({ pollIntervalMs: 200 }).mq,
      ({ mq1, mq2, controller }) => {
        controller.abort();
        mq1.close();
        mq2.close();
      },
      { testOrderingKey: true },
    );
  });

  it("wakes listeners in the same process right after enqueue instead of waiting for the poll", async () => {
    const a = open({ pollIntervalMs: 60_000 });
    const b = open({ pollIntervalMs: 60_000 });
    const received: unknown[] = [];
    void b.mq.listen((m) => void received.push(m), { signal: controller.signal });
    await sleep(20); // let the listener go idle
    const started = Date.now();
    await a.mq.enqueue({ hello: "world" });
    await waitFor(() => received.length === 1, 1_000);
    expect(received).toEqual([{ hello: "world" }]);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("holds delayed messages until they are due", async () => {
    const { mq } = open({ now: () => clock });
    const received: string[] = [];
    await mq.enqueue("later", delay(5));
    await mq.enqueueMany(["now-1", "now-2"]);
    void mq.listen((m: string) => void received.push(m), { signal: controller.signal });
    await waitFor(() => received.length === 2);
    await sleep(50);
    expect(received.sort()).toEqual(["now-1", "now-2"]);
    expect(await mq.getDepth()).toEqual({ queued: 1, ready: 0, delayed: 1 });

    clock += 4_999;
    await sleep(50);
    expect(received).toHaveLength(2);
    clock += 1;
    await waitFor(() => received.length === 3);
    expect(received[2]).toBe("later");
    expect(await mq.getDepth()).toEqual({ queued: 0, ready: 0, delayed: 0 });
  });

  it("keeps later messages with the same ordering key behind a delayed one", async () => {
    const { mq } = open({ now: () => clock });
    const received: string[] = [];
    await mq.enqueue("A1", { ...delay(5), orderingKey: "A" });
    await mq.enqueue("A2", { orderingKey: "A" });
    await mq.enqueue("B1", { orderingKey: "B" });
    void mq.listen((m: string) => void received.push(m), { signal: controller.signal });
    await waitFor(() => received.length === 1);
    await sleep(50);
    expect(received).toEqual(["B1"]);
    clock += 5_000;
    await waitFor(() => received.length === 3);
    expect(received).toEqual(["B1", "A1", "A2"]);
  });

  it("runs one message per ordering key at a time, while other keys and unkeyed messages run in parallel", async () => {
    const a = open();
    const b = open();
    const started: string[] = [];
    const finish = new Map<string, () => void>();
    const handler = (m: string) => {
      started.push(m);
      return new Promise<void>((resolve) => finish.set(m, resolve));
    };
    await a.mq.enqueue("A1", { orderingKey: "A" });
    await a.mq.enqueue("B1", { orderingKey: "B" });
    await a.mq.enqueue("A2", { orderingKey: "A" });
    await a.mq.enqueue("B2", { orderingKey: "B" });
    await a.mq.enqueue("A3", { orderingKey: "A" });
    await a.mq.enqueue("free");
    void a.mq.listen(handler, { signal: controller.signal });
    void b.mq.listen(handler, { signal: controller.signal });

    await waitFor(() => started.length === 3);
    await sleep(50);
    expect(started.sort()).toEqual(["A1", "B1", "free"]);
    expect(await a.mq.getDepth()).toEqual({ queued: 3, ready: 3, delayed: 0 });

    finish.get("A1")!();
    await waitFor(() => started.includes("A2"));
    await sleep(50);
    expect(started).not.toContain("A3");
    expect(started).not.toContain("B2");

    finish.get("B1")!();
    finish.get("A2")!();
    await waitFor(() => started.includes("A3") && started.includes("B2"));
    expect(started.filter((m) => m.startsWith("A"))).toEqual(["A1", "A2", "A3"]);
    expect(started.filter((m) => m.startsWith("B"))).toEqual(["B1", "B2"]);
  });

  it("runs many handlers at once by default, so a few slow deliveries do not stop the rest", async () => {
    const { mq } = open();
    const started: number[] = [];
    void mq.listen(
      (m: { n: number }) => {
        started.push(m.n);
        return new Promise<void>(() => {});
      },
      { signal: controller.signal },
    );
    await mq.enqueueMany(Array.from({ length: 40 }, (_, n) => ({ n, inbox: `https://host${n}.example/inbox` })));
    await waitFor(() => started.length >= 16);
  });

  it("gives one inbox host at most perHostConcurrency handlers while other hosts keep flowing", async () => {
    const { mq } = open({ concurrency: 8, perHostConcurrency: 2 });
    const started: string[] = [];
    const release: (() => void)[] = [];
    void mq.listen(
      (m: { name: string }) => {
        started.push(m.name);
        return new Promise<void>((resolve) => release.push(resolve));
      },
      { signal: controller.signal },
    );
    // The hanging host's messages come first in the queue.
    for (let i = 0; i < 10; i++) await mq.enqueue({ name: `slow${i}`, inbox: "https://slow.example/users/a/inbox" });
    for (let i = 0; i < 5; i++) await mq.enqueue({ name: `fast${i}`, inbox: `https://fast${i}.example/inbox` });
    await mq.enqueue({ name: "no inbox" });
    await waitFor(() => started.length === 8);
    await sleep(50);
    expect(started.filter((n) => n.startsWith("slow"))).toEqual(["slow0", "slow1"]);
    expect(started.filter((n) => !n.startsWith("slow")).sort()).toEqual([
      "fast0",
      "fast1",
      "fast2",
      "fast3",
      "fast4",
      "no inbox",
    ]);
    // A finished delivery to the slow host lets the next one for it start.
    release[0]!();
    await waitFor(() => started.includes("slow2"));
  });

  it("writes what is enqueued in one turn of the event loop in one transaction, in call order", async () => {
    const { mq, handle } = open();
    const transactions = vi.spyOn(handle.sqlite, "transaction");
    await Promise.all(Array.from({ length: 50 }, (_, n) => mq.enqueue({ n }, { orderingKey: "same" })));
    expect(transactions).toHaveBeenCalledTimes(1);
    transactions.mockRestore();
    const handled: number[] = [];
    void mq.listen((m: { n: number }) => void handled.push(m.n), { signal: controller.signal });
    await waitFor(() => handled.length === 50);
    expect(handled).toEqual(Array.from({ length: 50 }, (_, n) => n));
  });

  const keepsRetriedMessage =
    "keeps a retried message in its place: a later message with the same ordering key waits for the retry";
  it(keepsRetriedMessage, async () => {
    const { mq } = open({ now: () => clock });
    const received: string[] = [];
    let first = true;
    void mq.listen(
      async (m: { id: string; name: string }) => {
        received.push(m.name);
        if (m.id === "create" && first) {
          first = false;
          // While the Create is being delivered the object is deleted; then the Create fails and Fedify
          // puts it back (same message id) with a delay.
          await mq.enqueue({ id: "delete", name: "Delete" }, { orderingKey: "object" });
          await mq.enqueue({ id: "create", name: "Create (retry)" }, { ...delay(5), orderingKey: "object" });
        }
      },
      { signal: controller.signal },
    );
    await mq.enqueue({ id: "create", name: "Create" }, { orderingKey: "object" });
    await waitFor(() => received.length === 1);
    await sleep(50);
    expect(received).toEqual(["Create"]);
    expect(await mq.getDepth()).toEqual({ queued: 2, ready: 1, delayed: 1 });
    clock += 5_000;
    await waitFor(() => received.length === 3);
    expect(received).toEqual(["Create", "Create (retry)", "Delete"]);
  });

  it("hands each message to exactly one of several listeners, even when handlers fail", async () => {
    const listeners = [open(), open(), open()];
    const received: number[] = [];
    listeners.forEach(
      ({ mq }, i) =>
        void mq.listen(
          async (n: number) => {
            received.push(n);
            await sleep(1);
            if (n % 7 === i) throw new Error("handler failure");
          },
          { signal: controller.signal },
        ),
    );
    await listeners[0]!.mq.enqueueMany(Array.from({ length: 150 }, (_, i) => i));
    for (let i = 150; i < 200; i++) await listeners[i % 3]!.mq.enqueue(i);
    await waitFor(() => received.length >= 200);
    await sleep(100);
    expect(received.toSorted((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(await listeners[0]!.mq.getDepth()).toEqual({ queued: 0, ready: 0, delayed: 0 });
  });

  it("keeps enqueued messages across closing and reopening the file", async () => {
    const first = open();
    await first.mq.enqueue({ type: "Follow", id: 1 });
    await first.mq.enqueue({ type: "Undo", id: 2 }, { orderingKey: "actor" });
    first.mq.close();
    first.handle.close();

    const second = open();
    expect(await second.mq.getDepth()).toEqual({ queued: 2, ready: 2, delayed: 0 });
    const received: unknown[] = [];
    void second.mq.listen((m) => void received.push(m), { signal: controller.signal });
    await waitFor(() => received.length === 2);
    expect(received).toEqual([
      { type: "Follow", id: 1 },
      { type: "Undo", id: 2 },
    ]);
  });

  it("delivers again a message whose listener died holding the lease, once the lease runs out", async () => {
    const crashed = open({ now: () => clock, leaseMs: 60_000 });
    let startedOnce = false;
    const crashedController = new AbortController();
    // The handler never settles, so the row is never deleted; the listen() promise is abandoned.
    void crashed.mq.listen(
      () => {
        startedOnce = true;
        return new Promise<void>(() => {});
      },
      { signal: crashedController.signal },
    );
    await crashed.mq.enqueue("survivor", { orderingKey: "k" });
    await crashed.mq.enqueue("next in line", { orderingKey: "k" });
    await waitFor(() => startedOnce);
    crashedController.abort();
    crashed.handle.close();

    const { mq } = open({ now: () => clock, leaseMs: 60_000 });
    const received: string[] = [];
    void mq.listen((m: string) => void received.push(m), { signal: controller.signal });
    clock += 59_999;
    await sleep(50);
    expect(received).toEqual([]);
    expect(await mq.getDepth()).toEqual({ queued: 1, ready: 1, delayed: 0 });

    clock += 1;
    await waitFor(() => received.length === 2);
    expect(received).toEqual(["survivor", "next in line"]);
  });
});

describe("SqliteMessageQueue on the shared contract", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pods-mq-contract-"));
  const file = path.join(dir, "pod.sqlite");
  const handles: DatabaseHandle[] = [];

  afterAll(() => {
    for (const handle of handles) handle.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describeMessageQueueContract("SqliteMessageQueue", () => ({
    open: async (options) => {
      const handle = openMigratedDatabase(file);
      handles.push(handle);
      return new SqliteMessageQueue(handle, { pollIntervalMs: 10, ...options });
    },
    reset: async () => {
      const handle = openMigratedDatabase(file);
      handle.sqlite.prepare("DELETE FROM queue_messages").run();
      handle.close();
    },
  }));
});
