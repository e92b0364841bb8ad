import { defineConfig } from "drizzle-kit";

/** The same rooms' tables on PostgreSQL (src/db/postgres-schema.ts, derived from their SQLite schemas). */
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/postgres-schema.ts",
  out: "./migrations-pg",
});
