import { join } from "node:path";
import Database from "better-sqlite3";
import { type LeaseRow, splitPodSuite } from "../support/split-suite.ts";

splitPodSuite("one pod as two web processes and two workers on one data directory", async (dataDir) => {
  // The processes make the file; this connection opens it when first asked.
  let opened: Database.Database | undefined;
  const db = () => {
    opened ??= new Database(join(dataDir, "pod.sqlite"));
    opened.pragma("busy_timeout = 5000");
    return opened;
  };
  return {
    env: {},
    leases: async () =>
      db().prepare("SELECT name, runs, last_run_at AS lastRunAt FROM timer_leases").all() as LeaseRow[],
    async addFollowers(rows) {
      const insert = db().prepare(
        `INSERT INTO followers (actor_iri, follow_iri, inbox, shared_inbox, state, kind, created_at, accepted_at)
         VALUES (?, ?, ?, ?, 'accepted', 'social', ?, ?)`,
      );
      db().transaction(() => {
        for (const row of rows) insert.run(row.actorIri, row.followIri, row.inbox, row.sharedInbox, row.at, row.at);
      })();
    },
    leasedAfter: async (at) =>
      db().prepare("SELECT count(*) FROM queue_messages WHERE claimed_until > ?").pluck().get(at) as number,
    async close() {
      opened?.close();
    },
  };
});
