// The durable queue on PostgreSQL beside the SQLite one, same run: N messages enqueued (Fedify's way, one
// enqueue() call per inbox) while 1 or 2 worker processes handle them with a no-op handler.
// Usage: node bench/queue-postgres.ts [--n=20000]
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import { cpus, loadavg } from "node:os";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { openMigratedDatabase } from "../src/db/client.ts";
import { openPostgresPool } from "../src/db/postgres.ts";
import { PostgresMessageQueue } from "../src/federation/postgres-mq.ts";
import { SqliteMessageQueue } from "../src/federation/sqlite-mq.ts";
import { freshDatabase } from "../test/support/postgres.ts";

const N = Number(process.argv.find((a) => a.startsWith("--n="))?.slice(4) ?? 20_000);
const WORKER = fileURLToPath(new URL("./queue-worker.ts", import.meta.url));
const activity = { type: "Create", object: { type: "Note", content: "x".repeat(800) } };

interface Store {
  backend: "sqlite" | "postgres";
  target: string;
  enqueue(message: unknown): Promise<void>;
  remaining(): Promise<number>;
  reset(): Promise<void>;
}

async function startWorkers(store: Store, count: number): Promise<ChildProcess[]> {
  const workers = Array.from({ length: count }, () =>
    spawn(process.execPath, [WORKER, store.backend, store.target], { stdio: ["ignore", "pipe", "inherit"] }),
  );
  await Promise.all(
    workers.map(async (w) => {
      for await (const chunk of w.stdout!) if (String(chunk).includes("listening")) return;
    }),
  );
  return workers;
}

async function run(store: Store, workerCount: number): Promise<{ enqueueSeconds: number; totalSeconds: number }> {
  await store.reset();
  const workers = await startWorkers(store, workerCount);
  try {
    const started = performance.now();
    for (let i = 0; i < N; i += 1_000) {
      const chunk = Array.from({ length: Math.min(1_000, N - i) }, (_, j) => ({
        id: crypto.randomUUID(),
        inbox: `https://host${(i + j) % 100}.example/inbox`,
        activity,
      }));
      await Promise.all(chunk.map((m) => store.enqueue(m)));
    }
    const enqueueSeconds = (performance.now() - started) / 1000;
    for (let i = 0; i < 100_000 && (await store.remaining()) > 0; i++) await sleep(20);
    return { enqueueSeconds, totalSeconds: (performance.now() - started) / 1000 };
  } finally {
    for (const w of workers) w.kill("SIGTERM");
    await Promise.all(workers.map((w) => (w.exitCode == null ? once(w, "exit") : undefined)));
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pods-queue-bench-"));
const file = path.join(dir, "pod.sqlite");
const sqlite = openMigratedDatabase(file);
const sqliteQueue = new SqliteMessageQueue(sqlite);
const database = await freshDatabase();
const pool = openPostgresPool(database.url);
const pgQueue = new PostgresMessageQueue(pool);
await pgQueue.initialize();

const stores: Store[] = [
  {
    backend: "sqlite",
    target: file,
    enqueue: (m) => sqliteQueue.enqueue(m),
    remaining: async () => sqlite.sqlite.prepare("SELECT count(*) FROM queue_messages").pluck().get() as number,
    reset: async () => void sqlite.sqlite.prepare("DELETE FROM queue_messages").run(),
  },
  {
    backend: "postgres",
    target: database.url,
    enqueue: (m) => pgQueue.enqueue(m),
    remaining: async () => (await pool.query("SELECT count(*)::int AS n FROM fedify_queue_messages")).rows[0].n,
    reset: async () => void (await pool.query("TRUNCATE fedify_queue_messages")),
  },
];

console.log(`# queue bench — ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}`);
console.log(
  `load average before: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}; N = ${N} messages, 100 hosts\n`,
);
console.log(
  "| backend | workers | enqueue msg/s | enqueue+handle msg/s | per worker |\n| --- | --- | --- | --- | --- |",
);
try {
  for (const store of stores) {
    for (const workers of [1, 2]) {
      const { enqueueSeconds, totalSeconds } = await run(store, workers);
      const rate = N / totalSeconds;
      console.log(
        `| ${store.backend} | ${workers} | ${Math.round(N / enqueueSeconds)} | ${Math.round(rate)} | ` +
          `${Math.round(rate / workers)} |`,
      );
    }
  }
} finally {
  sqlite.close();
  await pool.end();
  await database.drop();
  fs.rmSync(dir, { recursive: true, force: true });
}
console.log(
  `\nload average after: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}`,
);
