/**
 * The reload behind an in-memory copy of what a store holds (the settings, the categories, the charter's latest
 * revision): read synchronously on every request, kept up to date with a change counter that SQL triggers bump
 * whenever any process changes the rows (src/db/versions.ts, versions-postgres.ts).
 *
 * - `load()` reads the rows and applies them: before the pod serves, and after this process's own change.
 * - `refresh()` is undefined (no promise) when the counter has not moved, nearly always; otherwise it starts one
 *   reload that concurrent callers share, and returns it.
 * The counter is read before the rows, so a later change is never taken for applied; a reload that finishes after
 * a later one (PostgreSQL reads run on several connections) leaves the later one's rows. A counter of -1 (a
 * database older than its migration) means nothing is ever taken for applied.
 */
export function versionedCopy<T>(savedVersion: () => number, read: () => Promise<T>, apply: (rows: T) => void) {
  let appliedVersion = Number.NaN;
  let reloading: Promise<void> | undefined;
  let started = 0;
  let applied = 0;

  async function load(): Promise<void> {
    const ticket = ++started;
    const version = savedVersion();
    const rows = await read();
    if (ticket < applied) return;
    applied = ticket;
    appliedVersion = version;
    apply(rows);
  }

  function refresh(): Promise<void> | undefined {
    if (reloading) return reloading;
    const version = savedVersion();
    if (version === appliedVersion && version !== -1) return undefined;
    reloading = load().finally(() => (reloading = undefined));
    return reloading;
  }

  return { load, refresh };
}
