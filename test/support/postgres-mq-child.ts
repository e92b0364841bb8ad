// A queue worker in its own process, for the SIGKILL test: it listens, reports each message it starts, and never
// finishes one, so only its death (and the lease running out) can free the message.
import { openPostgresPool } from "../../src/db/postgres.ts";
import { PostgresMessageQueue } from "../../src/federation/postgres-mq.ts";

const [url, leaseMs] = process.argv.slice(2);
const mq = new PostgresMessageQueue(openPostgresPool(url!), { leaseMs: Number(leaseMs), pollIntervalMs: 50 });
void mq.listen((message: { id: string }) => {
  process.stdout.write(`started ${message.id}\n`);
  return new Promise<void>(() => {});
});
process.stdout.write("listening\n");
