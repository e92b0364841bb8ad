import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { ConfigError, loadConfig } from "./config/load.ts";
import type { Logger } from "./log/logger.ts";
import type { Pod } from "./pod.ts";

async function main(): Promise<void> {
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
  // The rest of the pod is loaded only once its settings are known to be good: a bad one is said at once.
  const [
    { buildApp },
    { checkpointInBackground },
    { createLogger, routeFedifyLogs },
    { ensureOperatorToken },
    { actorFacts },
    { announceProfileChanges },
    { openPod },
  ] = await Promise.all([
    import("./app.ts"),
    import("./db/checkpoints.ts"),
    import("./log/logger.ts"),
    import("./operators/service.ts"),
    import("./federation/federation.ts"),
    import("./federation/profile.ts"),
    import("./pod.ts"),
  ]);

  const log = createLogger(config.logLevel);
  routeFedifyLogs(log);
  let pod: Pod;
  try {
    pod = await openPod(config, log);
  } catch (error) {
    // The pod is not where the settings say (another POD_URL than it was set up at): one clear line, no trace.
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  // The server's connection leaves WAL checkpoints (a disk sync) to a thread of their own.
  const checkpoints = checkpointInBackground(pod.database.sqlite, {
    onError: (error, restartInMs) =>
      log.error(
        { err: error, restartInMs },
        "the checkpoint thread failed; the connection checkpoints itself until it is restarted",
      ),
  });
  // A seeded token must work from the first request; a generated one is made (and shown) only once the pod
  // listens, so a start that fails to bind does not use up the one chance to see it.
  if (config.adminToken) ensureOperatorToken(pod.deps.db, config.adminToken);

  const app = await buildApp(pod);
  const inFlight = trackResponses(app.server);
  const queueStop = new AbortController();
  await app.listen({ host: config.host, port: config.port });
  const firstToken = config.adminToken ? null : ensureOperatorToken(pod.deps.db);
  if (firstToken) {
    process.stdout.write(
      `\nOperator token (shown once; keep it safe, rotate with "npm run pod -- token rotate"):\n  ${firstToken}\n\n`,
    );
  }
  const setupSecret = pod.members.freshSetupSecret();
  if (setupSecret) {
    const link = new URL(`/app/setup/${setupSecret}`, config.url).href;
    process.stdout.write(`\nSet up this pod in your browser (first coordinator; the link works once):\n  ${link}\n\n`);
  }
  const queueRunning = pod.federation.startQueue(null, { signal: queueStop.signal });
  // Events a crash (or the CLI) left are run now; the dispatcher keeps looking for more.
  pod.events.start();
  if (await announceProfileChanges(pod.contextFor(), pod.kv, config, actorFacts(pod.publishedAt, pod))) {
    log.info("profile changed since last start: followers are being told");
  }
  log.info({ url: config.url.href, handle: `@${config.handle}@${config.url.host}` }, "pod is running");

  const sweeps = startSweeps(pod, log);

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
    clearInterval(sweeps);
    inFlight.closeAfterResponse();
    queueStop.abort();
    await Promise.all([app.close(), queueRunning.catch(() => {}), pod.events.stop()]);
    await checkpoints.stop();
    pod.close();
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

/**
 * Responses still being worked on. On shutdown the server stops accepting connections and closes idle ones,
 * but a keep-alive connection whose request is in flight would stay open (for the keep-alive timeout) after
 * its response: those responses close their connection instead.
 */
function trackResponses(server: Server) {
  const responses = new Set<ServerResponse>();
  server.prependListener("request", (_request: IncomingMessage, response: ServerResponse) => {
    responses.add(response);
    response.once("close", () => responses.delete(response));
  });
  return {
    closeAfterResponse() {
      for (const response of responses) {
        if (!response.headersSent) response.setHeader("connection", "close");
        else response.once("finish", () => response.socket?.end());
      }
    },
  };
}

const SWEEP_INTERVAL_MS = 60_000;
/** How often the view is re-read from every followed pod, to repair what was missed. */
const RESYNC_EVERY_SWEEPS = 60;

/**
 * Periodic work: offers and needs whose end has passed expire (followers are told), old inbox records
 * go, and every so often the view is re-read from each followed pod.
 */
function startSweeps(pod: Pod, log: Logger) {
  const sweep = async () => {
    try {
      const expired = await pod.offers.expireDue();
      if (expired > 0) log.info({ expired }, "offers and needs expired");
      pod.confederation.pruneReceived();
      // At the start of each month, last month's sovereignty report is drafted for the coordinators.
      pod.sovereignty.draftFor(pod.deps.now());
    } catch (error) {
      log.error({ err: error }, "expiry sweep failed");
    }
    try {
      const reminded = await pod.rotation.reminders.check(pod.deps.now());
      if (reminded > 0) log.info({ reminded }, "rota reminders sent");
    } catch (error) {
      log.error({ err: error }, "rota reminder check failed");
    }
    try {
      const reminded = await pod.memory.reviews.check(pod.deps.now());
      if (reminded > 0) log.info({ reminded }, "decision review reminders sent");
    } catch (error) {
      log.error({ err: error }, "decision review reminder check failed");
    }
  };
  let sweeps = 0;
  const resync = async () => {
    try {
      await pod.confederation.resyncAll();
    } catch (error) {
      log.error({ err: error }, "view resync failed");
    }
  };
  void sweep();
  return setInterval(() => {
    void sweep();
    if (++sweeps % RESYNC_EVERY_SWEEPS === 0) void resync();
  }, SWEEP_INTERVAL_MS);
}

main().catch((error: unknown) => {
  process.stderr.write(`pod failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
