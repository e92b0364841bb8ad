import { Temporal } from "@js-temporal/polyfill";
import type { MessageQueue, MessageQueueDepth, MessageQueueEnqueueOptions } from "@fedify/fedify";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

/**
 * The behaviour every pod message queue shares (SQLite and PostgreSQL), on a real clock. Each backend's own test
 * file adds what only it can show (a controllable clock, a process killed mid-handler).
 */
export interface ContractQueue extends MessageQueue {
  getDepth(): Promise<MessageQueueDepth>;
  close(): void;
}

export interface ContractQueueOptions {
  leaseMs?: number;
  concurrency?: number;
  perHostConcurrency?: number;
  now?: () => number;
}

export interface QueueBackend {
  /** A queue instance on its own connection to the shared store, as another process would have. */
  open(options?: ContractQueueOptions): Promise<ContractQueue>;
  /** Empties the store between tests. */
  reset(): Promise<void>;
}

const delay = (seconds: number) =>
  ({ delay: Temporal.Duration.from({ seconds }) }) as unknown as MessageQueueEnqueueOptions;

export async function waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error("waitFor timed out");
    await sleep(5);
  }
}

export function describeMessageQueueContract(name: string, backend: () => QueueBackend): void {
  describe(`${name} (message queue contract)`, () => {
    let queues: ContractQueue[];
    let controller: AbortController;

    const open = async (options?: ContractQueueOptions) => {
      const mq = await backend().open(options);
      queues.push(mq);
      return mq;
    };

    beforeEach(async () => {
      queues = [];
      controller = new AbortController();
      await backend().reset();
    });

    afterEach(() => {
      controller.abort();
      for (const mq of queues) mq.close();
    });

    it("handles messages with one ordering key one at a time and in order, under two listeners", async () => {
      const a = await open();
      const b = await open();
      const keys = ["k1", "k2", "k3"];
      const active = new Map<string, number>();
      const seen = new Map<string, number[]>(keys.map((k) => [k, []]));
      let overlaps = 0;
      const handler = async (m: { key: string; n: number }) => {
        const now = (active.get(m.key) ?? 0) + 1;
        active.set(m.key, now);
        if (now > 1) overlaps++;
        seen.get(m.key)!.push(m.n);
        await sleep(m.n % 3);
        active.set(m.key, active.get(m.key)! - 1);
      };
      void a.listen(handler, { signal: controller.signal });
      void b.listen(handler, { signal: controller.signal });
      for (let n = 0; n < 20; n++) {
        await Promise.all(keys.map((key) => (n % 2 === 0 ? a : b).enqueue({ key, n }, { orderingKey: key })));
      }
      await waitFor(() => keys.every((k) => seen.get(k)!.length === 20));
      expect(overlaps).toBe(0);
      for (const key of keys) expect(seen.get(key)).toEqual(Array.from({ length: 20 }, (_, n) => n));
    });

    it("holds a delayed message until it is due, while others run", async () => {
      const mq = await open();
      const received: { m: string; at: number }[] = [];
      const enqueuedAt = Date.now();
      await mq.enqueue("later", delay(1));
      await mq.enqueue("now");
      expect(await mq.getDepth()).toEqual({ queued: 2, ready: 1, delayed: 1 });
      void mq.listen((m: string) => void received.push({ m, at: Date.now() }), { signal: controller.signal });
      await waitFor(() => received.length === 2);
      expect(received.map((r) => r.m)).toEqual(["now", "later"]);
      expect(received[1]!.at - enqueuedAt).toBeGreaterThanOrEqual(1_000);
    });

    it("enqueueMany writes every message, in order for a shared key, and depth counts them", async () => {
      const mq = await open();
      await mq.enqueueMany!(
        Array.from({ length: 100 }, (_, n) => ({ n })),
        { orderingKey: "batch" },
      );
      await mq.enqueueMany!([{ n: 100 }, { n: 101 }], delay(60));
      expect(await mq.getDepth()).toEqual({ queued: 102, ready: 100, delayed: 2 });
      const handled: number[] = [];
      void mq.listen((m: { n: number }) => void handled.push(m.n), { signal: controller.signal });
      await waitFor(() => handled.length === 100);
      expect(handled).toEqual(Array.from({ length: 100 }, (_, n) => n));
      await waitFor(() => handled.length === 100); // the delayed two stay queued
      expect(await mq.getDepth()).toEqual({ queued: 2, ready: 0, delayed: 2 });
    });

    it("leaves messages being handled out of the depth", async () => {
      const mq = await open();
      const started: string[] = [];
      await mq.enqueue("held");
      await mq.enqueue("waiting", { orderingKey: "x" });
      await mq.enqueue("behind", { orderingKey: "x" });
      void mq.listen(
        (m: string) => {
          started.push(m);
          return new Promise<void>(() => {});
        },
        { signal: controller.signal },
      );
      await waitFor(() => started.length === 2);
      // "held" and "waiting" are leased; "behind" waits for "waiting" and is still counted.
      expect(started.sort()).toEqual(["held", "waiting"]);
      expect(await mq.getDepth()).toEqual({ queued: 1, ready: 1, delayed: 0 });
    });

    it("stops listening when the signal aborts, after the running handler settles", async () => {
      const mq = await open();
      const local = new AbortController();
      let release!: () => void;
      await mq.enqueue("in flight");
      let settled = false;
      const listening = mq.listen(() => new Promise<void>((resolve) => (release = resolve)), { signal: local.signal });
      void listening.then(() => (settled = true));
      await waitFor(() => release != null);
      local.abort();
      await sleep(50);
      expect(settled).toBe(false);
      release();
      await listening;
      await mq.enqueue("after");
      await sleep(100);
      expect(await mq.getDepth()).toEqual({ queued: 1, ready: 1, delayed: 0 });
    });

    it("round-trips hostile payloads without polluting prototypes", async () => {
      const mq = await open();
      let deep: unknown = "bottom";
      for (let i = 0; i < 2_000; i++) deep = { d: deep };
      const hostile = [
        JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}'),
        { text: "nul \u0000 quote ' \" backslash \\ emoji 🧺 rtl \u202e", inbox: "not a url" },
        { deep },
        ["__proto__", { __proto__: null, polluted: "own" }],
      ];
      const received: unknown[] = [];
      void mq.listen((m: unknown) => void received.push(m), { signal: controller.signal });
      for (const message of hostile) await mq.enqueue(message, { orderingKey: "hostile \u0000 key '; --" });
      await waitFor(() => received.length === hostile.length);
      expect(received).toEqual(hostile);
      expect(Object.hasOwn(received[0] as object, "__proto__")).toBe(true);
      expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
      expect(Object.getPrototypeOf(received[0])).toBe(Object.prototype);
    });

    it("hands each message to exactly one of several listeners, even when handlers fail", async () => {
      const listeners = [await open(), await open(), await open()];
      const received: number[] = [];
      listeners.forEach(
        (mq, i) =>
          void mq.listen(
            async (n: number) => {
              received.push(n);
              await sleep(1);
              if (n % 7 === i) throw new Error("handler failure");
            },
            { signal: controller.signal },
          ),
      );
      await listeners[0]!.enqueueMany!(Array.from({ length: 150 }, (_, i) => i));
      for (let i = 150; i < 200; i++) await listeners[i % 3]!.enqueue(i);
      await waitFor(() => received.length >= 200);
      await sleep(100);
      expect(received.toSorted((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i));
      expect(await listeners[0]!.getDepth()).toEqual({ queued: 0, ready: 0, delayed: 0 });
    });

    it("keeps a retried message in its place: a later message with its ordering key waits for the retry", async () => {
      const mq = await open();
      const received: string[] = [];
      let first = true;
      void mq.listen(
        async (m: { id: string; name: string }) => {
          received.push(m.name);
          if (m.id === "create" && first) {
            first = false;
            // While the Create is delivered the object is deleted; then the Create fails and Fedify puts it
            // back (same message id) with a delay.
            await mq.enqueue({ id: "delete", name: "Delete" }, { orderingKey: "object" });
            await mq.enqueue({ id: "create", name: "Create (retry)" }, { ...delay(1), orderingKey: "object" });
          }
        },
        { signal: controller.signal },
      );
      await mq.enqueue({ id: "create", name: "Create" }, { orderingKey: "object" });
      await waitFor(() => received.length === 3);
      expect(received).toEqual(["Create", "Create (retry)", "Delete"]);
    });

    it("claims past a page of one busy host's messages: the messages behind them start too", async () => {
      const mq = await open({ concurrency: 8, perHostConcurrency: 4 });
      await mq.enqueueMany!([
        ...Array.from({ length: 100 }, (_, i) => ({ name: `busy${i}`, inbox: "https://busy.example/inbox" })),
        ...Array.from({ length: 4 }, (_, i) => ({ name: `other${i}`, inbox: `https://other${i}.example/inbox` })),
      ]);
      const started: string[] = [];
      void mq.listen(
        (m: { name: string }) => {
          started.push(m.name);
          return new Promise<void>(() => {});
        },
        { signal: controller.signal },
      );
      await waitFor(() => started.length === 8);
      expect(started.filter((n) => n.startsWith("other")).sort()).toEqual(["other0", "other1", "other2", "other3"]);
    });

    it("renews the lease while a slow handler runs, so no other listener takes the message", async () => {
      // A lease several renewals long, so a busy machine's event-loop stall doesn't let it lapse.
      const a = await open({ leaseMs: 600 });
      const b = await open({ leaseMs: 600 });
      const received: string[] = [];
      let finished = false;
      void a.listen(
        async (m: string) => {
          received.push(`a:${m}`);
          await sleep(2_000);
          finished = true;
        },
        { signal: controller.signal },
      );
      await a.enqueue("slow");
      await waitFor(() => received.length === 1);
      void b.listen((m: string) => void received.push(`b:${m}`), { signal: controller.signal });
      await waitFor(() => finished);
      await sleep(100);
      expect(received).toEqual(["a:slow"]);
    });

    it("lets a listener whose lease ran out touch nothing of the new holder's: its retry is not lost", async () => {
      // `a` stalls (its clock falls behind, as if its process froze) and its lease lapses; `b` takes the message.
      let lag = 0;
      const a = await open({ leaseMs: 1_000, now: () => Date.now() - lag });
      const b = await open({ leaseMs: 60_000 });
      const received: string[] = [];
      let releaseA!: () => void;
      let aSettled = false;
      void a.listen(
        async (m: { name: string }) => {
          received.push(`a:${m.name}`);
          await new Promise<void>((resolve) => (releaseA = resolve));
          aSettled = true;
        },
        { signal: controller.signal },
      );
      await b.enqueue({ id: "m", name: "first" });
      await waitFor(() => received.length === 1);
      lag = 60_000;
      void b.listen(
        async (m: { id: string; name: string }) => {
          received.push(`b:${m.name}`);
          if (m.name !== "first") return;
          // The old holder finishes while `b` still works; then `b`'s delivery fails and is put back for a retry.
          releaseA();
          await waitFor(() => aSettled);
          await sleep(200);
          await b.enqueue({ id: "m", name: "retry" });
        },
        { signal: controller.signal },
      );
      await waitFor(() => received.includes("b:retry"));
      expect(received).toEqual(["a:first", "b:first", "b:retry"]);
      await sleep(100);
      expect(await b.getDepth()).toEqual({ queued: 0, ready: 0, delayed: 0 });
    });

    it("gives one inbox host at most perHostConcurrency handlers while other hosts keep flowing", async () => {
      const mq = await open({ concurrency: 8, perHostConcurrency: 2 });
      const started: string[] = [];
      const release: (() => void)[] = [];
      for (let i = 0; i < 10; i++) await mq.enqueue({ name: `slow${i}`, inbox: "https://slow.example/users/a/inbox" });
      for (let i = 0; i < 5; i++) await mq.enqueue({ name: `fast${i}`, inbox: `https://fast${i}.example/inbox` });
      void mq.listen(
        (m: { name: string }) => {
          started.push(m.name);
          return new Promise<void>((resolve) => release.push(resolve));
        },
        { signal: controller.signal },
      );
      await waitFor(() => started.length === 7);
      await sleep(100);
      expect(started.filter((n) => n.startsWith("slow"))).toEqual(["slow0", "slow1"]);
      expect(started.filter((n) => n.startsWith("fast")).sort()).toEqual(["fast0", "fast1", "fast2", "fast3", "fast4"]);
      release[0]!();
      await waitFor(() => started.includes("slow2"));
    });
  });
}
