import { mkdirSync } from "node:fs";
import { ConfigError, loadConfig } from "../config/load.ts";
import { openMigratedDatabase } from "../db/client.ts";
import { migratePostgres, openPostgresPool } from "../db/postgres.ts";

/**
 * `npm run migrate`: applies pending migrations, then exits: to the PostgreSQL database DATABASE_URL names, or
 * to the SQLite file in the data directory (made if needed).
 */
try {
  const config = loadConfig();
  if (config.databaseUrl) {
    const pool = openPostgresPool(config.databaseUrl, { max: 1, applicationName: "pods migrate" });
    try {
      await migratePostgres(pool);
    } finally {
      await pool.end();
    }
    process.stdout.write("The PostgreSQL database (DATABASE_URL) is up to date.\n");
  } else {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    openMigratedDatabase(config.databasePath).close();
    process.stdout.write(`Database ${config.databasePath} is up to date.\n`);
  }
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(error instanceof ConfigError ? 78 : 1);
}
