import { mkdirSync } from "node:fs";
import type { Context } from "@fedify/fedify";
import { eq } from "drizzle-orm";
import type { Config } from "./config/schema.ts";
import { openMigratedDatabase, type DatabaseHandle } from "./db/client.ts";
import type { PodDeps, PodFederation } from "./federation/deps.ts";
import { buildFederation, loadOrCreateKeyPairs } from "./federation/federation.ts";
import { actorKeys } from "./federation/schema.ts";
import { SqliteKvStore } from "./federation/sqlite-kv.ts";
import { SqliteMessageQueue } from "./federation/sqlite-mq.ts";
import { followActions } from "./follows/federation.ts";
import type { Logger } from "./log/logger.ts";
import { offersService, type OffersService } from "./offers/service.ts";

/** Everything a running pod is made of, before any HTTP: shared by the server and the CLI. */
export interface Pod {
  deps: PodDeps;
  database: DatabaseHandle;
  federation: PodFederation;
  queue: SqliteMessageQueue;
  kv: SqliteKvStore;
  /** When the pod was first started (its keys were made): the actor's `published`. */
  publishedAt: Date;
  follows: ReturnType<typeof followActions>;
  offers: OffersService;
  contextFor(): Context<null>;
  close(): void;
}

/** Opens the data directory and database (migrating it), loads or creates keys, builds the federation. */
export async function openPod(config: Config, log: Logger, options: { now?: () => Date } = {}): Promise<Pod> {
  mkdirSync(config.dataDir, { recursive: true });
  const database = openMigratedDatabase(config.databasePath);
  try {
    const kv = new SqliteKvStore(database);
    const queue = new SqliteMessageQueue(database);
    const keyPairs = await loadOrCreateKeyPairs(database.db);
    const rsa = database.db.select().from(actorKeys).where(eq(actorKeys.algorithm, "RSASSA-PKCS1-v1_5")).get();
    const deps: PodDeps = { config, db: database.db, log, now: options.now ?? (() => new Date()) };
    const publishedAt = new Date(rsa!.createdAt);
    const federation = buildFederation(deps, { kv, queue, keyPairs, publishedAt });
    const contextFor = () => federation.createContext(config.url, null);
    return {
      deps,
      database,
      federation,
      queue,
      kv,
      publishedAt,
      follows: followActions(deps, contextFor),
      offers: offersService(deps, contextFor),
      contextFor,
      close: () => {
        queue.close?.();
        database.close();
      },
    };
  } catch (error) {
    database.close();
    throw error;
  }
}
