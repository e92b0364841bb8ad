/**
 * The pod split into web processes and workers, on its SQLite file and on PostgreSQL, in the same run: 1 web
 * process + 1 worker, then 2 + 2, behind a round-robin proxy. Each configuration measures
 * - ingest: signed Create(Proposal) from 20 neighbor pods (followed), POSTed through the proxy with 32 connections,
 *   until every offer is in the view;
 * - fan-out: offers published one at a time (admin API, through the proxy), each timed to the last of 100 hosts'
 *   verified delivery (1,000 followers, one shared inbox per host).
 * CPU is summed over the pod's processes and, on PostgreSQL, the server's: per activity, per delivery, and per
 * core-second (how much of the machine each configuration turns into work). Ratios are against SQLite 1 + 1.
 *
 * `node bench/split.ts [--activities=2000] [--offers=3]` (also `npm run bench -- --only=split`).
 */
import { readdirSync, readFileSync } from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { openMigratedDatabase } from "../src/db/client.ts";
import { migratePostgres } from "../src/db/postgres.ts";
import { startFarm, type Farm } from "../test/support/follower-farm.ts";
import { adminCall, TEST_ADMIN_TOKEN, waitUntil } from "../test/support/pod-process.ts";
import { freshDatabase } from "../test/support/postgres.ts";
import { startProxy, startRole, type RoleProcess } from "../test/support/split-pod.ts";
import { type Neighbor, postConcurrently, signedProposals, startNeighbors } from "./ingest.ts";

const HOSTS = 100;
const ACTORS_PER_HOST = 10;
const NEIGHBORS = 20;
const CONCURRENCY = 32;

export interface SplitFigures {
  backend: "sqlite" | "postgres";
  webs: number;
  workers: number;
  ingestPerSecond: number;
  ingestCpuMsPerActivity: number;
  /** Of which the PostgreSQL server's. */
  ingestServerCpuMsPerActivity: number;
  /** POST to the last host's delivery, median over the offers. */
  fanoutMs: number;
  deliveriesPerSecond: number;
  fanoutCpuMsPerDelivery: number;
  fanoutServerCpuMsPerDelivery: number;
}

/** A database the processes share, and the rows the bench writes behind their backs before they start. */
interface Backend {
  name: "sqlite" | "postgres";
  env: Record<string, string>;
  seed(sql: string, rows: unknown[][]): Promise<void>;
  viewCount(): Promise<number>;
  /** CPU seconds of the database server's processes (0 for SQLite, which runs inside the pod's). */
  serverCpuSeconds(): number;
  close(): Promise<void>;
}

function processCpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0; // the process ended
  }
}

/** Every running PostgreSQL server process on the machine (the bench's throwaway server is the only one). */
function postgresCpuSeconds(): number {
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() !== "postgres") continue;
    } catch {
      continue;
    }
    total += processCpuSeconds(Number(entry));
  }
  return total;
}

async function sqliteBackend(dataDir: string): Promise<Backend> {
  const handle = openMigratedDatabase(join(dataDir, "pod.sqlite"));
  handle.close();
  const db = new Database(join(dataDir, "pod.sqlite"));
  db.pragma("busy_timeout = 5000");
  return {
    name: "sqlite",
    env: {},
    async seed(sql, rows) {
      // Each $n appears once, in order: SQLite's anonymous parameters take the same rows.
      const insert = db.prepare(sql.replace(/\$\d+/g, "?"));
      db.transaction(() => {
        for (const row of rows) insert.run(row);
      })();
    },
    viewCount: async () => (db.prepare("SELECT count(*) AS n FROM view_objects").get() as { n: number }).n,
    serverCpuSeconds: () => 0,
    close: async () => void db.close(),
  };
}

async function postgresBackend(): Promise<Backend> {
  const database = await freshDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  await migratePostgres(pool);
  return {
    name: "postgres",
    env: { DATABASE_URL: database.url },
    async seed(sql, rows) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        for (const row of rows) await client.query(sql, row);
        await client.query("COMMIT");
      } finally {
        client.release();
      }
    },
    viewCount: async () => (await pool.query("SELECT count(*)::int AS n FROM view_objects")).rows[0].n,
    serverCpuSeconds: postgresCpuSeconds,
    async close() {
      await pool.end();
      await database.drop();
    },
  };
}

async function measure(
  backend: Backend,
  dataDir: string,
  farm: Farm,
  neighbors: Neighbor[],
  counts: { webs: number; workers: number; activities: number; offers: number },
): Promise<SplitFigures> {
  const proxy = await startProxy();
  const now = new Date().toISOString();
  // The pod follows every neighbor and is followed by every farm actor, written before its processes start.
  await backend.seed(
    `INSERT INTO following (actor_iri, follow_iri, inbox, state, created_at, responded_at)
     VALUES ($1, $2, $3, 'accepted', $4, $5)`,
    neighbors.map((n) => [n.actorId, `${proxy.url}/follows/${n.name}`, `${n.actorId}/inbox`, now, now]),
  );
  await backend.seed(
    `INSERT INTO followers (actor_iri, follow_iri, inbox, shared_inbox, state, kind, created_at, accepted_at)
     VALUES ($1, $2, $3, $4, 'accepted', 'social', $5, $6)`,
    farm.hosts.flatMap((host) =>
      host.actors.map((actor) => [actor.id, `${actor.id}/follows/1`, actor.inbox, `${host.origin}/inbox`, now, now]),
    ),
  );
  const env = {
    ...backend.env,
    POD_URL: proxy.url,
    DATA_DIR: dataDir,
    POD_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    POD_ALLOW_PRIVATE_ADDRESS: "true",
    LOG_LEVEL: "error",
  };
  const processes: RoleProcess[] = await Promise.all([
    ...Array.from({ length: counts.webs }, () => startRole("web", env)),
    ...Array.from({ length: counts.workers }, () => startRole("worker", env)),
  ]);
  try {
    proxy.backends.push(...processes.filter((p) => p.role === "web").map((p) => p.url));
    const actor = await (
      await fetch(`${proxy.url}/users/pod`, { headers: { accept: "application/activity+json" } })
    ).json();
    for (const key of [actor.publicKey].flat()) farm.trust(key.id, key.publicKeyPem);
    const cpu = () => processes.reduce((sum, p) => sum + processCpuSeconds(p.pid()), 0) + backend.serverCpuSeconds();
    const serverCpu = () => backend.serverCpuSeconds();

    const inbox = new URL(`${proxy.url}/inbox`);
    const requests = await signedProposals(
      neighbors,
      inbox,
      counts.activities,
      now,
      false,
      `${backend.name}-${counts.webs}-`,
    );
    const viewBefore = await backend.viewCount();
    const [cpuBefore, serverBefore] = [cpu(), serverCpu()];
    const started = performance.now();
    const failures = await postConcurrently(inbox, requests, CONCURRENCY);
    if (failures > 0) throw new Error(`${failures} deliveries were refused`);
    await waitUntil(async () => (await backend.viewCount()) - viewBefore >= counts.activities, 600_000, 20);
    const ingestSeconds = (performance.now() - started) / 1000;
    const ingestCpu = cpu() - cpuBefore;
    const ingestServerCpu = serverCpu() - serverBefore;

    const times: number[] = [];
    const [fanCpuBefore, fanServerBefore] = [cpu(), serverCpu()];
    const deliveries = () => farm.hosts.reduce((sum, host) => sum + host.deliveries.length, 0);
    const deliveriesBefore = deliveries();
    for (let i = 0; i < counts.offers; i++) {
      const before = new Set(farm.hosts.flatMap((host) => host.deliveries.map((d) => d.activityId)));
      const postedAt = Date.now();
      const offer = { name: `Bench ${i}`, category: "food", quantity: 5, unit: "kg", area: { name: "Riverside" } };
      const response = await adminCall(proxy.url, "POST", "/offers", offer);
      if (response.status !== 201) throw new Error(`publishing answered ${response.status}`);
      const reached = () =>
        farm.hosts.filter((host) => host.deliveries.some((d) => d.type === "Create" && !before.has(d.activityId)));
      await waitUntil(() => reached().length === HOSTS, 120_000, 10);
      const last = Math.max(
        ...farm.hosts.map((host) => host.deliveries.filter((d) => !before.has(d.activityId)).at(-1)!.receivedAt),
      );
      times.push(last - postedAt);
    }
    const fanoutDeliveries = deliveries() - deliveriesBefore;
    const fanoutCpu = cpu() - fanCpuBefore;
    const fanoutServerCpu = serverCpu() - fanServerBefore;
    const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
    return {
      backend: backend.name,
      webs: counts.webs,
      workers: counts.workers,
      ingestPerSecond: counts.activities / ingestSeconds,
      ingestCpuMsPerActivity: (ingestCpu * 1000) / counts.activities,
      ingestServerCpuMsPerActivity: (ingestServerCpu * 1000) / counts.activities,
      fanoutMs: median,
      deliveriesPerSecond: (HOSTS * 1000) / median,
      fanoutCpuMsPerDelivery: (fanoutCpu * 1000) / fanoutDeliveries,
      fanoutServerCpuMsPerDelivery: (fanoutServerCpu * 1000) / fanoutDeliveries,
    };
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    await proxy.close();
  }
}

export async function benchSplit(options: { activities: number; offers: number }): Promise<SplitFigures[]> {
  const farm = await startFarm({ hosts: HOSTS, actorsPerHost: ACTORS_PER_HOST });
  const { neighbors, server } = await startNeighbors(NEIGHBORS);
  const results: SplitFigures[] = [];
  try {
    for (const [webs, workers] of [
      [1, 1],
      [2, 2],
    ] as const) {
      for (const make of [sqliteBackend, postgresBackend]) {
        const dataDir = mkdtempSync(join(tmpdir(), "pod-bench-split-"));
        const backend = await make(dataDir);
        try {
          results.push(await measure(backend, dataDir, farm, neighbors, { webs, workers, ...options }));
        } finally {
          await backend.close();
          rmSync(dataDir, { recursive: true, force: true });
        }
      }
    }
  } finally {
    server.close();
    await farm.close();
  }
  return results;
}

export function printSplit(results: SplitFigures[]): void {
  const base = results.find((r) => r.backend === "sqlite" && r.webs === 1)!;
  console.log(
    `## Split processes on SQLite and PostgreSQL (${cpus().length} cores; load ${loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")})`,
  );
  console.log(
    `ingest: ${NEIGHBORS} neighbors, ${CONCURRENCY} connections through a round-robin proxy; fan-out: ` +
      `${HOSTS * ACTORS_PER_HOST} followers on ${HOSTS} hosts (one shared inbox each). Ratios against SQLite 1 + 1.`,
  );
  const header = [
    "database",
    "web + workers",
    "ingest /s",
    "÷ base",
    "CPU ms/activity (db server)",
    "fan-out ms (100 hosts)",
    "deliveries /s",
    "÷ base",
    "CPU ms/delivery (db server)",
  ];
  console.log(`| ${header.join(" | ")} |\n|${" --- |".repeat(header.length)}`);
  for (const r of results) {
    console.log(
      `| ${[
        r.backend,
        `${r.webs} + ${r.workers}`,
        r.ingestPerSecond.toFixed(0),
        `${(r.ingestPerSecond / base.ingestPerSecond).toFixed(2)}×`,
        `${r.ingestCpuMsPerActivity.toFixed(2)} (${r.ingestServerCpuMsPerActivity.toFixed(2)})`,
        r.fanoutMs.toFixed(0),
        r.deliveriesPerSecond.toFixed(0),
        `${(r.deliveriesPerSecond / base.deliveriesPerSecond).toFixed(2)}×`,
        `${r.fanoutCpuMsPerDelivery.toFixed(2)} (${r.fanoutServerCpuMsPerDelivery.toFixed(2)})`,
      ].join(" | ")} |`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string, fallback: number) =>
    Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
  printSplit(await benchSplit({ activities: arg("activities", 2000), offers: arg("offers", 3) }));
}
