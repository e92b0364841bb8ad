import { cpus, loadavg, totalmem } from "node:os";
import { benchFanout, printFanout } from "./fanout.ts";
import { benchIngest } from "./ingest.ts";
import { benchNoteIngest } from "./ingest-notes.ts";
import { benchRealIngest } from "./ingest-real.ts";
import type { FloorResult, Floors } from "./floor.ts";
import { benchReads } from "./reads.ts";
import { benchRota } from "./rota.ts";
import { benchSovereignty } from "./sovereignty.ts";
import { benchSplit, printSplit } from "./split.ts";
import { benchView } from "./view.ts";

const quick = process.argv.includes("--quick");
const machine =
  `${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, ` +
  `Node ${process.version}`;
console.log(`# pods benchmarks — ${machine}\n`);

const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);

if (!only || only === "view") {
  const view = await benchView({ pods: quick ? 50 : 500, offersPerPod: 200, iterations: quick ? 200 : 1000 });
  console.log(
    `## The confederal view: ${view.pods} pods × ${view.offers / view.pods} offers = ${view.offers} remote offers`,
  );
  console.log(
    `seeded in ${view.seedSeconds.toFixed(1)} s; database ${(view.bytesPer1000Offers / 1024).toFixed(0)} KiB per ` +
      `1,000 offers`,
  );
  console.log(
    `baseline (bare Fastify route, same harness): p50 ${view.baseline.p50.toFixed(3)} ms, ` +
      `p99 ${view.baseline.p99.toFixed(3)} ms`,
  );
  console.log("| query | p50 ms | p99 ms | p50 ÷ baseline |\n| --- | --- | --- | --- |");
  for (const t of view.timings)
    console.log(`| ${t.name} | ${t.p50.toFixed(2)} | ${t.p99.toFixed(2)} | ${t.ratioToBaseline.toFixed(1)}× |`);
  console.log(`bench process peak RSS: ${view.peakRssMb.toFixed(0)} MB\n`);
}

if (!only || only === "reads") {
  const logLevel = process.argv.find((a) => a.startsWith("--log-level="))?.slice("--log-level=".length);
  const reads = await benchReads({ connections: 10, seconds: quick ? 2 : 5, logLevel });
  console.log(`## Reads through the real app (a pod process, LOG_LEVEL=${reads.logLevel})`);
  console.log(`${reads.connections} connections, ${reads.seconds} s per case, one autocannon client for all`);
  const header = [
    "request",
    "requests/s",
    "p50 ms",
    "p99 ms",
    "÷ bare route",
    "server CPU ms/request",
    "bare CPU ÷ this",
    "unexpected",
  ];
  console.log(`| ${header.join(" | ")} |\n|${" --- |".repeat(header.length)}`);
  for (const t of [reads.baselines[0], ...reads.timings, reads.baselines[1]]) {
    const percent = (x: number) => `${(x * 100).toFixed(0)}%`;
    const row = [
      t.name,
      t.requestsPerSecond.toFixed(0),
      t.p50,
      t.p99,
      percent(t.ratioToBaseline),
      t.serverCpuMsPerRequest.toFixed(3),
    ];
    console.log(`| ${[...row, percent(t.cpuRatioToBaseline), t.unexpected].join(" | ")} |`);
  }
  const { freshDataMs, restartMs } = reads.coldStart;
  console.log(
    `cold start (process start to first WebFinger 200): fresh data folder ${freshDataMs.toFixed(0)} ms, ` +
      `restart ${restartMs.toFixed(0)} ms`,
  );
  console.log(`pod RSS after the reads: ${reads.podRssMb.toFixed(0)} MB\n`);
}

if (!only || only === "ingest") {
  const concurrency = Number(process.argv.find((a) => a.startsWith("--concurrency="))?.split("=")[1] ?? 32);
  const load = () =>
    `load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")}`;
  /** The floors (bench/floor.ts) the same deliveries met in the same run, and the pod as a share of the best. */
  const printFloor = (floors: Floors, podPerSecond: number, deliveriesPerItem: number, items: string) => {
    const at = (runs: FloorResult[]) => {
      const best = runs.reduce((a, b) => (b.deliveriesPerSecond > a.deliveriesPerSecond ? b : a));
      const rates = runs.map((r) => r.deliveriesPerSecond.toFixed(0)).join(", ");
      return {
        best,
        text:
          `best ${best.deliveriesPerSecond.toFixed(0)} deliveries/s = ` +
          `${(best.deliveriesPerSecond / deliveriesPerItem).toFixed(0)} ${items}/s at ` +
          `${best.cpuMsPerDelivery.toFixed(3)} ms (${runs.length} runs: ${rates})`,
      };
    };
    const inbox = at(floors.inbox);
    const two = at(floors.inboxTwoProcesses);
    const http = at(floors.http);
    console.log(`floor, the least an inbox does (HTTP, digest, RSA, JSON, one grouped SQLite upsert): ${inbox.text}`);
    console.log(`the same floor in two processes on one port and one database: ${two.text}`);
    console.log(`floor, HTTP alone (read the body, answer 202): ${http.text}`);
    console.log(
      `pod ÷ best floor: ${((podPerSecond / inbox.best.deliveriesPerSecond) * 100).toFixed(0)}% ` +
        `(÷ HTTP alone: ${((podPerSecond / http.best.deliveriesPerSecond) * 100).toFixed(0)}%) (${load()})\n`,
    );
  };
  const verdict = (figure: number, target: number) =>
    figure >= target ? "met" : `MISSED (${((figure / target) * 100).toFixed(0)}%)`;

  console.log(`## Pod-to-pod ingest at the real mix (${load()})`);
  const real = await benchRealIngest({
    objects: quick ? 100 : 400,
    warmUp: quick ? 20 : 100,
    concurrency,
    floor: true,
  });
  console.log(
    `captured from real pod processes in ${real.captureSeconds.toFixed(1)} s: ${real.warmUp} + ${real.objects} offers ` +
      `and needs, each published, edited and claimed; the first ${real.warmUp} replayed unmeasured`,
  );
  console.log(
    `deliveries: ${real.deliveries} (${Object.entries(real.mix)
      .map(([type, n]) => `${n} ${type}`)
      .join(", ")}), replayed byte for byte, ${real.concurrency} in flight`,
  );
  console.log(`raw RSA-2048 verify (baseline, one core): ${real.rsaVerifyPerSecond.toFixed(0)}/s`);
  console.log(
    `offers in the view, last state: ${real.offersPerSecond.toFixed(0)}/s — target ` +
      `2,000/s: ${verdict(real.offersPerSecond, 2000)}`,
  );
  console.log(
    `deliveries: ${real.deliveriesPerSecond.toFixed(0)}/s ` +
      `(${((real.deliveriesPerSecond / real.rsaVerifyPerSecond) * 100).toFixed(1)}% of raw verify)`,
  );
  console.log(
    `pod CPU: ${real.podCpuMsPerDelivery.toFixed(2)} ms per delivery, ${real.podCpuMsPerOffer.toFixed(2)} ms per ` +
      `offer (${load()})`,
  );
  printFloor(real.floor!, real.deliveriesPerSecond, real.deliveries / real.objects, "offers");

  console.log(`## Mastodon-style Create(Note) ingest: mentions of the pod, HTTP- and LD-signed (${load()})`);
  const notes = await benchNoteIngest({
    notes: quick ? 300 : 2000,
    warmUp: quick ? 100 : 1000,
    authors: 20,
    concurrency,
    floor: true,
  });
  console.log(
    `posts: ${notes.notes} from ${notes.authors} authors after ${notes.warmUp} unmeasured, ${notes.concurrency} in flight; raw RSA-2048 ` +
      `verify: ${notes.rsaVerifyPerSecond.toFixed(0)}/s`,
  );
  console.log(
    `stored: ${notes.notesPerSecond.toFixed(0)}/s ` +
      `(${((notes.notesPerSecond / notes.rsaVerifyPerSecond) * 100).toFixed(1)}% of raw verify) — target ` +
      `2,000/s: ${verdict(notes.notesPerSecond, 2000)}`,
  );
  console.log(`pod CPU: ${notes.podCpuMsPerNote.toFixed(2)} ms per post (${load()})`);
  printFloor(notes.floor!, notes.notesPerSecond, 1, "posts");

  const ingest = await benchIngest({ activities: quick ? 500 : 4000, neighbors: quick ? 5 : 20, concurrency });
  console.log("## Synthetic Create(Proposal) only, signed by the bench (signature verification on)");
  console.log(
    `activities: ${ingest.activities} from ${ingest.neighbors} neighbor pods, ${ingest.concurrency} in flight`,
  );
  console.log(`raw RSA-2048 verify (baseline, one core): ${ingest.rsaVerifyPerSecond.toFixed(0)}/s`);
  console.log(
    `accepted (202): ${ingest.acceptedPerSecond.toFixed(0)}/s  ` +
      `(${((ingest.acceptedPerSecond / ingest.rsaVerifyPerSecond) * 100).toFixed(1)}% of raw verify)`,
  );
  console.log(
    `in the view:    ${ingest.ingestedPerSecond.toFixed(0)}/s  ` +
      `(${((ingest.ingestedPerSecond / ingest.rsaVerifyPerSecond) * 100).toFixed(1)}% of raw verify)`,
  );
  console.log(
    `CPU per activity: pod ${ingest.podCpuMsPerActivity.toFixed(2)} ms, ` +
      `sender ${ingest.senderCpuMsPerActivity.toFixed(2)} ms (both on this machine's ${cpus().length} cores)`,
  );
  console.log(
    `pod RSS: peak ${ingest.podPeakRssMb.toFixed(0)} MB; ${ingest.podSettledRssMb.toFixed(0)} MB 10 s after ` +
      `(target after the ingest bench 200 MB: ${ingest.podSettledRssMb <= 200 ? "met" : "MISSED"})\n`,
  );

  const generic = await benchIngest({
    activities: quick ? 200 : 1000,
    neighbors: quick ? 5 : 20,
    concurrency,
    generic: true,
  });
  console.log("## The same through Fedify's generic JSON-LD path (a context the fast path does not know)");
  console.log(
    `activities: ${generic.activities}; in the view: ${generic.ingestedPerSecond.toFixed(0)}/s; CPU per activity: ` +
      `pod ${generic.podCpuMsPerActivity.toFixed(2)} ms`,
  );
  console.log(`fast path ÷ generic path: ${(ingest.ingestedPerSecond / generic.ingestedPerSecond).toFixed(1)}×\n`);
}

if (!only || only === "fanout") {
  const profileDir = process.argv.find((a) => a.startsWith("--profile="))?.slice("--profile=".length);
  printFanout(await benchFanout({ offers: quick ? 3 : 5, hosts: 100, actorsPerHost: 10, profileDir }));
}

if (!only || only === "rota") {
  const rota = benchRota({ members: 200, roles: 20, weeks: 52, runs: quick ? 3 : 7 });
  console.log(`## Rota generator: ${rota.members} members, ${rota.roles} roles, ${rota.weeks} weekly periods`);
  console.log(
    `median of ${rota.runs} runs: ${rota.generator.medianMs.toFixed(0)} ms for ${rota.generator.seats} proposed seats ` +
      `(round-robin baseline, same seats: ${rota.baseline.medianMs.toFixed(2)} ms)\n`,
  );
}

if (!only || only === "sovereignty") {
  const sov = await benchSovereignty({
    pods: quick ? 50 : 500,
    months: 24,
    metrics: 20,
    iterations: quick ? 100 : 500,
  });
  console.log(
    `## Sovereignty totals: ${sov.pods} pods × ${sov.months} months × ${sov.metrics} metric types = ` +
      `${sov.figures} stored figures (seeded in ${sov.seedSeconds.toFixed(1)} s; load average ` +
      `${loadavg()
        .map((x) => x.toFixed(1))
        .join(" ")}: p99 follows the machine's load)`,
  );
  console.log(
    `baseline (bare Fastify route): p50 ${sov.baseline.p50.toFixed(3)} ms, p99 ${sov.baseline.p99.toFixed(3)} ms`,
  );
  for (const t of sov.timings)
    console.log(`${t.name}: p50 ${t.p50.toFixed(2)} ms, p99 ${t.p99.toFixed(2)} ms (target p99 ≤ 20 ms)`);
  console.log("");
}

if (only === "split") {
  // Not in the default run: it starts 12 pod processes and a PostgreSQL server (about 3 minutes).
  printSplit(await benchSplit({ activities: quick ? 500 : 2000, offers: 3 }));
}
