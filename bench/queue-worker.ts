// One queue worker process for bench/queue-postgres.ts: listens with a handler that does nothing, so the figure
// is the queue's own cost (claim, lease, delete). Prints "listening" once its listener runs.
import { openMigratedDatabase } from "../src/db/client.ts";
import { openPostgresPool } from "../src/db/postgres.ts";
import { PostgresMessageQueue } from "../src/federation/postgres-mq.ts";
import { SqliteMessageQueue } from "../src/federation/sqlite-mq.ts";

const [backend, target] = process.argv.slice(2);
const mq =
  backend === "postgres"
    ? new PostgresMessageQueue(openPostgresPool(target!, { max: 8 }))
    : new SqliteMessageQueue(openMigratedDatabase(target!));
void mq.listen(() => {});
process.stdout.write("listening\n");
process.on("SIGTERM", () => {
  mq.close();
  setTimeout(() => process.exit(0), 200).unref();
});
