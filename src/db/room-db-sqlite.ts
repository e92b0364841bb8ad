import type Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import {
  placeholders,
  refuseNesting,
  runAsWrite,
  type Placeholders,
  type Preparable,
  type RoomDb,
  type RoomQueries,
} from "./room-db.ts";
import { OTHER_PROCESSES_SEEN_WITHIN_MS, versionReader } from "./versions.ts";

/**
 * The RoomDb on the pod's one better-sqlite3 connection, which every request and the not yet converted
 * synchronous stores share.
 *
 * Why this shape: a SQLite transaction on a shared connection contains every statement run on it until COMMIT,
 * whoever runs it; better-sqlite3's transaction() refuses an asynchronous callback for that reason. A write here
 * is asynchronous but still runs within ONE macrotask: drizzle's SQLite queries execute when awaited and resolve
 * as microtasks, so a callback that awaits only its `db` finishes before the event loop turns. Four things keep
 * other requests' statements out of it:
 *
 * - A process-wide lock per connection: writes queue, never interleave or nest.
 * - Each write begins in a macrotask of its own (a setImmediate callback), where the microtask queue starts
 *   empty: until COMMIT, only the write's own continuations run. Begun in a microtask instead, it would share
 *   its turn with other requests' continuations (the caller of the write before it, carrying on with an old
 *   synchronous store; requests woken by the group commit), whose statements would land in the transaction and
 *   be lost with its rollback. A write asked for inside a synchronous transaction (the inbox's group commit,
 *   an old store's) so also begins after that transaction has committed.
 * - BEGIN IMMEDIATE: the write lock is taken at the start (another process's writer makes it wait busy_timeout,
 *   never fail halfway with SQLITE_BUSY on upgrade).
 * - A guard against a callback that awaited something else (a fetch, a timer, a queue): a setImmediate set at
 *   BEGIN fires only if the event loop turned with the transaction open. It rolls the transaction back at once
 *   (so the statements of later macrotasks, e.g. a group commit's batch, no longer land in it), makes every
 *   later statement of the callback throw, and the write rejects with an error that says what happened. It is a
 *   programming error caught loudly, not a mode of operation: statements of macrotasks that ran before the guard
 *   fired (in the same loop phase) did run inside the rolled-back transaction. Such callbacks belong outside
 *   write(): do the slow work first, then write.
 */
export function sqliteRoomDb(sqlite: Database.Database): RoomDb {
  const existing = opened.get(sqlite);
  if (existing) return existing;
  const prepare = statementCache(sqlite);
  const plain = drizzle({ client: { prepare } as unknown as Database.Database }) as unknown as RoomQueries;
  const lock = writeLock();
  /** Each open write's db, with the check its every statement passes first. */
  const writes = new WeakMap<RoomQueries, () => void>();

  async function writeNow<R>(fn: (db: RoomQueries) => Promise<R>): Promise<R> {
    if (sqlite.inTransaction) {
      throw new Error("RoomDb.write: the SQLite connection is inside another transaction, which must not span a turn");
    }
    const state = { open: true, turned: false };
    const check = () => {
      if (state.turned) throw new TransactionLeftTheTurn();
      if (!state.open) throw new Error("RoomDb.write: a statement after the write ended (a promise not awaited?)");
    };
    const guarded = {
      prepare(source: string) {
        check();
        return prepare(source);
      },
    };
    const db = drizzle({ client: guarded as unknown as Database.Database }) as unknown as RoomQueries;
    writes.set(db, check);
    prepare("BEGIN IMMEDIATE").run();
    const probe = setImmediate(() => {
      state.turned = true;
      if (sqlite.inTransaction) sqlite.prepare("ROLLBACK").run();
    });
    try {
      const result = await fn(db);
      if (state.turned) throw new TransactionLeftTheTurn();
      prepare("COMMIT").run();
      return result;
    } catch (error) {
      if (!state.turned && sqlite.inTransaction) sqlite.prepare("ROLLBACK").run();
      throw state.turned ? new TransactionLeftTheTurn() : error;
    } finally {
      state.open = false;
      clearImmediate(probe);
    }
  }

  const versions = new Map<string, () => number>();
  const roomDb: RoomDb = {
    dialect: "sqlite",
    // Read synchronously when asked: nothing to wait for.
    countersDue: () => null,
    version(name, withinMs = OTHER_PROCESSES_SEEN_WITHIN_MS) {
      const key = `${name}/${withinMs}`;
      let getter = versions.get(key);
      if (!getter) versions.set(key, (getter = versionReader(sqlite, name, withinMs)));
      return getter;
    },
    table: <T extends SQLiteTable>(table: T) => table,
    async read(fn) {
      refuseNesting("read");
      return fn(plain);
    },
    // `oneAtATime` needs nothing more here: BEGIN IMMEDIATE already makes writers to one file take turns.
    async write(fn) {
      refuseNesting("write");
      return lock(() => runAsWrite(() => inTurnOfItsOwn(() => writeNow(fn))));
    },
    prepare<P extends object, R>(build: (db: RoomQueries, p: Placeholders<P>) => Preparable<R>) {
      let query: ReturnType<Preparable<R>["prepare"]> | undefined;
      return (db: RoomQueries, values: P): Promise<R> => {
        try {
          if (db !== plain) {
            const check = writes.get(db);
            if (!check) throw new Error("a prepared query runs on the db of its own RoomDb's read or write");
            check();
          }
          // Built on the connection itself: a write's statements are the connection's, inside its transaction.
          query ??= build(plain, placeholders as Placeholders<P>).prepare();
          // better-sqlite3 answers at once (drizzle's `.sync()`): the statement runs now, as the check just passed,
          // not whenever the promise is awaited.
          return Promise.resolve((query.execute(values as Record<string, unknown>) as unknown as { sync(): R }).sync());
        } catch (error) {
          return Promise.reject(error);
        }
      };
    },
  };
  opened.set(sqlite, roomDb);
  return roomDb;
}

export class TransactionLeftTheTurn extends Error {
  constructor() {
    super(
      "RoomDb.write: the callback awaited something other than the database, so other requests could have run " +
        "inside its SQLite transaction; it was rolled back. Do slow work (fetches, timers, queues) before write().",
    );
    this.name = "TransactionLeftTheTurn";
  }
}

/** Starts `work` at the beginning of a macrotask of its own (see sqliteRoomDb). */
function inTurnOfItsOwn<R>(work: () => Promise<R>): Promise<R> {
  return new Promise((resolve, reject) => setImmediate(() => work().then(resolve, reject)));
}

/** Statements kept per SQL text (stores build the same few queries over and over: the inbox's, the view's). */
const STATEMENTS_KEPT = 1_000;

/**
 * better-sqlite3's prepare, remembering each statement by its SQL text: drizzle prepares every query it runs, and
 * preparing (SQLite compiling the SQL) was the largest single cost of a delivery once the rooms built queries per
 * call. A statement is handed out as new (drizzle turns `raw` on for some reads and expects it off for others);
 * better-sqlite3 runs one statement at a time, so sharing one is safe. The least recently used goes past the bound.
 */
function statementCache(sqlite: Database.Database): (source: string) => Database.Statement {
  const kept = new Map<string, Database.Statement>();
  return (source) => {
    let statement = kept.get(source);
    if (statement) {
      kept.delete(source);
      if (statement.reader) statement.raw(false);
    } else {
      statement = sqlite.prepare(source);
      if (kept.size >= STATEMENTS_KEPT) kept.delete(kept.keys().next().value!);
    }
    kept.set(source, statement);
    return statement;
  };
}

/** One RoomDb (and so one write lock) per connection, however many stores ask for it. */
const opened = new WeakMap<Database.Database, RoomDb>();

type Lock = <R>(work: () => Promise<R>) => Promise<R>;

function writeLock(): Lock {
  let tail: Promise<unknown> = Promise.resolve();
  return (work) => {
    const result = tail.then(work);
    tail = result.catch(() => {});
    return result;
  };
}
