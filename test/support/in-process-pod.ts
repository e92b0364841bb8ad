import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { roomsOf } from "../../src/db/room-db.ts";
import { join } from "node:path";
import { buildApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config/load.ts";
import { createLogger } from "../../src/log/logger.ts";
import { ensureOperatorToken } from "../../src/operators/service.ts";
import { openPod, type Pod } from "../../src/pod.ts";
import { freePort } from "./pod-process.ts";

/**
 * A whole pod inside the test process — real SQLite file, real HTTP on 127.0.0.1, real queue — for
 * tests that need to reach into it, such as driving its clock.
 */
export interface InProcessPod {
  pod: Pod;
  url: string;
  actorUrl: string;
  close(): Promise<void>;
}

export async function startInProcessPod(
  options: { now?: () => Date; env?: Record<string, string> } = {},
): Promise<InProcessPod> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), "pod-inproc-"));
  const config = loadConfig({
    POD_URL: url,
    PORT: String(port),
    DATA_DIR: dataDir,
    POD_ALLOW_PRIVATE_ADDRESS: "true",
    LOG_LEVEL: "warn",
    POD_ADMIN_TOKEN: "test-operator-token-0123456789abcdef",
    ...options.env,
  });
  const log = createLogger("warn", process.stderr);
  const pod = await openPod(config, log, { now: options.now });
  await ensureOperatorToken(roomsOf(pod.deps), config.adminToken);
  const app = await buildApp(pod);
  await app.listen({ host: "127.0.0.1", port });
  const stopQueue = new AbortController();
  const queue = pod.federation.startQueue(null, { signal: stopQueue.signal });
  return {
    pod,
    url,
    actorUrl: `${url}/users/${config.handle}`,
    async close() {
      await app.close();
      stopQueue.abort();
      await queue.catch(() => {});
      await pod.members.auditWritten(); // as the pod's own shutdown does
      pod.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
