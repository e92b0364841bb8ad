import fastifyRateLimit from "@fastify/rate-limit";
import type { FastifyInstance } from "fastify";
import type { Db } from "../db/client.ts";

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
export async function registerSharedRateLimit(scope: FastifyInstance, db: Db, scopeName: string): Promise<void> {
  await scope.register(fastifyRateLimit, { global: false, store: sharedRateLimitStore(db, scopeName) });
}

function sharedRateLimitStore(db: Db, scopeName: string) {
  const sqlite = db.$client;
  // One statement: the hit and the window are counted atomically, whichever process writes first.
  const hit = sqlite.prepare<{ key: string; now: number; window: number }, { hits: number; window_ends_at: number }>(
    `INSERT INTO rate_limit_hits (key, hits, window_ends_at) VALUES (@key, 1, @now + @window)
     ON CONFLICT (key) DO UPDATE SET
       hits = CASE WHEN window_ends_at <= @now THEN 1 ELSE hits + 1 END,
       window_ends_at = CASE WHEN window_ends_at <= @now THEN @now + @window ELSE window_ends_at END
     RETURNING hits, window_ends_at`,
  );
  const peek = sqlite.prepare<[string, number], { hits: number; window_ends_at: number }>(
    "SELECT hits, window_ends_at FROM rate_limit_hits WHERE key = ? AND window_ends_at > ?",
  );
  const sweep = sqlite.prepare<[number]>("DELETE FROM rate_limit_hits WHERE window_ends_at <= ?");
  let hitsSinceSweep = 0;

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
      const now = Date.now();
      try {
        if (++hitsSinceSweep >= SWEEP_EVERY) {
          hitsSinceSweep = 0;
          sweep.run(now);
        }
        const row = hit.get({ key: this.#key(key), now, window: timeWindow })!;
        callback(null, { current: row.hits, ttl: row.window_ends_at - now });
      } catch (error) {
        callback(error as Error);
      }
    }

    read(key: string, callback: Callback): void {
      const now = Date.now();
      try {
        const row = peek.get(this.#key(key), now);
        callback(null, row ? { current: row.hits, ttl: row.window_ends_at - now } : { current: 0, ttl: 0 });
      } catch (error) {
        callback(error as Error);
      }
    }

    #key(client: string): string {
      return `${scopeName}|${this.#limiter}|${client}`;
    }
  };
}
