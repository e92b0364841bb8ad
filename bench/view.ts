/**
 * The confederal view at scale: 500 pods × 200 offers = 100,000 remote offers in a real SQLite file,
 * queried through the pod's real app (buildApp: its hooks, Fedify's GET hook, request logging at the
 * default level, CSP) with Fastify inject, and compared with a bare Fastify route driven the same way.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import { pino } from "pino";
import { buildApp } from "../src/app.ts";
import { SHARED_CATEGORIES, SHARED_CATEGORY_BASE } from "../src/categories/taxonomy.ts";
import { loadConfig } from "../src/config/load.ts";
import { openMigratedDatabase, type DatabaseHandle } from "../src/db/client.ts";
import { openPod } from "../src/pod.ts";

export interface Timing {
  name: string;
  p50: number;
  p99: number;
  ratioToBaseline: number;
}

export interface ViewBenchResult {
  offers: number;
  pods: number;
  seedSeconds: number;
  bytesPer1000Offers: number;
  timings: Timing[];
  baseline: { p50: number; p99: number };
  peakRssMb: number;
}

const AREAS = [
  "Riverside",
  "Old Town",
  "Harbour",
  "Northfield",
  "Elm Park",
  "Station Quarter",
  "Hillside",
  "Market Row",
];
const WORDS = [
  "apples",
  "bread",
  "coats",
  "blankets",
  "ladders",
  "drills",
  "nappies",
  "rice",
  "lentils",
  "tomatoes",
  "soap",
  "chairs",
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function time(run: () => Promise<unknown>, iterations: number): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 20; i++) await run(); // warm up
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
    // inject() settles on promises alone: without a turn of the event loop, each response's stream-end callbacks
    // (setImmediate) and all they hold would pile up until the loop ends, and their GC would be timed.
    await new Promise((resolve) => setImmediate(resolve));
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/** 100,000 offers in one transaction, spread over pods, categories, areas, dates and positions. */
export function seedView(database: DatabaseHandle, options: { pods: number; offersPerPod: number }): void {
  const insertObject = database.sqlite.prepare(
    `INSERT INTO view_objects (iri, kind, pod_iri, name, summary, content, url, category_iri, action, unit, ` +
      `quantity_milli, available_milli,
       starts_at, ends_at, area_name, latitude, longitude, extra, adapted_from, published, version, received_at)
     VALUES (?, 'offer', ?, ?, ?, ?, ?, ?, 'transfer', 'kg', ?, ?, NULL, ?, ?, ?, ?, '{}', NULL, ?, ?, ?)`,
  );
  const insertPath = database.sqlite.prepare(
    "INSERT INTO view_paths (object_iri, via_iri, announce_iri, received_at) VALUES (?, ?, NULL, ?)",
  );
  const insertPod = database.sqlite.prepare(
    "INSERT INTO neighbor_pods (actor_iri, name, handle, url, updated_at) VALUES (?, ?, ?, NULL, ?)",
  );
  let n = 0;
  database.sqlite.transaction(() => {
    for (let p = 0; p < options.pods; p++) {
      const pod = `https://pod${p}.example/users/pod`;
      insertPod.run(pod, `Pod ${p}`, `@pod@pod${p}.example`, "2026-11-01T00:00:00Z");
      for (let o = 0; o < options.offersPerPod; o++, n++) {
        const word = WORDS[n % WORDS.length]!;
        const category = SHARED_CATEGORIES[n % SHARED_CATEGORIES.length]!.slug;
        const published = new Date(Date.UTC(2026, 10, 1) + n * 1000).toISOString();
        const ends = new Date(Date.UTC(2026, 11, 1) + ((n % 60) - 10) * 86_400_000).toISOString();
        const iri = `https://pod${p}.example/offers/${o}`;
        insertObject.run(
          iri,
          pod,
          `${word} ${o}`,
          `Surplus ${word} from pod ${p}`,
          `<p>Surplus ${word}</p>`,
          iri,
          `${SHARED_CATEGORY_BASE}${category}`,
          10_000 + (n % 50) * 1000,
          5_000 + (n % 50) * 500,
          ends,
          AREAS[n % AREAS.length],
          51 + (p % 100) / 100,
          -0.5 + (o % 100) / 100,
          published,
          published,
          published,
        );
        insertPath.run(iri, pod, published);
      }
    }
  })();
  database.sqlite.pragma("wal_checkpoint(TRUNCATE)");
}

export async function benchView(options: {
  pods: number;
  offersPerPod: number;
  iterations: number;
}): Promise<ViewBenchResult> {
  const dataDir = mkdtempSync(join(tmpdir(), "pod-bench-view-"));
  // The app installs the pod's outbound rules for the whole process (src/federation/safe-fetch.ts): without
  // this, the parts `npm run bench` runs next in this process could no longer reach their pods on loopback.
  const config = loadConfig({
    POD_URL: "https://bench.example",
    DATA_DIR: dataDir,
    LOG_LEVEL: "info",
    POD_ALLOW_PRIVATE_ADDRESS: "true",
  });
  const seeding = openMigratedDatabase(config.databasePath);
  const started = performance.now();
  seedView(seeding, options);
  const seedSeconds = (performance.now() - started) / 1000;
  seeding.close();
  // Request logs are written as the pod writes them (JSON lines through pino), to nowhere.
  const log = pino({ level: config.logLevel }, pino.destination({ dest: "/dev/null", sync: false }));
  const pod = await openPod(config, log, { now: () => new Date("2026-12-01T12:00:00Z") });
  const app = await buildApp(pod);
  await app.ready();
  const bare = Fastify();
  bare.get("/baseline", async () => ({ items: [] }));
  await bare.ready();
  const bytes = statSync(config.databasePath).size;
  const n = options.pods * options.offersPerPod;

  const inject = (url: string) => (url === "/baseline" ? bare : app).inject({ method: "GET", url });
  const get = (url: string) => async () => {
    const response = await inject(url);
    if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode} ${response.body.slice(0, 200)}`);
  };
  const baseline = await time(get("/baseline"), options.iterations);
  const cases: [string, string][] = [
    ["surplus, category filter, page of 50", "/view/surplus?category=food&limit=50"],
    [
      "surplus, category + pod filter",
      "/view/surplus?category=food&pod=https%3A%2F%2Fpod7.example%2Fusers%2Fpod&limit=50",
    ],
    ["surplus, text search", "/view/surplus?q=lentils&limit=50"],
    ["surplus, within 5 km, nearest first", "/view/surplus?near=51.5,-0.1&radiusKm=5&sort=nearest&limit=50"],
    ["surplus, 3rd page by cursor", "third-page"],
    ["Atom feed, category filter, 50 entries", "/view/surplus.atom?category=food&limit=50"],
    ["JSON Feed, category filter, 50 entries", "/view/surplus.json?category=food&limit=50"],
    ["CSV, category filter, 50 rows", "/view/surplus.csv?category=food&limit=50"],
    // The page people read (filter form, totals, places and pods to choose from), not only the API.
    ["surplus page (HTML), category filter", "/confederation?category=food"],
    ["surplus page (HTML), no filter", "/confederation"],
  ];
  const firstPage = JSON.parse((await inject("/view/surplus?category=food&limit=50")).body);
  const secondPage = JSON.parse(
    (await inject(`/view/surplus?category=food&limit=50&cursor=${encodeURIComponent(firstPage.nextCursor)}`)).body,
  );
  const thirdPageUrl = `/view/surplus?category=food&limit=50&cursor=${encodeURIComponent(secondPage.nextCursor)}`;
  const timings: Timing[] = [];
  for (const [name, url] of cases) {
    const t = await time(get(url === "third-page" ? thirdPageUrl : url), options.iterations);
    timings.push({ name, ...t, ratioToBaseline: t.p50 / baseline.p50 });
  }
  await app.close();
  await bare.close();
  pod.close();
  rmSync(dataDir, { recursive: true, force: true });
  return {
    offers: n,
    pods: options.pods,
    seedSeconds,
    bytesPer1000Offers: (bytes / n) * 1000,
    timings,
    baseline,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}
