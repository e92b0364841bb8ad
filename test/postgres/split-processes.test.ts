import pg from "pg";
import { freshDatabase } from "../support/postgres.ts";
import { splitPodSuite } from "../support/split-suite.ts";

splitPodSuite("one pod as two web processes and two workers on one PostgreSQL database", async () => {
  const database = await freshDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  return {
    env: { DATABASE_URL: database.url },
    async leases() {
      const result = await pool.query("SELECT name, runs, last_run_at FROM timer_leases");
      return result.rows.map((row) => ({ name: row.name, runs: Number(row.runs), lastRunAt: Number(row.last_run_at) }));
    },
    async addFollowers(rows) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        for (const row of rows) {
          await client.query(
            `INSERT INTO followers (actor_iri, follow_iri, inbox, shared_inbox, state, kind, created_at, accepted_at)
             VALUES ($1, $2, $3, $4, 'accepted', 'social', $5, $5)`,
            [row.actorIri, row.followIri, row.inbox, row.sharedInbox, row.at],
          );
        }
        await client.query("COMMIT");
      } finally {
        client.release();
      }
    },
    async leasedAfter(at) {
      const result = await pool.query("SELECT count(*)::int AS n FROM fedify_queue_messages WHERE claimed_until > $1", [
        at,
      ]);
      return result.rows[0].n;
    },
    async close() {
      await pool.end();
      await database.drop();
    },
  };
});
