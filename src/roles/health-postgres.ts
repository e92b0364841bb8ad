import { readFileSync } from "node:fs";
import type { PostgresPool } from "../db/postgres.ts";
import type { ReadinessCheck } from "./health.ts";

/** A server that does not answer within this is down for /ready (a probe must not hang with it). */
const ANSWER_WITHIN_MS = 2_000;
const JOURNAL = new URL("../../migrations-pg/meta/_journal.json", import.meta.url);

async function answered<T>(query: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("no answer")), ANSWER_WITHIN_MS);
  });
  try {
    return await Promise.race([query, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The PostgreSQL server answers a query on the pool. */
export function postgresAnswers(pool: PostgresPool): ReadinessCheck {
  return { name: "database", up: async () => (await answered(pool.query("SELECT 1 AS one"))).rows[0]?.one === 1 };
}

/** Every PostgreSQL migration this code knows has been applied (a newer process may have applied more). */
export function postgresMigrated(pool: PostgresPool): ReadinessCheck {
  const known = (JSON.parse(readFileSync(JOURNAL, "utf8")) as { entries: unknown[] }).entries.length;
  return {
    name: "migrations",
    up: async () => {
      const exists = await answered(pool.query("SELECT to_regclass('drizzle.__drizzle_migrations') AS t"));
      if (exists.rows[0]?.t === null) return false;
      const applied = await answered(pool.query("SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations"));
      return applied.rows[0].n >= known;
    },
  };
}
