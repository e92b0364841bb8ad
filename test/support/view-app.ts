import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import { loadConfig } from "../../src/config/load.ts";
import { viewRoutes } from "../../src/confederation/view-routes.ts";
import { openMigratedDatabase, type DatabaseHandle } from "../../src/db/client.ts";
import type { PodDeps } from "../../src/federation/deps.ts";
import { installProblemHandlers } from "../../src/http/problem.ts";
import { charterCopyOf } from "../../src/charters/copy.ts";
import { rebuildOwnView } from "../../src/publishing/kinds.ts";
import { createLogger } from "../../src/log/logger.ts";
import { sqliteRoomDb } from "../../src/db/room-db-sqlite.ts";

/** The confederal view's public routes over a real SQLite file, driven with Fastify's inject. */
export interface ViewApp {
  app: FastifyInstance;
  handle: DatabaseHandle;
  deps: PodDeps;
  close(): Promise<void>;
}

export async function startViewApp(options: {
  origin: string;
  now: () => Date;
  seed?: (handle: DatabaseHandle) => void;
  extraRoutes?: (app: FastifyInstance, deps: PodDeps) => void;
}): Promise<ViewApp> {
  const dataDir = mkdtempSync(join(tmpdir(), "pod-view-"));
  const config = loadConfig({ POD_URL: options.origin, DATA_DIR: dataDir });
  const handle = openMigratedDatabase(config.databasePath);
  const deps: PodDeps = {
    config,
    rooms: sqliteRoomDb(handle.sqlite),
    log: createLogger("silent", process.stderr),
    now: options.now,
  };
  options.seed?.(handle);
  // As the pod does at start: the in-memory copies loaded, the rooms' own objects (seeded straight into their
  // tables) into the view.
  await charterCopyOf(deps).load();
  await rebuildOwnView(deps);
  const app = Fastify();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installProblemHandlers(app);
  await app.register(viewRoutes, { deps });
  options.extraRoutes?.(app, deps);
  await app.ready();
  return {
    app,
    handle,
    deps,
    async close() {
      await app.close();
      handle.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
