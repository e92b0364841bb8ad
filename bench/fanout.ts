/**
 * Fan-out through a real pod process: 1,000 followers on 100 loopback hosts (127.0.1.x, one shared inbox each,
 * the follower farm of test/support) follow the pod with signed Follows; then the pod publishes offers one at
 * a time and each is timed from the POST that publishes it to the last host's verified delivery. Pod CPU per
 * delivery is set against the RSA-2048 signing rate measured in this process in the same run.
 *
 * `node bench/fanout.ts [--offers=5] [--hosts=100] [--actors=10] [--profile=DIR]`
 * (also `npm run bench -- --only=fanout`).
 * With --profile the pod runs with --cpu-prof; the profile's samples during the publications are summed per
 * function (self time), so what fan-out costs is seen without the follow phase.
 */
import { createSign, generateKeyPairSync } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { startFarm, type Farm } from "../test/support/follower-farm.ts";
import { startPod, waitUntil } from "../test/support/pod-process.ts";

export interface FanoutRound {
  /** POST /offers to the last host's delivery of the offer's activity, ms. */
  lastDeliveryMs: number;
  /** Deliveries of this round (one per host when shared inboxes are used). */
  deliveries: number;
  /** Most POSTs one host received for one activity (1 = one signature per host per activity). */
  maxPerHostPerActivity: number;
  podCpuMs: number;
}

export interface FanoutResult {
  hosts: number;
  followers: number;
  followSetupSeconds: number;
  rsaSignPerSecond: number;
  rounds: FanoutRound[];
  podRssMb: number;
  /** V8 heap in use at the end (of podRssMb). */
  podHeapUsedMb: number;
  /** The same, after SETTLE_MS without work. */
  settledRssMb: number;
  settledHeapUsedMb: number;
  /** Self time per function during the publications (with --profile). */
  profile?: { name: string; ms: number; percent: number }[];
}

/**
 * RSA PKCS#1 v1.5 SHA-256 signatures per second on one core (what an HTTP signature costs): 2048 bits is the
 * issue's baseline and the size of a new pod's own key (as Mastodon's).
 */
export function rsaSignRate(seconds = 1): number {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const data = `(request-target): post /inbox\nhost: 127.0.1.1\ndate: ${new Date().toUTCString()}\ndigest: SHA-256=x`;
  const until = performance.now() + seconds * 1000;
  let count = 0;
  const started = performance.now();
  while (performance.now() < until) {
    createSign("sha256").update(data).sign(privateKey);
    count++;
  }
  return count / ((performance.now() - started) / 1000);
}

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function inBatches<T>(items: T[], size: number, run: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}

export interface FanoutOptions {
  offers: number;
  hosts: number;
  actorsPerHost: number;
  /** Where the pod writes its CPU profile (--cpu-prof) when it stops. */
  profileDir?: string;
}

const SETTLE_MS = 20_000;

/** The pod's RSS and (through the SIGUSR2 probe) its V8 heap in use. */
async function podMemory(pod: Awaited<ReturnType<typeof startPod>>): Promise<{ rssMb: number; heapUsedMb: number }> {
  const status = readFileSync(`/proc/${pod.pid()}/status`, "utf8");
  const rssMb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  const seen = pod.logs().split("MEMORY ").length;
  process.kill(pod.pid(), "SIGUSR2");
  await waitUntil(() => pod.logs().split("MEMORY ").length > seen, 5_000, 20).catch(() => {});
  const lines = pod.logs().match(/MEMORY (.*)/g) ?? [];
  const usage = JSON.parse(lines.at(-1)?.slice("MEMORY ".length) ?? "{}") as Partial<NodeJS.MemoryUsage>;
  return { rssMb, heapUsedMb: (usage.heapUsed ?? NaN) / 2 ** 20 };
}

/** Runs the bench; with a profile directory, sums the profile the pod wrote over the publications. */
export async function benchFanout(options: FanoutOptions): Promise<FanoutResult> {
  const windows: [bigint, bigint][] = [];
  const result = await measure(options, windows);
  if (options.profileDir) {
    // The main thread's profile is the largest (the checkpoint worker writes one too).
    const files = readdirSync(options.profileDir)
      .filter((f) => f.endsWith(".cpuprofile"))
      .map((f) => join(options.profileDir!, f));
    const main = files.sort((a, b) => statSync(b).size - statSync(a).size)[0];
    if (main) result.profile = profileWindows(main, windows);
  }
  return result;
}

async function measure(options: FanoutOptions, windows: [bigint, bigint][]): Promise<FanoutResult> {
  const rsaSignPerSecond = rsaSignRate();
  // A probe in the pod answers SIGUSR2 with its process.memoryUsage() on stderr (what of the RSS is V8's heap).
  const probe = 'process.on("SIGUSR2",()=>process.stderr.write("MEMORY "+JSON.stringify(process.memoryUsage())+"\\n"))';
  const nodeOptions = [`--import=data:text/javascript,${encodeURIComponent(probe)}`];
  if (options.profileDir) nodeOptions.push("--cpu-prof", `--cpu-prof-dir=${options.profileDir}`);
  const env: Record<string, string> = { LOG_LEVEL: "warn", NODE_OPTIONS: nodeOptions.join(" ") };
  const pod = await startPod("bench-fanout", env);
  let farm: Farm | undefined;
  try {
    farm = await startFarm({ hosts: options.hosts, actorsPerHost: options.actorsPerHost });
    const actor = await pod.getActivityPub(pod.actorUrl);
    for (const key of [actor.publicKey].flat()) farm.trust(key.id, key.publicKeyPem);
    const actors = farm.hosts.flatMap((host) => host.actors);
    const setupStarted = performance.now();
    await inBatches(actors, 16, async (follower) => {
      const follow = {
        "@context": "https://www.w3.org/ns/activitystreams",
        id: `${follower.id}/follows/1`,
        type: "Follow",
        actor: follower.id,
        object: pod.actorUrl,
      };
      const response = await farm!.post(follower, `${pod.url}/inbox`, follow);
      if (!response.ok) throw new Error(`Follow from ${follower.id} answered ${response.status}`);
    });
    const accepted = () => farm!.hosts.flatMap((host) => host.deliveries).filter((d) => d.type === "Accept").length;
    await waitUntil(() => accepted() === actors.length, 600_000, 200);
    const followSetupSeconds = (performance.now() - setupStarted) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 1000)); // let the Accepts' queue work settle

    const rounds: FanoutRound[] = [];
    const publications = () => farm!.hosts.map((host) => host.deliveries.filter((d) => d.type !== "Accept"));
    for (let round = 0; round < options.offers; round++) {
      const before = publications().map((list) => list.length);
      const cpuBefore = cpuMs(pod.pid());
      const windowStart = process.hrtime.bigint();
      const published = Date.now();
      const offer = { name: `Apples ${round}`, category: "food", quantity: 5, unit: "kg", area: { name: "Riverside" } };
      const answer = await pod.admin("POST", "/offers", offer);
      if (answer.status !== 201) throw new Error(`POST /offers answered ${answer.status}`);
      await waitUntil(() => publications().every((list, i) => list.length > before[i]!), 120_000, 10);
      const fresh = publications().flatMap((list, i) => list.slice(before[i]));
      const lastDeliveryMs = Math.max(...fresh.map((d) => d.receivedAt)) - published;
      // Whatever the publication still costs after its last delivery (queue rows, circuit records) is counted.
      await new Promise((resolve) => setTimeout(resolve, 500));
      windows.push([windowStart, process.hrtime.bigint()]);
      const podCpuMs = cpuMs(pod.pid()) - cpuBefore;
      const perHost = publications().flatMap((list, i) => {
        const counts = new Map<string, number>();
        for (const d of list.slice(before[i])) counts.set(d.activityId, (counts.get(d.activityId) ?? 0) + 1);
        return [...counts.values()];
      });
      rounds.push({ lastDeliveryMs, deliveries: fresh.length, maxPerHostPerActivity: Math.max(...perHost), podCpuMs });
    }
    const busy = await podMemory(pod);
    // What V8 has not collected yet is not retained: an idle pod's memory reducer collects it within seconds.
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const settled = await podMemory(pod);
    return {
      hosts: options.hosts,
      followers: actors.length,
      followSetupSeconds,
      rsaSignPerSecond,
      rounds,
      podRssMb: busy.rssMb,
      podHeapUsedMb: busy.heapUsedMb,
      settledRssMb: settled.rssMb,
      settledHeapUsedMb: settled.heapUsedMb,
    };
  } finally {
    await Promise.all([pod.stop(), farm?.close()]);
  }
}

/** Self time per function (V8 .cpuprofile) over the samples that fall inside the windows (monotonic µs). */
export function profileWindows(path: string, windows: [bigint, bigint][]) {
  interface Node {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }
  const profile = JSON.parse(readFileSync(path, "utf8")) as {
    nodes: Node[];
    startTime: number;
    samples: number[];
    timeDeltas: number[];
  };
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const inWindow = (t: number) => windows.some(([a, b]) => t >= Number(a / 1000n) && t <= Number(b / 1000n));
  const self = new Map<string, number>();
  let time = profile.startTime;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    time += delta;
    if (!inWindow(time)) continue;
    const frame = nodes.get(profile.samples[i]!)!.callFrame;
    if (frame.functionName === "(idle)") continue;
    const where = frame.url.replace(/^.*node_modules\//, "").replace(/^.*\/src\//, "src/");
    const name = `${frame.functionName || "(anonymous)"} ${where}:${frame.lineNumber + 1}`;
    self.set(name, (self.get(name) ?? 0) + delta / 1000);
    total += delta / 1000;
  }
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 40)
    .map(([name, ms]) => ({ name, ms, percent: (ms / total) * 100 }));
}

export function printFanout(result: FanoutResult): void {
  const signMs = 1000 / result.rsaSignPerSecond;
  console.log(
    `## Fan-out: one offer to ${result.followers} followers on ${result.hosts} hosts (shared inboxes), a real pod ` +
      `process`,
  );
  console.log(`followers set up with signed Follows in ${result.followSetupSeconds.toFixed(1)} s`);
  console.log(
    `raw RSA-2048 sign (baseline, one core; the pod's own key size): ${result.rsaSignPerSecond.toFixed(0)}/s ` +
      `(${signMs.toFixed(2)} ms each)`,
  );
  console.log(
    "| offer | publish to last delivery ms | deliveries | POSTs per host per activity | pod CPU ms | CPU ms per " +
      "delivery | ÷ one RSA-2048 signature |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  result.rounds.forEach((r, i) => {
    const perDelivery = r.podCpuMs / r.deliveries;
    console.log(
      `| ${i + 1} | ${r.lastDeliveryMs.toFixed(0)} | ${r.deliveries} | ${r.maxPerHostPerActivity} ` +
        `| ${r.podCpuMs.toFixed(0)} | ${perDelivery.toFixed(2)} | ${(perDelivery / signMs).toFixed(1)}× |`,
    );
  });
  const sorted = result.rounds.map((r) => r.lastDeliveryMs).sort((a, b) => a - b);
  console.log(
    `median publish to last delivery: ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms (target ≤ 2,000 ms); ` +
      `pod RSS ${result.podRssMb.toFixed(0)} MB, of which V8 heap in use ${result.podHeapUsedMb.toFixed(0)} MB; ` +
      `${SETTLE_MS / 1000} s later ${result.settledRssMb.toFixed(0)} MB, heap ${result.settledHeapUsedMb.toFixed(0)} MB`,
  );
  if (result.profile) {
    console.log("\nself time during the publications (pod --cpu-prof):");
    for (const p of result.profile.slice(0, 25))
      console.log(`${p.percent.toFixed(1).padStart(5)}%  ${p.ms.toFixed(0).padStart(6)} ms  ${p.name}`);
  }
  console.log("");
}

if (import.meta.main) {
  const arg = (name: string, fallback: string) =>
    process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
  const profileDir = process.argv.find((a) => a.startsWith("--profile="))?.slice("--profile=".length);
  const result = await benchFanout({
    offers: Number(arg("offers", "5")),
    hosts: Number(arg("hosts", "100")),
    actorsPerHost: Number(arg("actors", "10")),
    profileDir,
  });
  printFanout(result);
}
