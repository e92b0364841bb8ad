import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { openDatabase, openMigratedDatabase, type DatabaseHandle } from "../../src/db/client.ts";
import { migratePostgres, openPostgresPool, type PostgresPool } from "../../src/db/postgres.ts";
import { postgresRoomDb } from "../../src/db/room-db-postgres.ts";
import type { RoomDb } from "../../src/db/room-db.ts";
import { sqliteRoomDb } from "../../src/db/room-db-sqlite.ts";
import { freshDatabase, type TestDatabase } from "./postgres.ts";

/**
 * A migrated SQLite file for the file's tests (made before, deleted after): its RoomDb once it is open, and
 * `another()`: a second connection to the same file, as a second process of the pod would have.
 */
export function sqliteRoomsForFile(): { rooms: () => RoomDb; another: () => RoomDb; handle: () => DatabaseHandle } {
  let dir: string;
  let handle: DatabaseHandle | undefined;
  let other: DatabaseHandle | undefined;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pods-rooms-"));
    handle = openMigratedDatabase(path.join(dir, "pod.sqlite"));
  });
  afterAll(() => {
    other?.close();
    handle?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    rooms: () => sqliteRoomDb(handle!.sqlite),
    another: () => sqliteRoomDb((other ??= openDatabase(handle!.sqlite.name)).sqlite),
    handle: () => handle!,
  };
}

/**
 * A migrated PostgreSQL database for the file's tests (see test/support/postgres.ts): its RoomDb and pool, and
 * `another()`: the RoomDb of a second pool of connections to the same database, as a second process would have.
 */
export function postgresRoomsForFile(): { rooms: () => RoomDb; another: () => RoomDb; pool: () => PostgresPool } {
  let database: TestDatabase | undefined;
  let pool: PostgresPool | undefined;
  let other: PostgresPool | undefined;
  beforeAll(async () => {
    database = await freshDatabase();
    pool = openPostgresPool(database.url);
    await migratePostgres(pool);
  });
  afterAll(async () => {
    await other?.end();
    await pool?.end();
    await database?.drop();
  });
  return {
    rooms: () => postgresRoomDb(pool!),
    another: () => postgresRoomDb((other ??= openPostgresPool(database!.url))),
    pool: () => pool!,
  };
}
