/**
 * The read path through the real app: a pod process (bin/start.mjs, its hooks, logging and CSP) answering
 * the actor document and WebFinger, against a bare Fastify route in a process of its own, driven by the
 * same client (autocannon, in this process) over the same connections. Also the pod's cold start.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { freePort } from "../test/support/pod-process.ts";
import { podNodeFlags } from "../test/support/node-flags.ts";

export interface ReadTiming {
  name: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** Requests/s divided by the bare route's. */
  ratioToBaseline: number;
  /** CPU per request of the serving process (the pod, or the bare server for the baseline). */
  serverCpuMsPerRequest: number;
  /** The bare route's CPU per request divided by this case's: the ratio a loaded machine disturbs least. */
  cpuRatioToBaseline: number;
  /** Answers that were not what the case expects (2xx, or 304 for the conditional case). */
  unexpected: number;
}

export interface ReadsResult {
  connections: number;
  seconds: number;
  logLevel: string;
  /** The bare route, measured before and after the pod's cases (the machine may be shared). */
  baselines: [ReadTiming, ReadTiming];
  timings: ReadTiming[];
  coldStart: { freshDataMs: number; restartMs: number };
  podRssMb: number;
}

const HANDLE = "pod";
const BENCH_TOKEN = "bench-operator-token-0123456789abcdef";

interface Pod {
  child: ChildProcess;
  url: string;
  /** Process start (spawn) to the first WebFinger 200, in ms. */
  startMs: number;
  stop(): Promise<void>;
}

async function startPod(port: number, dataDir: string, logLevel: string): Promise<Pod> {
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  // As production starts it (bin/start.mjs: the compile cache, drizzle-orm's CommonJS build; npm start's flags).
  const child = spawn(process.execPath, [...podNodeFlags(), new URL("../bin/start.mjs", import.meta.url).pathname], {
    env: {
      ...process.env,
      POD_URL: url,
      PORT: String(port),
      DATA_DIR: dataDir,
      POD_HANDLE: HANDLE,
      POD_ALLOW_PRIVATE_ADDRESS: "true",
      LOG_LEVEL: logLevel,
      POD_ADMIN_TOKEN: BENCH_TOKEN,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const webfinger = `${url}/.well-known/webfinger?resource=${encodeURIComponent(`acct:${HANDLE}@127.0.0.1:${port}`)}`;
  const deadline = started + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`pod exited (${child.exitCode}): ${stderr}`);
    if (performance.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`pod not answering WebFinger after 60 s: ${stderr}`);
    }
    const response = await fetch(webfinger).catch(() => null);
    if (response?.status === 200) break;
    await response?.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const startMs = performance.now() - started;
  return {
    child,
    url,
    startMs,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function startBareServer(): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [new URL("./bare-server.ts", import.meta.url).pathname], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk) => {
      out += chunk;
      const match = /listening (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once("exit", (code) => reject(new Error(`bare server exited (${code})`)));
  });
  return {
    url: `http://127.0.0.1:${port}/baseline`,
    pid: child.pid!,
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Publishes one offer through the admin API, as a coordinator's first one; its id. */
async function publishOffer(url: string): Promise<string> {
  const response = await fetch(`${url}/admin/api/offers`, {
    method: "POST",
    headers: { authorization: `Bearer ${BENCH_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "Apples", category: "food", quantity: 3, unit: "kg", area: { name: "Riverside" } }),
  });
  if (response.status !== 201) throw new Error(`publishing an offer answered ${response.status}`);
  return ((await response.json()) as { id: string }).id;
}

/** User + system CPU seconds of a process so far (from /proc: Linux only). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Case {
  name: string;
  url: string;
  headers?: Record<string, string>;
  expect304?: boolean;
}

async function drive(
  target: Case,
  options: { connections: number; seconds: number; serverPid: number },
): Promise<Omit<ReadTiming, "ratioToBaseline" | "cpuRatioToBaseline">> {
  const run = (duration: number) =>
    autocannon({ url: target.url, connections: options.connections, duration, headers: target.headers ?? {} });
  await run(1); // warm-up: JIT, the prebuilt documents, connection set-up
  const cpuBefore = cpuSeconds(options.serverPid);
  const result = await run(options.seconds);
  const cpu = cpuSeconds(options.serverPid) - cpuBefore;
  const expected = target.expect304 ? result["3xx"] : result["2xx"];
  return {
    name: target.name,
    requestsPerSecond: result.requests.total / options.seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    serverCpuMsPerRequest: (cpu * 1000) / Math.max(1, result.requests.total),
    unexpected: result.requests.total - expected + result.errors + result.timeouts,
  };
}

export async function benchReads(options: {
  connections: number;
  seconds: number;
  logLevel?: string;
}): Promise<ReadsResult> {
  const logLevel = options.logLevel ?? "info";
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "pod-bench-reads-"));
  const bare = await startBareServer();
  let pod: Pod | undefined;
  try {
    const fresh = await startPod(port, dataDir, logLevel);
    await fresh.stop();
    pod = await startPod(port, dataDir, logLevel);
    const coldStart = { freshDataMs: fresh.startMs, restartMs: pod.startMs };

    const actor = `${pod.url}/users/${HANDLE}`;
    const apAccept = { accept: "application/activity+json" };
    const etag = (await fetch(actor, { headers: apAccept })).headers.get("etag");
    const cases: Case[] = [
      { name: "actor document (GET, application/activity+json)", url: actor, headers: apAccept },
      {
        name: "actor document, If-None-Match (304)",
        url: actor,
        headers: { ...apAccept, "if-none-match": etag ?? '"none"' },
        expect304: true,
      },
      {
        name: "WebFinger (acct:)",
        url: `${pod.url}/.well-known/webfinger?resource=${encodeURIComponent(`acct:${HANDLE}@127.0.0.1:${port}`)}`,
      },
      { name: "NodeInfo 2.1 (prebuilt)", url: `${pod.url}/nodeinfo/2.1` },
      // What neighbors without a fediverse account read: built per request from the database.
      { name: "public home page (HTML)", url: `${pod.url}/` },
      { name: "an offer's public page (HTML)", url: `${pod.url}/offers/${await publishOffer(pod.url)}` },
      { name: "the confederal view's surplus page (HTML)", url: `${pod.url}/confederation` },
    ];
    const driveOptions = { connections: options.connections, seconds: options.seconds };
    const bareOptions = { ...driveOptions, serverPid: bare.pid };
    const before = await drive({ name: "bare Fastify route (before)", url: bare.url }, bareOptions);
    const measured = [];
    for (const target of cases) measured.push(await drive(target, { ...driveOptions, serverPid: pod.child.pid! }));
    const after = await drive({ name: "bare Fastify route (after)", url: bare.url }, bareOptions);
    const baselineRate = (before.requestsPerSecond + after.requestsPerSecond) / 2;
    const baselineCpu = (before.serverCpuMsPerRequest + after.serverCpuMsPerRequest) / 2;
    const ratio = (t: Omit<ReadTiming, "ratioToBaseline" | "cpuRatioToBaseline">): ReadTiming => ({
      ...t,
      ratioToBaseline: t.requestsPerSecond / baselineRate,
      cpuRatioToBaseline: baselineCpu / t.serverCpuMsPerRequest,
    });
    const status = readFileSync(`/proc/${pod.child.pid}/status`, "utf8");
    const podRssMb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    return {
      connections: options.connections,
      seconds: options.seconds,
      logLevel,
      baselines: [ratio(before), ratio(after)],
      timings: measured.map(ratio),
      coldStart,
      podRssMb,
    };
  } finally {
    await pod?.stop();
    await bare.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
