import type Database from "better-sqlite3";

interface Queued {
  write: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: writes asked for within one turn of the event loop share one transaction, so one commit
 * (one WAL append of the pages they touch) serves many requests — the inbox's hot path, where a commit
 * per activity was most of the database's cost. Each write runs in its own savepoint: one that throws
 * leaves no trace and the others still commit, so every write stays all-or-nothing. Each promise
 * settles after the commit, so a caller that answers after awaiting it answers for committed data.
 */
export type GroupCommit = <T>(write: () => T) => Promise<T>;

const shared = new WeakMap<Database.Database, GroupCommit>();

/** The connection's one group commit: every inbox (view, posts) shares its batches and so its commits. */
export function sharedGroupCommit(sqlite: Database.Database): GroupCommit {
  let commit = shared.get(sqlite);
  if (!commit) shared.set(sqlite, (commit = groupCommit(sqlite)));
  return commit;
}

export function groupCommit(sqlite: Database.Database): GroupCommit {
  let queued: Queued[] = [];

  function commit(): void {
    const batch = queued;
    queued = [];
    const outcomes: ({ value: unknown } | { error: unknown })[] = [];
    try {
      sqlite
        .transaction(() => {
          for (const { write } of batch) {
            // Some failures (disk full, I/O) roll back the whole transaction, not just the savepoint: the
            // rest must not run as transactions of their own, so the batch ends and every write fails.
            if (!sqlite.inTransaction) throw new Error("the batch's transaction was rolled back");
            try {
              outcomes.push({ value: sqlite.transaction(write)() }); // nested: a savepoint
            } catch (error) {
              outcomes.push({ error });
            }
          }
        })
        .immediate();
    } catch (error) {
      for (const { reject } of batch) reject(error); // the commit itself failed: nothing was written
      return;
    }
    batch.forEach(({ resolve, reject }, i) => {
      const outcome = outcomes[i]!;
      if ("error" in outcome) reject(outcome.error);
      else resolve(outcome.value);
    });
  }

  return <T>(write: () => T) =>
    new Promise<T>((resolve, reject) => {
      if (queued.length === 0) setImmediate(commit);
      queued.push({ write, resolve: resolve as (value: unknown) => void, reject });
    });
}
