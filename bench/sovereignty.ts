/**
 * The confederal sovereignty totals at scale: 500 pods × 24 months × 20 metric types = 240,000 stored figures
 * in a real SQLite file, read through the pod's real app (buildApp, Fastify inject): the chart page, the JSON
 * and the CSV for one metric type, against a bare Fastify route driven the same way.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import { pino } from "pino";
import { buildApp } from "../src/app.ts";
import { loadConfig } from "../src/config/load.ts";
import { openMigratedDatabase } from "../src/db/client.ts";
import { openPod } from "../src/pod.ts";
import { addMonths } from "../src/sovereignty/months.ts";
import { SHARED_METRIC_BASE, SHARED_METRIC_TYPES } from "../src/sovereignty/taxonomy.ts";

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function time(run: () => Promise<unknown>, iterations: number) {
  for (let i = 0; i < 20; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

export async function benchSovereignty(options: { pods: number; months: number; metrics: number; iterations: number }) {
  const dataDir = mkdtempSync(join(tmpdir(), "pod-bench-sov-"));
  const config = loadConfig({ POD_URL: "https://bench.example", DATA_DIR: dataDir, LOG_LEVEL: "info" });
  const seeding = openMigratedDatabase(config.databasePath);
  const metricIris = Array.from({ length: options.metrics }, (_, i) =>
    i < SHARED_METRIC_TYPES.length
      ? `${SHARED_METRIC_BASE}${SHARED_METRIC_TYPES[i]!.slug}`
      : `https://pod${i}.example/metrics/custom-${i}`,
  );
  const insert = seeding.sqlite.prepare(
    `INSERT INTO sovereignty_neighbor_figures (pod_iri, month, metric_iri, report_iri, unit, quantity_milli,
       fewer_than, version, received_at) VALUES (?, ?, ?, ?, 'unit', ?, ?, ?, ?)`,
  );
  const started = performance.now();
  let n = 0;
  seeding.sqlite.transaction(() => {
    for (let p = 0; p < options.pods; p++)
      for (let m = 0; m < options.months; m++) {
        const month = addMonths("2025-01", m);
        for (const metric of metricIris) {
          const small = n++ % 17 === 0;
          insert.run(
            `https://pod${p}.example/users/pod`,
            month,
            metric,
            `https://pod${p}.example/reports/${m}`,
            small ? null : 3000 + (n % 500) * 1000,
            small ? 3 : null,
            `${month}-28T00:00:00Z`,
            "2027-01-01T00:00:00Z",
          );
        }
      }
  })();
  // The totals the pod keeps beside the figures (totals-store.ts moves them on each report), in one statement.
  seeding.sqlite.exec(`INSERT INTO sovereignty_totals (metric_iri, month, unit, quantity_milli, pod_count,
    fewer_than_count, fewer_than) SELECT metric_iri, month, max(unit), coalesce(sum(quantity_milli), 0),
    count(quantity_milli), count(*) - count(quantity_milli), max(fewer_than)
    FROM sovereignty_neighbor_figures GROUP BY metric_iri, month`);
  const seedSeconds = (performance.now() - started) / 1000;
  seeding.close();
  const log = pino({ level: config.logLevel }, pino.destination({ dest: "/dev/null", sync: false }));
  const pod = await openPod(config, log, { now: () => new Date("2027-01-15T12:00:00Z") });
  const app = await buildApp(pod);
  await app.ready();
  const bare = Fastify();
  bare.get("/baseline", async () => ({ items: [] }));
  await bare.ready();
  const get = (url: string) => async () => {
    const response = await (url === "/baseline" ? bare : app).inject({ method: "GET", url });
    if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode} ${response.body.slice(0, 200)}`);
  };
  const baseline = await time(get("/baseline"), options.iterations);
  const cases: [string, string][] = [
    ["(for comparison) the public About page, same app", "/about"],
    ["chart page (SVG + table), one type, 24 months", "/confederation/sovereignty?metric=meals-prepared"],
    ["JSON, one type, 24 months", "/view/sovereignty?metric=meals-prepared"],
    ["CSV, one type, 24 months", "/view/sovereignty.csv?metric=meals-prepared"],
  ];
  const timings = [];
  for (const [name, url] of cases) timings.push({ name, ...(await time(get(url), options.iterations)) });
  await app.close();
  await bare.close();
  pod.close();
  rmSync(dataDir, { recursive: true, force: true });
  return { ...options, figures: n, seedSeconds, baseline, timings };
}
