import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openMigratedDatabase, type DatabaseHandle } from "../../src/db/client.ts";
import { healthRoutes, sqliteAnswers, sqliteMigrated, startHealthServer } from "../../src/roles/health.ts";

describe("/health and /ready name the dependency that is down", () => {
  let dir: string;
  let handle: DatabaseHandle;
  let app: FastifyInstance;
  let listening = true;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "readiness-"));
    handle = openMigratedDatabase(join(dir, "pod.sqlite"));
    listening = true;
    app = Fastify();
    healthRoutes(app, [
      sqliteAnswers(handle.sqlite),
      sqliteMigrated(handle.sqlite),
      { name: "queue", up: () => listening },
    ]);
    await app.ready();
  });
  afterEach(async () => {
    await app.close();
    handle.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers 200 with every dependency up", async () => {
    const ready = await app.inject({ url: "/ready" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: "ready", database: "up", migrations: "up", queue: "up" });
    expect((await app.inject({ url: "/health" })).statusCode).toBe(200);
  });

  it("answers 503 problem+json naming the queue when the listeners stopped, while /health stays 200", async () => {
    listening = false;
    const ready = await app.inject({ url: "/ready" });
    expect(ready.statusCode).toBe(503);
    expect(ready.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(ready.json()).toMatchObject({ status: 503, database: "up", migrations: "up", queue: "down" });
    expect((await app.inject({ url: "/health" })).statusCode).toBe(200);
  });

  it("names the migrations when the database lacks one this code expects", async () => {
    handle.sqlite
      .prepare('DELETE FROM "__drizzle_migrations" WHERE rowid = (SELECT max(rowid) FROM "__drizzle_migrations")')
      .run();
    const ready = await app.inject({ url: "/ready" });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ database: "up", migrations: "down" });
  });

  it("names the database when it does not answer", async () => {
    handle.close();
    const ready = await app.inject({ url: "/ready" });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ database: "down", migrations: "down", queue: "up" });
  });

  it("the worker's health server answers the same on its own loopback port", async () => {
    const server = await startHealthServer("127.0.0.1", 0, [sqliteAnswers(handle.sqlite)]);
    try {
      const address = server.address();
      const base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
      expect((await fetch(`${base}/health`)).status).toBe(200);
      expect(await (await fetch(`${base}/ready`)).json()).toEqual({ status: "ready", database: "up" });
      handle.close();
      const down = await fetch(`${base}/ready`);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ database: "down" });
      expect((await fetch(`${base}/other`)).status).toBe(404);
    } finally {
      server.close();
    }
  });
});
