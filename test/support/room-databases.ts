import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { openMigratedDatabase, type DatabaseHandle } from "../../src/db/client.ts";
import { migratePostgres, openPostgresPool, type PostgresPool } from "../../src/db/postgres.ts";
import { postgresRoomDb } from "../../src/db/room-db-postgres.ts";
import type { RoomDb } from "../../src/db/room-db.ts";
import { sqliteRoomDb } from "../../src/db/room-db-sqlite.ts";
import { freshDatabase, type TestDatabase } from "./postgres.ts";

/** A migrated SQLite file for the file's tests (made before, deleted after): its RoomDb, once it is open. */
export function sqliteRoomsForFile(): { rooms: () => RoomDb; handle: () => DatabaseHandle } {
  let dir: string;
  let handle: DatabaseHandle | undefined;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pods-rooms-"));
    handle = openMigratedDatabase(path.join(dir, "pod.sqlite"));
  });
  afterAll(() => {
    handle?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { rooms: () => sqliteRoomDb(handle!.sqlite), handle: () => handle! };
}

/** A migrated PostgreSQL database for the file's tests (see test/support/postgres.ts): its RoomDb and pool. */
export function postgresRoomsForFile(): { rooms: () => RoomDb; pool: () => PostgresPool } {
  let database: TestDatabase | undefined;
  let pool: PostgresPool | undefined;
  beforeAll(async () => {
    database = await freshDatabase();
    pool = openPostgresPool(database.url);
    await migratePostgres(pool);
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });
  return { rooms: () => postgresRoomDb(pool!), pool: () => pool! };
}
