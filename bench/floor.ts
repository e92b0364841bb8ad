/**
 * The floor under the ingest benches: the same deliveries, replayed the same way, to `bench/floor-inbox.ts`
 * (the least an inbox must do: HTTP, digest, RSA signature, JSON, one grouped SQLite upsert), and to the same
 * server answering 202 once it has read the body (HTTP alone). Measured in the same run as the pod, so the
 * pod's figure reads as a share of what this machine can do at all.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cpuSecondsOf, type Delivery, replay } from "./replay.ts";

export interface FloorResult {
  deliveriesPerSecond: number;
  cpuMsPerDelivery: number;
}

/**
 * The floors, each measured `times` times on fresh servers (a short stretch: the best says what the machine can do):
 * one inbox process, two sharing the port and the database (each delivery's work on either core), HTTP alone.
 */
export interface Floors {
  inbox: FloorResult[];
  inboxTwoProcesses: FloorResult[];
  http: FloorResult[];
}

export type FloorOptions = Omit<Parameters<typeof measureFloor>[0], "mode" | "processes">;

export async function measureFloors(options: FloorOptions, times = 3): Promise<Floors> {
  const floors: Floors = { inbox: [], inboxTwoProcesses: [], http: [] };
  for (let i = 0; i < times; i++) {
    floors.inbox.push(await measureFloor({ mode: "inbox", ...options }));
    floors.inboxTwoProcesses.push(await measureFloor({ mode: "inbox", processes: 2, ...options }));
    floors.http.push(await measureFloor({ mode: "http", ...options }));
  }
  return floors;
}

const SERVER = fileURLToPath(new URL("./floor-inbox.ts", import.meta.url));

export async function measureFloor(options: {
  mode: "inbox" | "http";
  /** Processes serving one port and one database (1 unless given). */
  processes?: number;
  /** Sent first, unmeasured (the server's code still cold). */
  warmUp: Delivery[];
  measured: Delivery[];
  /** The senders' keys: keyId → PEM. */
  keys: Record<string, string>;
  /** The Host the deliveries were signed for. */
  host: string;
  concurrency: number;
}): Promise<FloorResult> {
  const dir = mkdtempSync(join(tmpdir(), "pod-floor-"));
  writeFileSync(join(dir, "keys.json"), JSON.stringify(options.keys));
  const env = {
    ...process.env,
    HOST_HEADER: options.host,
    KEYS: join(dir, "keys.json"),
    DB: join(dir, "floor.sqlite"),
    FLOOR_MODE: options.mode,
    FLOOR_SHARED: (options.processes ?? 1) > 1 ? "1" : "0",
  };
  const servers: ChildProcess[] = [];
  const exits: Promise<unknown>[] = [];
  let stderr = "";
  /** Starts one process; it answers with the port it listens on. */
  const start = (port: number) => {
    const server = spawn(process.execPath, [SERVER], {
      env: { ...env, FLOOR_PORT: String(port) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = once(server, "exit");
    servers.push(server);
    exits.push(exited);
    server.stderr.on("data", (chunk) => (stderr += chunk));
    return Promise.race([
      once(server.stdout, "data").then(([line]) => Number(/listening (\d+)/.exec(String(line))?.[1])),
      exited.then(([code]) => Promise.reject(new Error(`the floor inbox exited (${code}): ${stderr}`))),
    ]);
  };
  const cpuSeconds = () => servers.reduce((sum, server) => sum + cpuSecondsOf(server.pid!), 0);
  try {
    const port = await start(0);
    for (let i = 1; i < (options.processes ?? 1); i++) await start(port);
    const target = new URL(`http://127.0.0.1:${port}`);
    await replay(target, options.warmUp, options.concurrency, () => stderr);
    const cpuBefore = cpuSeconds();
    const started = performance.now();
    await replay(target, options.measured, options.concurrency, () => stderr);
    const seconds = (performance.now() - started) / 1000;
    return {
      deliveriesPerSecond: options.measured.length / seconds,
      cpuMsPerDelivery: ((cpuSeconds() - cpuBefore) * 1000) / options.measured.length,
    };
  } finally {
    for (const server of servers) if (server.exitCode === null && server.signalCode === null) server.kill("SIGTERM");
    await Promise.all(exits);
    rmSync(dir, { recursive: true, force: true });
  }
}
