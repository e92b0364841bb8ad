import type { PostgresPool } from "./postgres.ts";
import { OTHER_PROCESSES_SEEN_WITHIN_MS, type VersionName } from "./versions.ts";

/**
 * The PostgreSQL twin of versionReader (versions.ts): the same change counters (bumped by the triggers of
 * migrations-pg/0002_document_versions.sql), read through the same synchronous getter, so an in-memory copy
 * checks it on every request for nothing. A query cannot answer synchronously, so a getter answers the last
 * values read and, at most once per `withinMs`, asks for newer ones in the background (one query reads every
 * counter). `due()` hands a request that read to wait for: awaited before its copies check the counters, it
 * makes the first request after `withinMs` see another process's change, as on SQLite. Until the first values
 * arrive a counter answers -1, which copies take as "never applied" (they reload).
 */
function postgresCounters(pool: PostgresPool, onError: (error: unknown) => void) {
  const values = new Map<string, number>();
  let readAt = Number.NEGATIVE_INFINITY;
  let reading: Promise<void> | null = null;
  const read = (): Promise<void> => {
    readAt = performance.now();
    reading ??= pool
      .query<{ name: string; version: string }>("SELECT name, version FROM document_versions")
      // bigint arrives as text from node-postgres.
      .then(({ rows }) => {
        for (const row of rows) values.set(row.name, Number(row.version));
      }, onError)
      .finally(() => (reading = null));
    return reading;
  };
  const isDue = (withinMs: number) => performance.now() - readAt >= withinMs;
  return {
    /** The counter's last value read; starts a read in the background when one is due. */
    get(name: VersionName, withinMs: number): number {
      if (!reading && isDue(withinMs)) void read();
      return values.get(name) ?? -1;
    },
    /** The read in progress, or one started now when due; null when the values are fresh. */
    due(withinMs: number): Promise<void> | null {
      if (reading) return reading;
      return isDue(withinMs) ? read() : null;
    },
    read,
  };
}

/** A getter made with its first value already read (tests, and a pod priming its counters before it serves). */
export async function postgresVersionReader(
  pool: PostgresPool,
  name: VersionName,
  withinMs = OTHER_PROCESSES_SEEN_WITHIN_MS,
  onError: (error: unknown) => void = () => {},
): Promise<() => number> {
  const counters = postgresCounters(pool, onError);
  await counters.read();
  return () => counters.get(name, withinMs);
}

/** The pool's counters (RoomDb.version): shared, so a pod reads them once per 100 ms whatever asks. */
const shared = new WeakMap<PostgresPool, ReturnType<typeof postgresCounters>>();

/** A database that cannot answer is said once a minute, not on every read (up to ten a second). */
const ERROR_SAID_EVERY_MS = 60_000;

function sharedCounters(pool: PostgresPool) {
  let counters = shared.get(pool);
  if (!counters) {
    let saidAt = Number.NEGATIVE_INFINITY;
    const onError = (error: unknown) => {
      if (performance.now() - saidAt < ERROR_SAID_EVERY_MS) return;
      saidAt = performance.now();
      console.warn("the change counters could not be read", error);
    };
    shared.set(pool, (counters = postgresCounters(pool, onError)));
  }
  return counters;
}

/** The pool's one getter per counter and interval (callers compare and keep them). */
const getters = new WeakMap<PostgresPool, Map<string, () => number>>();

export function postgresVersionOf(
  pool: PostgresPool,
  name: VersionName,
  withinMs = OTHER_PROCESSES_SEEN_WITHIN_MS,
): () => number {
  let byKey = getters.get(pool);
  if (!byKey) getters.set(pool, (byKey = new Map()));
  const key = `${name}/${withinMs}`;
  let getter = byKey.get(key);
  if (!getter) {
    const counters = sharedCounters(pool);
    byKey.set(key, (getter = () => counters.get(name, withinMs)));
  }
  return getter;
}

/** How long a request waits for the counters' read: a busy pool or a slow server must not hold every request. */
const COUNTERS_WAITED_MS = 250;

/**
 * RoomDb.countersDue on PostgreSQL: the shared read a request waits for when the values are older than 100 ms, for
 * at most 250 ms (then the request goes on with the values it has; the read carries on for the next one).
 */
export function postgresCountersDue(pool: PostgresPool): Promise<void> | null {
  const read = sharedCounters(pool).due(OTHER_PROCESSES_SEEN_WITHIN_MS);
  if (!read) return null;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, COUNTERS_WAITED_MS);
  });
  return Promise.race([read, late]).finally(() => clearTimeout(timer));
}
