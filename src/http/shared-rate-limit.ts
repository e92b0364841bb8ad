import fastifyRateLimit from "@fastify/rate-limit";
import { and, eq, gt, lte, sql } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { RoomDb } from "../db/room-db.ts";
import { rateLimitHits } from "./schema.ts";

type Result = { current: number; ttl: number };
type Callback = (error: Error | null, result?: Result) => void;
/** What @fastify/rate-limit passes to a store's child(): the merged limit, and the route when there is one. */
type LimitParams = { max?: unknown; timeWindow?: unknown; routeInfo?: { method?: string | string[]; url?: string } };

/** Expired rows are swept once per this many hits. */
const SWEEP_EVERY = 256;

/**
 * Registers @fastify/rate-limit in `scope` (not global: routes opt in) with its hits counted in the pod's database,
 * so a limit holds across every web process serving the pod; in memory, each process would allow the limit anew.
 * `scopeName` keeps the counts of different scopes apart (the same route path may exist in two).
 */
export async function registerSharedRateLimit(scope: FastifyInstance, rooms: RoomDb, scopeName: string): Promise<void> {
  const onSweepError = (error: unknown) => scope.log.warn({ err: error }, "sweeping expired rate limit hits failed");
  await scope.register(fastifyRateLimit, {
    global: false,
    store: sharedRateLimitStore(rooms, scopeName, { onSweepError }),
  });
}

/** The only code that reads or writes rate limit hits, on either database. */
export function rateLimitHitsStore(rooms: RoomDb) {
  const t = rooms.table(rateLimitHits);
  return {
    /** Counts a hit: one statement, so the hit and its window are counted atomically whichever process writes. */
    async hit(key: string, now: number, windowMs: number): Promise<{ hits: number; windowEndsAt: number }> {
      const expired = sql`${t.windowEndsAt} <= ${now}`;
      const [row] = await rooms.write((db) =>
        db
          .insert(t)
          .values({ key, hits: 1, windowEndsAt: now + windowMs })
          .onConflictDoUpdate({
            target: t.key,
            set: {
              hits: sql`CASE WHEN ${expired} THEN 1 ELSE ${t.hits} + 1 END`,
              windowEndsAt: sql`CASE WHEN ${expired} THEN ${now + windowMs} ELSE ${t.windowEndsAt} END`,
            },
          })
          .returning({ hits: t.hits, windowEndsAt: t.windowEndsAt }),
      );
      return row!;
    },

    /** The hits of the window running at `now`, without counting one. */
    async peek(key: string, now: number): Promise<{ hits: number; windowEndsAt: number } | undefined> {
      const [row] = await rooms.read((db) =>
        db
          .select({ hits: t.hits, windowEndsAt: t.windowEndsAt })
          .from(t)
          .where(and(eq(t.key, key), gt(t.windowEndsAt, now))),
      );
      return row;
    },

    /** Forgets the windows that ended by `now`; how many. */
    async sweep(now: number): Promise<number> {
      const gone = await rooms.write((db) => db.delete(t).where(lte(t.windowEndsAt, now)).returning({ key: t.key }));
      return gone.length;
    },
  };
}

export interface SharedRateLimitOptions {
  now?: () => number;
  sweepEvery?: number;
  /** A failed sweep does not fail the hit (the next sweep tries again): it is reported here. */
  onSweepError?: (error: unknown) => void;
}

/** The store class @fastify/rate-limit makes its counters from, counting in `rooms`. */
export function sharedRateLimitStore(rooms: RoomDb, scopeName: string, options: SharedRateLimitOptions = {}) {
  const { now = Date.now, sweepEvery = SWEEP_EVERY, onSweepError = () => {} } = options;
  const store = rateLimitHitsStore(rooms);
  let hitsSinceSweep = 0;

  async function count(key: string, windowMs: number): Promise<Result> {
    const at = now();
    if (++hitsSinceSweep >= sweepEvery) {
      hitsSinceSweep = 0;
      await store.sweep(at).catch(onSweepError);
    }
    const row = await store.hit(key, at, windowMs);
    return { current: row.hits, ttl: row.windowEndsAt - at };
  }

  async function look(key: string): Promise<Result> {
    const at = now();
    const row = await store.peek(key, at);
    return row ? { current: row.hits, ttl: row.windowEndsAt - at } : { current: 0, ttl: 0 };
  }

  return class SharedRateLimitStore {
    readonly #limiter: string;

    constructor(_globalParams: unknown, limiter = "all") {
      this.#limiter = limiter;
    }

    /** A route's limit is counted apart from the others'; a limiter made with createRateLimit is named by its limit. */
    child(options: object) {
      // The plugin's types say route options; what it passes is the merged limit with the route as `routeInfo`.
      const params = options as LimitParams;
      const route = params.routeInfo?.url;
      const method = [params.routeInfo?.method ?? ""].flat().join(",");
      return new SharedRateLimitStore(
        null,
        route ? `${method} ${route}` : `limiter ${params.max}/${params.timeWindow}`,
      );
    }

    incr(key: string, callback: Callback, timeWindow: number): void {
      count(this.#key(key), timeWindow).then(
        (result) => callback(null, result),
        (error: Error) => callback(error),
      );
    }

    read(key: string, callback: Callback): void {
      look(this.#key(key)).then(
        (result) => callback(null, result),
        (error: Error) => callback(error),
      );
    }

    #key(client: string): string {
      return `${scopeName}|${this.#limiter}|${client}`;
    }
  };
}
