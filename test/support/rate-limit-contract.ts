import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { RoomDb } from "../../src/db/room-db.ts";
import { rateLimitHits } from "../../src/http/schema.ts";
import { sharedRateLimitStore, type SharedRateLimitOptions } from "../../src/http/shared-rate-limit.ts";

type Result = { current: number; ttl: number };
interface Counter {
  incr(key: string, callback: (error: Error | null, result?: Result) => void, timeWindow: number): void;
  read(key: string, callback: (error: Error | null, result?: Result) => void): void;
  child(options: object): Counter;
}

/**
 * The shared rate limit store's behaviour on both databases (test/integration/rate-limit-store.test.ts and
 * test/postgres/rate-limit-store.test.ts), driven as @fastify/rate-limit drives it: a store per scope, a child per
 * route or limiter, incr and read with callbacks. Through the plugin: test/integration/admin-rate-limit.test.ts,
 * and across two web processes test/e2e/split-rate-limits.test.ts.
 */
export function describeRateLimitContract(name: string, open: () => RoomDb): void {
  describe(`${name} (shared rate limit store)`, () => {
    const WINDOW = 60_000;
    const clock = { now: Date.UTC(2026, 0, 1) };

    function scope(scopeName: string, options: SharedRateLimitOptions = {}): Counter {
      const Store = sharedRateLimitStore(open(), scopeName, { now: () => clock.now, ...options });
      return new Store(null) as Counter;
    }
    const route = (counter: Counter, method: string, url: string) => counter.child({ routeInfo: { method, url } });
    const incr = (counter: Counter, key: string, window = WINDOW) =>
      new Promise<Result>((resolve, reject) =>
        counter.incr(key, (error, result) => (error ? reject(error) : resolve(result!)), window),
      );
    const read = (counter: Counter, key: string) =>
      new Promise<Result>((resolve, reject) =>
        counter.read(key, (error, result) => (error ? reject(error) : resolve(result!))),
      );
    const client = () => `203.0.113.${randomUUID()}`;

    it("counts the hits of a window, and the window's time left", async () => {
      const signIn = route(scope("app"), "POST", "/sign-in");
      const address = client();
      expect(await incr(signIn, address)).toEqual({ current: 1, ttl: WINDOW });
      clock.now += 1000;
      expect(await incr(signIn, address)).toEqual({ current: 2, ttl: WINDOW - 1000 });
      clock.now += 1000;
      expect(await incr(signIn, address)).toEqual({ current: 3, ttl: WINDOW - 2000 });
    });

    it("starts a new window once the last one ended", async () => {
      const signIn = route(scope("app"), "POST", "/sign-in");
      const address = client();
      await incr(signIn, address);
      await incr(signIn, address);
      clock.now += WINDOW - 1;
      expect(await incr(signIn, address)).toEqual({ current: 3, ttl: 1 });
      clock.now += 1; // the window ends now
      expect(await incr(signIn, address)).toEqual({ current: 1, ttl: WINDOW });
      expect(await incr(signIn, address)).toEqual({ current: 2, ttl: WINDOW });
    });

    it("read tells the running window's hits without counting one, and nothing once it ended", async () => {
      const signIn = route(scope("app"), "POST", "/sign-in");
      const address = client();
      expect(await read(signIn, address)).toEqual({ current: 0, ttl: 0 });
      await incr(signIn, address);
      clock.now += 10;
      expect(await read(signIn, address)).toEqual({ current: 1, ttl: WINDOW - 10 });
      expect(await read(signIn, address)).toEqual({ current: 1, ttl: WINDOW - 10 });
      expect(await incr(signIn, address)).toMatchObject({ current: 2 });
      clock.now += WINDOW;
      expect(await read(signIn, address)).toEqual({ current: 0, ttl: 0 });
    });

    it("counts routes, limiters, scopes and clients apart", async () => {
      const app = scope("app");
      const admin = scope("admin");
      const address = client();
      const counters = [
        route(app, "POST", "/sign-in"),
        route(app, "POST", "/sign-in/code"),
        route(app, "GET", "/sign-in"),
        route(admin, "POST", "/sign-in"),
        app.child({ max: 5, timeWindow: 1000 }),
        app.child({ max: 6, timeWindow: 1000 }),
      ];
      for (const counter of counters) expect(await incr(counter, address)).toMatchObject({ current: 1 });
      for (const counter of counters) expect(await incr(counter, address)).toMatchObject({ current: 2 });
      expect(await incr(counters[0]!, client())).toMatchObject({ current: 1 });
      // Another process's store for the same scope and route counts the same hits.
      expect(await incr(route(scope("app"), "POST", "/sign-in"), address)).toMatchObject({ current: 3 });
    });

    it("many hits at once, from two processes' stores, are each counted once", async () => {
      const address = client();
      const one = route(scope("app"), "POST", "/guess");
      const two = route(scope("app"), "POST", "/guess");
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => incr(i % 2 ? one : two, address)));
      expect(results.map((result) => result.current).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 40 }, (_, i) => i + 1),
      );
    });

    it("sweeps the windows that ended every so many hits, and keeps the running ones", async () => {
      const rooms = open();
      const t = rooms.table(rateLimitHits);
      await rooms.write((db) => db.delete(t));
      const keys = async () => (await rooms.read((db) => db.select({ key: t.key }).from(t))).map((row) => row.key);
      const swept = route(scope("sweeps", { sweepEvery: 3 }), "POST", "/sign-in");
      await incr(swept, "short-1", 100);
      await incr(swept, "long", WINDOW);
      expect(await keys()).toHaveLength(2);
      clock.now += 100; // short-1's window ends
      await incr(swept, "short-2", 100); // the third hit sweeps first
      expect((await keys()).sort()).toEqual(["sweeps|POST /sign-in|long", "sweeps|POST /sign-in|short-2"]);
      expect(await incr(swept, "long")).toMatchObject({ current: 2 });
    });
  });
}
