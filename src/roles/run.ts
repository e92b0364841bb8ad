import { existsSync } from "node:fs";
import { ConfigError, loadConfig } from "../config/load.ts";
import { generateKeyPairs } from "../federation/key-generation.ts";
import type { Pod } from "../pod.ts";
import { prepareCollector, releaseMemoryWhenIdle } from "./idle-memory.ts";

/** What a process of the pod does: everything (`npm start`), HTTP only (`npm run web`) or the rest (`npm run worker`). */
export type Role = "all" | "web" | "worker";

/** PostgreSQL connections per process (SQLite has its one): enough for the requests or deliveries it runs at once. */
const POOL_SIZE: Record<Role, number> = { all: 20, web: 10, worker: 12 };

export async function main(role: Role): Promise<void> {
  prepareCollector(); // before any worker thread (the log's, the checkpoints') makes a context of its own
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  // A new pod's keys are generated on the thread pool while the main thread loads the modules (both take about
  // a second); if another process of the pod stores its pair first, that one is used and these are dropped.
  const keyPairs = config.databaseUrl || existsSync(config.databasePath) ? undefined : generateKeyPairs();
  keyPairs?.catch(() => {}); // a failure is reported where openPod awaits it
  // The rest of the pod is loaded only once its settings are known to be good: a bad one is said at once.
  const [{ checkpointInBackground }, { createLogger, routeFedifyLogs }, { openPod }, { startHealthServer }] =
    await Promise.all([
      import("../db/checkpoints.ts"),
      import("../log/logger.ts"),
      import("../pod.ts"),
      import("./health.ts"),
    ]);

  const log = createLogger(config.logLevel);
  routeFedifyLogs(log);
  const idle = releaseMemoryWhenIdle(log);
  let pod: Pod;
  try {
    // Each process has its own pool on PostgreSQL: web processes answer requests, workers run the queue.
    pod = await openPod(config, log, { keyPairs, applicationName: `pods ${role}`, poolSize: POOL_SIZE[role] });
  } catch (error) {
    // The pod is not where the settings say (another POD_URL than it was set up at): one clear line, no trace.
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  // On SQLite the server's connection leaves WAL checkpoints (a disk sync) to a thread of their own.
  const sqlite = pod.storage.sqlite;
  const checkpoints = sqlite
    ? checkpointInBackground(sqlite.sqlite, {
        onError: (error, restartInMs) =>
          log.error(
            { err: error, restartInMs },
            "the checkpoint thread failed; the connection checkpoints itself until it is restarted",
          ),
      })
    : null;
  // What /ready checks; in one all-in-one process the web role's /ready also answers for the worker's listeners.
  const checks = pod.storage.checks();
  const web = role === "worker" ? null : await (await import("./web.ts")).startWeb(pod, log, checks);
  const worker = role === "web" ? null : await (await import("./worker.ts")).startWorker(pod, log);
  if (worker) checks.push(...worker.checks);
  const health = role === "worker" ? await startHealthServer(config.healthHost, config.healthPort, checks) : null;
  const handle = `@${config.handle}@${config.url.host}`;
  if (role === "all") log.info({ url: config.url.href, handle }, "pod is running");
  else log.info({ url: config.url.href, handle, role }, `pod is running (${role} process)`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down: finishing in-flight work, queued deliveries stay queued");
    const forced = setTimeout(() => {
      log.warn("shutdown took too long; exiting");
      process.exit(1);
    }, 15_000);
    forced.unref();
    idle.stop();
    health?.close();
    await Promise.all([web?.stop(), worker?.stop()]);
    await checkpoints?.stop();
    await pod.members.auditWritten();
    await pod.close();
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

export function run(role: Role): void {
  main(role).catch((error: unknown) => {
    process.stderr.write(`pod failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
