import { mkdirSync } from "node:fs";
import { ConfigError, loadConfig } from "../config/load.ts";
import { openMigratedDatabase } from "../db/client.ts";

/** `npm run migrate`: creates the data directory and applies pending migrations, then exits. */
try {
  const config = loadConfig();
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  openMigratedDatabase(config.databasePath).close();
  process.stdout.write(`Database ${config.databasePath} is up to date.\n`);
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(error instanceof ConfigError ? 78 : 1);
}
