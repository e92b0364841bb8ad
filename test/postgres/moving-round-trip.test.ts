/**
 * A pod moved from SQLite into PostgreSQL and back (`npm run pod -- export` / `import` with and without
 * DATABASE_URL): every row of every room, its pending deliveries, its keys and its address arrive; the pod opened
 * on PostgreSQL answers the same actor, keys and collections, and has the same memory and members. A pod made through its own services
 * on a real SQLite file; a throwaway PostgreSQL server; the archives are the real format.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.ts";
import { openPostgresPool } from "../../src/db/postgres.ts";
import { createLogger } from "../../src/log/logger.ts";
import { exportPod } from "../../src/moving/export.ts";
import { importPod } from "../../src/moving/import.ts";
import { importIntoPostgres } from "../../src/moving/import-postgres.ts";
import { buildApp } from "../../src/app.ts";
import { offerInputSchema } from "../../src/offers/model.ts";
import { openPod, type Pod } from "../../src/pod.ts";
import { databaseContent } from "../support/pod-archive.ts";
import { freshDatabase, postgresUnavailable, type TestDatabase } from "../support/postgres.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

const POD_URL = "http://127.0.0.1:39105";
const log = createLogger("warn", process.stderr);
const DELIVERY = { type: "outbox", id: "test-delivery", inbox: "https://far.example/inbox" };

/** What a pod answers the world (its actor and collections, over HTTP) and holds (keys, memory, members). */
async function faceOf(pod: Pod) {
  const app = await buildApp(pod);
  try {
    const get = async (url: string) => {
      const response = await app.inject({ url, headers: { accept: "application/activity+json" } });
      expect(response.statusCode, url).toBe(200);
      return response.json();
    };
    const collection = async (url: string) => {
      const first = await get(url);
      const page =
        typeof first.first === "string"
          ? await get(new URL(first.first).pathname + new URL(first.first).search)
          : first.first;
      return {
        totalItems: first.totalItems,
        items: (page?.orderedItems ?? []).map((item: { id?: string } | string) =>
          typeof item === "string" ? item : item.id,
        ),
      };
    };
    const ctx = pod.contextFor();
    const keys = await ctx.getActorKeyPairs(pod.deps.config.handle);
    return {
      actor: await get("/users/pod"),
      outbox: await collection("/users/pod/outbox"),
      offers: await collection("/users/pod/offers"),
      followers: (await get("/users/pod/followers")).totalItems,
      publicKeys: await Promise.all(keys.map((pair) => crypto.subtle.exportKey("jwk", pair.publicKey))),
      memory: (await pod.memory.list("lesson")).map((entry) => entry.title),
      members: (await pod.members.list()).map((member) => member.username),
    };
  } finally {
    await app.close();
  }
}

describe.skipIf(skip != null)("a pod moved from SQLite to PostgreSQL and back", () => {
  const root = mkdtempSync(join(tmpdir(), "round-trip-"));
  const sqliteConfig = loadConfig({ POD_URL, DATA_DIR: join(root, "sqlite"), LOG_LEVEL: "warn" });
  let database: TestDatabase;
  let postgresConfig: ReturnType<typeof loadConfig>;
  let before: Awaited<ReturnType<typeof faceOf>>;

  beforeAll(async () => {
    const pod = await openPod(sqliteConfig, log);
    for (const name of ["Apples", "Pears"]) {
      const input = offerInputSchema.parse({
        name,
        quantity: "2",
        unit: "kg",
        category: "food",
        area: { name: "Riverside" },
      });
      await pod.offers.create("offer", input);
    }
    await pod.memory.create({ kind: "lesson", title: "Lentils keep", summary: "Dry and dark, they keep a year." });
    const secret = (await pod.members.freshSetupSecret())!;
    await pod.members.accept(secret, { displayName: "Ana", username: "ana", password: "long enough password" });
    // A delivery still waiting (the pod is not started: nothing takes it from the queue).
    await pod.queue.enqueue(DELIVERY, { orderingKey: "https://far.example/actor" });
    before = await faceOf(pod);
    await pod.close();
    database = await freshDatabase();
    postgresConfig = loadConfig({
      POD_URL,
      DATA_DIR: join(root, "postgres"),
      DATABASE_URL: database.url,
      LOG_LEVEL: "warn",
    });
  });
  afterAll(async () => {
    await database?.drop();
    rmSync(root, { recursive: true, force: true });
  });

  it("imports into PostgreSQL: the pod opened there answers the same actor, collections, keys and members", async () => {
    // Something to compare: the two offers in the collection and the outbox, the lesson, the member. (The view's
    // tables are compared row by row below, with every other table.)
    expect(before.offers.totalItems).toBe(2);
    expect(before.outbox.items.length).toBeGreaterThan(0);
    expect([before.memory, before.members]).toEqual([["Lentils keep"], ["ana"]]);
    const archive = join(root, "from-sqlite.pod.gz");
    await exportPod(sqliteConfig, archive);
    const summary = await importIntoPostgres(postgresConfig, database.url, archive, { moveUrl: false });
    expect(summary.url).toBe(POD_URL);
    const pool = openPostgresPool(database.url, { max: 1 });
    try {
      const queued = await pool.query("SELECT payload, ordering_key FROM fedify_queue_messages");
      expect(queued.rows.map((row) => [JSON.parse(row.payload), JSON.parse(row.ordering_key)])).toEqual([
        [DELIVERY, "https://far.example/actor"],
      ]);
    } finally {
      await pool.end();
    }
    const pod = await openPod(postgresConfig, log, { create: false });
    try {
      expect(await faceOf(pod)).toEqual(before);
    } finally {
      await pod.close();
    }
  });

  it("refuses to import into a database that already has a pod, and leaves it as it was", async () => {
    const archive = join(root, "again.pod.gz");
    await exportPod(sqliteConfig, archive);
    await expect(importIntoPostgres(postgresConfig, database.url, archive, { moveUrl: false })).rejects.toThrow(
      /already has a pod/,
    );
  });

  it("exports from PostgreSQL into an archive that imports on SQLite with every row as it was", async () => {
    const archive = join(root, "from-postgres.pod.gz");
    await exportPod(postgresConfig, archive);
    const backConfig = loadConfig({ POD_URL, DATA_DIR: join(root, "back"), LOG_LEVEL: "warn" });
    await importPod(backConfig, archive, { moveUrl: false });
    const original = databaseContent(sqliteConfig.databasePath);
    const back = databaseContent(backConfig.databasePath);
    // The queue's rows are made anew by each queue (ids, times): their messages and keys must survive.
    const messages = (rows: unknown[]) => rows.map((row) => [(row as unknown[])[1], (row as unknown[])[2]]);
    expect(messages(back.queue_messages!)).toEqual(messages(original.queue_messages!));
    for (const name of Object.keys(original)) {
      if (name === "queue_messages") continue;
      expect(back[name], name).toEqual(original[name]);
    }
    const pod = await openPod(backConfig, log, { create: false });
    try {
      expect(await faceOf(pod)).toEqual(before);
    } finally {
      await pod.close();
    }
  });
});
