/**
 * Idle memory and cold start of a real pod process: `node bench/memory.ts [--runs=3] [--settle=10]
 * [--flags="…"] [--entry=FILE]`. Each run starts `node <flags> bin/start.mjs` (by default `npm start`'s flags) on a
 * fresh data directory,
 * times spawn → first WebFinger 200, lets it settle, then reads /proc/PID/status and smaps_rollup, and the
 * pod's own process.memoryUsage() and the number of modules it has loaded (through a probe preloaded with
 * --import that answers SIGUSR2 on stderr); then stops it and times a restart on the same data directory.
 * The header lines give the load average and two floors: `node -e` with the same flags, doing nothing, and the
 * libraries the pod imports, idle, with nothing of the pod's own (bench/memory-libraries.ts).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../test/support/pod-process.ts";
import { podNodeFlags } from "../test/support/node-flags.ts";

const arg = (name: string, fallback: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const runs = Number(arg("runs", "3"));
const settleSeconds = Number(arg("settle", "10"));
/** Node's flags for the pod: `npm start`'s by default. */
const extraFlags = arg("flags", podNodeFlags().join(" ")).split(/\s+/).filter(Boolean);
/** What to start (e.g. --entry=src/main.ts, or another checkout's, to compare with an earlier version). */
const START = arg("entry", fileURLToPath(new URL("../bin/start.mjs", import.meta.url)));
const PROBE = `data:text/javascript,${encodeURIComponent(
  'import{registerHooks}from"node:module";let modules=0;registerHooks({load(u,c,next){modules++;return next(u,c)}});' +
    'process.on("SIGUSR2",()=>process.stderr.write("MEMORY "+JSON.stringify({...process.memoryUsage(),modules})+"\\n"))',
)}`;
const MB = 1024 * 1024;

interface Sample {
  coldStartMs: number;
  coldStartCpuMs: number;
  restartMs: number;
  restartCpuMs: number;
  modules: number;
  vmRssMb: number;
  rssAnonMb: number;
  rssFileMb: number;
  pssMb: number;
  threads: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
}

/** CPU time (user + system, all threads) a process has used so far: steadier than wall time on a busy machine. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in ticks of 1/100 s
}

/** kB fields of /proc/PID/status or smaps_rollup, in MB. */
function procFields(path: string): Record<string, number> {
  const fields: Record<string, number> = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const match = /^(\w+):\s+(\d+)(?: kB)?$/.exec(line);
    if (match) fields[match[1]!] = line.endsWith("kB") ? Number(match[2]) / 1024 : Number(match[2]);
  }
  return fields;
}

async function once(): Promise<Sample> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "pod-memory-"));
  const url = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    POD_URL: url,
    HOST: "127.0.0.1",
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
    NODE_ENV: "production",
  };
  const webfinger = `${url}/.well-known/webfinger?resource=${encodeURIComponent(`acct:pod@127.0.0.1:${port}`)}`;
  /** Starts the pod and waits for its first WebFinger 200. */
  const start = async () => {
    const started = performance.now();
    const child = spawn(process.execPath, [...extraFlags, "--import", PROBE, START], {
      env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    const out = { stderr: "" };
    child.stderr.on("data", (chunk) => (out.stderr += chunk));
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`pod exited: ${out.stderr}`);
      const answer = await fetch(webfinger).catch(() => null);
      if (answer?.status === 200) return { child, out, ms: performance.now() - started, cpuMs: cpuMs(child.pid!) };
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill("SIGKILL");
    throw new Error("no WebFinger 200 within 120 s");
  };
  const stop = async (child: ReturnType<typeof spawn>) => {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  };
  const { child, out, ms: coldStartMs, cpuMs: coldStartCpuMs } = await start();
  try {
    await new Promise((resolve) => setTimeout(resolve, settleSeconds * 1000));
    const status = procFields(`/proc/${child.pid}/status`);
    const rollup = procFields(`/proc/${child.pid}/smaps_rollup`);
    child.kill("SIGUSR2");
    for (let i = 0; i < 100 && !out.stderr.includes("MEMORY "); i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const usage = JSON.parse(/MEMORY (.*)/.exec(out.stderr)?.[1] ?? "{}") as NodeJS.MemoryUsage & { modules: number };
    await stop(child);
    const restarted = await start();
    await stop(restarted.child);
    return {
      coldStartMs,
      coldStartCpuMs,
      restartMs: restarted.ms,
      restartCpuMs: restarted.cpuMs,
      modules: usage.modules,
      vmRssMb: status.VmRSS!,
      rssAnonMb: status.RssAnon!,
      rssFileMb: status.RssFile!,
      pssMb: rollup.Pss!,
      threads: status.Threads!,
      heapUsedMb: usage.heapUsed / MB,
      heapTotalMb: usage.heapTotal / MB,
      externalMb: usage.external / MB,
    };
  } finally {
    if (child.exitCode === null && child.signalCode === null) await stop(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The floor: VmRSS and RssAnon of `node -e` with the same flags, doing nothing but reading its own status. */
function nodeFloor(): string {
  const script =
    'const s=require("fs").readFileSync("/proc/self/status","utf8");console.log(s.match(/(VmRSS|RssAnon):.*/g).join("' +
    ' "))';
  const answer = spawnSync(process.execPath, [...extraFlags, "-e", `setTimeout(()=>{${script}},1000)`], {
    encoding: "utf8",
  });
  return answer.stdout.trim().replace(/\s+/g, " ");
}

/** The libraries' floor: VmRSS, RssAnon and live heap of bench/memory-libraries.ts with the same flags. */
function librariesFloor(): string {
  const script = fileURLToPath(new URL("./memory-libraries.ts", import.meta.url));
  const answer = spawnSync(process.execPath, [...extraFlags, script], { encoding: "utf8" });
  if (answer.status !== 0) throw new Error(`the libraries' floor failed: ${answer.stderr}`);
  const floor = JSON.parse(answer.stdout) as {
    modules: number;
    vmRssMb: number;
    rssAnonMb: number;
    heapUsedMb: number;
  };
  return (
    `VmRSS ${floor.vmRssMb.toFixed(0)} MB, RssAnon ${floor.rssAnonMb.toFixed(0)} MB, ` +
    `heap used ${floor.heapUsedMb.toFixed(0)} MB (${floor.modules} packages)`
  );
}

const machine =
  `${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, ` +
  `Node ${process.version}`;
console.log(`# idle pod memory — ${machine}; node ${extraFlags.join(" ")} ${START}; settle ${settleSeconds} s`);
console.log(
  `load average ${loadavg()
    .map((n) => n.toFixed(2))
    .join(" ")}; floor (node -e with the same flags): ${nodeFloor()}`,
);
console.log(`the libraries alone, given memory back as the pod does: ${librariesFloor()}`);
console.log(
  "| run | cold start to WebFinger 200 ms: fresh (CPU ms) | restart (CPU ms) | modules | VmRSS MB | RssAnon | RssFile " +
    "| Pss | threads | heap used | heap total | external |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
const samples: Sample[] = [];
for (let run = 1; run <= runs; run++) {
  const s = await once();
  samples.push(s);
  const f = (n: number) => n.toFixed(0);
  console.log(
    `| ${run} | ${f(s.coldStartMs)} (${f(s.coldStartCpuMs)}) | ${f(s.restartMs)} (${f(s.restartCpuMs)}) ` +
      `| ${s.modules} | ${f(s.vmRssMb)} | ${f(s.rssAnonMb)} | ${f(s.rssFileMb)} | ${f(s.pssMb)} ` +
      `| ${s.threads} | ${f(s.heapUsedMb)} | ${f(s.heapTotalMb)} | ${f(s.externalMb)} |`,
  );
}
const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
console.log(
  `median: VmRSS ${median(samples.map((s) => s.vmRssMb)).toFixed(0)} MB, cold ` +
    `start ${median(samples.map((s) => s.coldStartMs)).toFixed(0)} ms fresh, ` +
    `${median(samples.map((s) => s.restartMs)).toFixed(0)} ms on restart`,
);
