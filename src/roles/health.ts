import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type Database from "better-sqlite3";
import type { FastifyInstance } from "fastify";

/**
 * One thing a process needs to do its work (the database, its migrations, the queue listeners); /ready names
 * each one that is down. A PostgreSQL backend adds its own (a `SELECT 1` on the pool, its queue's workers).
 */
export interface ReadinessCheck {
  name: string;
  up(): Promise<boolean> | boolean;
}

export interface Readiness {
  ready: boolean;
  /** Each dependency, "up" or "down". */
  checks: Record<string, "up" | "down">;
}

export async function readiness(checks: ReadinessCheck[]): Promise<Readiness> {
  const results = await Promise.all(
    checks.map(async (check) => {
      try {
        return [check.name, (await check.up()) ? "up" : "down"] as const;
      } catch {
        return [check.name, "down"] as const;
      }
    }),
  );
  return { ready: results.every(([, state]) => state === "up"), checks: Object.fromEntries(results) };
}

/** The SQLite file answers a read (busy past its timeout, missing or closed: down). */
export function sqliteAnswers(sqlite: Database.Database): ReadinessCheck {
  const read = sqlite.prepare("SELECT count(*) FROM document_versions").pluck();
  return { name: "database", up: () => sqlite.open && typeof read.get() === "number" };
}

const JOURNAL = new URL("../../migrations/meta/_journal.json", import.meta.url);

/** Every migration this code knows has been applied to the database (a newer process may have applied more). */
export function sqliteMigrated(sqlite: Database.Database): ReadinessCheck {
  const known = (JSON.parse(readFileSync(JOURNAL, "utf8")) as { entries: unknown[] }).entries.length;
  const applied = sqlite.prepare('SELECT count(*) FROM "__drizzle_migrations"').pluck();
  return { name: "migrations", up: () => (applied.get() as number) >= known };
}

const problemOf = (result: Readiness) => ({
  type: "about:blank",
  title: "Service Unavailable",
  status: 503,
  detail: `down: ${Object.keys(result.checks)
    .filter((name) => result.checks[name] === "down")
    .join(", ")}`,
  ...result.checks,
});

/** GET /health (200 while the process runs) and GET /ready (200, or 503 naming what is down) on the app. */
export function healthRoutes(app: FastifyInstance, checks: ReadinessCheck[]): void {
  app.get("/health", { schema: { hide: true } }, async (_request, reply) => {
    reply.header("cache-control", "no-store");
    return { status: "live" };
  });
  app.get("/ready", { schema: { hide: true } }, async (_request, reply) => {
    const result = await readiness(checks);
    reply.header("cache-control", "no-store");
    if (result.ready) return { status: "ready", ...result.checks };
    return reply.code(503).type("application/problem+json").send(problemOf(result));
  });
}

/** The same two answers on a port of their own, for a process that serves no other HTTP (the worker). */
export async function startHealthServer(host: string, port: number, checks: ReadinessCheck[]): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? "").split("?")[0];
    const send = (status: number, type: string, body: unknown) => {
      response.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      response.end(request.method === "HEAD" ? undefined : JSON.stringify(body));
    };
    if (request.method !== "GET" && request.method !== "HEAD") {
      send(405, "application/problem+json", { type: "about:blank", title: "Method Not Allowed", status: 405 });
    } else if (path === "/health") {
      send(200, "application/json; charset=utf-8", { status: "live" });
    } else if (path === "/ready") {
      void readiness(checks).then((result) => {
        if (result.ready) send(200, "application/json; charset=utf-8", { status: "ready", ...result.checks });
        else send(503, "application/problem+json", problemOf(result));
      });
    } else {
      send(404, "application/problem+json", { type: "about:blank", title: "Not Found", status: 404 });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
