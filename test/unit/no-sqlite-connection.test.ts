/**
 * The pod's code reaches its database only through the RoomDb (SQLite or PostgreSQL, src/db/room-db.ts), which
 * PodDeps carry: no file outside the few that open or move the SQLite database takes the synchronous better-sqlite3
 * connection (the `Db` or `DatabaseHandle` of src/db/client.ts, its `$client`) or runs drizzle's SQLite-only
 * `.get()`, `.all()`, `.run()`. On PostgreSQL there is no such connection at all.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/** Where the SQLite connection belongs: opening, migrating and moving the database, and the SQLite KV and queue. */
const ALLOWED_DIRS = ["src/db/", "src/moving/", "src/roles/"];
const ALLOWED_FILES = [
  "src/pod.ts", // opens the database (the Pod keeps its DatabaseHandle)
  "src/cli/migrate.ts", // `npm run migrate`: opens and migrates the SQLite file
  "src/federation/sqlite-kv.ts",
  "src/federation/sqlite-mq.ts",
];
const allowed = (file: string) =>
  ALLOWED_DIRS.some((prefix) => file.startsWith(prefix)) || ALLOWED_FILES.includes(file);

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return file.endsWith(".ts") ? [file] : [];
  });
}

/** What gives a file the synchronous SQLite connection, or uses it. */
function sqliteConnectionUses(source: string): string[] {
  const uses: string[] = [];
  if (/from "(\.\.?\/)+(db\/)?client\.ts"/.test(source)) uses.push("imports src/db/client.ts");
  if (/\$client\b/.test(source)) uses.push("uses $client");
  if (/from "better-sqlite3"/.test(source)) uses.push("imports better-sqlite3");
  if (/\.(get|all|run)\(\)/.test(source)) uses.push("runs a synchronous query (.get()/.all()/.run())");
  return uses;
}

describe("the pod's code uses the RoomDb, never the SQLite connection", () => {
  it("the check sees each way in", () => {
    expect(sqliteConnectionUses('import type { Db } from "../db/client.ts";')).toEqual(["imports src/db/client.ts"]);
    expect(sqliteConnectionUses('import { openDatabase } from "../../db/client.ts";')).toHaveLength(1);
    expect(sqliteConnectionUses("const raw = deps.db.$client;")).toEqual(["uses $client"]);
    expect(sqliteConnectionUses('import Database from "better-sqlite3";')).toEqual(["imports better-sqlite3"]);
    expect(sqliteConnectionUses("db.select().from(t).all();")).toHaveLength(1);
    expect(sqliteConnectionUses('import { roomsOf } from "../db/room-db.ts";')).toEqual([]);
  });

  it("no file under src/ outside the allowlist takes or uses it", () => {
    const found = sourceFiles("src")
      .filter((file) => !allowed(file))
      .flatMap((file) => sqliteConnectionUses(fs.readFileSync(file, "utf8")).map((use) => `${file}: ${use}`));
    expect(found).toEqual([]);
  });
});
