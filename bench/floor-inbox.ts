/**
 * The least an inbox must do for a delivery, as a baseline for the ingest benches: a process of its own that
 * serves POST /…/inbox on node:http, checks the host and the Date, the SHA-256 digest of the exact bytes and the
 * draft-cavage RSA signature with the sender's key (given, never fetched), parses the JSON, and upserts the
 * object (newer version only) and the activity's id into a SQLite file, deliveries that arrive together in one
 * transaction, answering 202 after the commit. No Fastify, no Fedify, no ORM, nothing of what a pod checks or
 * keeps beyond that. `FLOOR_MODE=http` answers 202 once the body is read, and does nothing else.
 *
 *   HOST_HEADER=host:port KEYS=file DB=file [FLOOR_MODE=inbox|http] [FLOOR_PORT=port] [FLOOR_SHARED=1]
 *     node bench/floor-inbox.ts
 *
 * KEYS is a JSON file of the senders' keys: { keyId: PEM }. It listens on a free loopback port and prints it
 * ("listening PORT"). With FLOOR_SHARED=1 several of these processes share one port and one database: each
 * listens with SO_REUSEPORT (Linux; the kernel spreads connections over them), the ones after the first given the
 * first's port as FLOOR_PORT. `bench/floor.ts` starts them and measures them.
 */
import { createHash, createPublicKey, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import Database from "better-sqlite3";

const mode = process.env.FLOOR_MODE ?? "inbox";
const expectedHost = process.env.HOST_HEADER!;
const keys = new Map(
  Object.entries(JSON.parse(readFileSync(process.env.KEYS!, "utf8")) as Record<string, string>).map(([id, pem]) => [
    id,
    createPublicKey(pem),
  ]),
);
const shared = process.env.FLOOR_SHARED === "1";
const db = new Database(process.env.DB!);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL");
// Shared, another process's commit holds the write lock for a moment. SQLite's own wait sleeps a millisecond or
// more, and this whole process with it: the commit is tried again on the next turn of the event loop instead.
if (shared) db.pragma("busy_timeout = 0");
db.exec(`CREATE TABLE IF NOT EXISTS objects (iri TEXT PRIMARY KEY, version TEXT NOT NULL, body TEXT NOT NULL);
         CREATE TABLE IF NOT EXISTS received (activity_iri TEXT PRIMARY KEY, actor_iri TEXT NOT NULL)`);
const upsert = db.prepare(`INSERT INTO objects (iri, version, body) VALUES (?, ?, ?)
  ON CONFLICT (iri) DO UPDATE SET version = excluded.version, body = excluded.body WHERE excluded.version > version`);
const receive = db.prepare("INSERT INTO received (activity_iri, actor_iri) VALUES (?, ?) ON CONFLICT DO NOTHING");

interface Pending {
  activity: string;
  actor: string;
  object: string;
  version: string;
  body: string;
  response: ServerResponse;
}
let pending: Pending[] = [];
const commit = db.transaction((batch: Pending[]) => {
  for (const p of batch) if (receive.run(p.activity, p.actor).changes > 0) upsert.run(p.object, p.version, p.body);
});
function flush() {
  const batch = pending;
  pending = [];
  let status = 202;
  try {
    // BEGIN IMMEDIATE: the write lock is taken first or not at all, so a busy database has done nothing.
    commit.immediate(batch);
  } catch (error) {
    if (shared && (error as { code?: string }).code === "SQLITE_BUSY") {
      if (pending.length === 0) setImmediate(flush);
      pending = batch.concat(pending);
      return;
    }
    process.stderr.write(`commit failed: ${error}\n`);
    status = 500;
  }
  for (const p of batch) p.response.writeHead(status).end();
}

/** What a signature must cover, as the pod requires: else a body or target could be changed under it. */
const COVERED = ["(request-target)", "host", "date", "digest"];
const refuse = (response: ServerResponse, status: number) => response.writeHead(status).end();

function handle(request: IncomingMessage, response: ServerResponse, body: Buffer) {
  if (mode === "http") return void response.writeHead(202).end();
  const headers = request.headers;
  if (headers.host !== expectedHost) return refuse(response, 401);
  const date = Date.parse(headers.date ?? "");
  if (!(Math.abs(Date.now() - date) < 3_600_000)) return refuse(response, 401);
  const digest = `SHA-256=${createHash("sha256").update(body).digest("base64")}`;
  if (headers.digest !== digest) return refuse(response, 401);
  const params = new Map<string, string>();
  for (const match of String(headers.signature ?? "").matchAll(/(\w+)="([^"]*)"/g)) params.set(match[1]!, match[2]!);
  const signed = (params.get("headers") ?? "").split(" ");
  if (!COVERED.every((name) => signed.includes(name))) return refuse(response, 401);
  const lines = signed.map((name) =>
    name === "(request-target)" ? `(request-target): post ${request.url}` : `${name}: ${headers[name] ?? ""}`,
  );
  const key = keys.get(params.get("keyId") ?? "");
  const signature = Buffer.from(params.get("signature") ?? "", "base64");
  if (!key || !verify("sha256", Buffer.from(lines.join("\n")), key, signature)) return refuse(response, 401);
  const text = body.toString("utf8");
  const activity = JSON.parse(text) as {
    id: string;
    actor: string;
    object: { id: string; updated?: string; published?: string };
  };
  // The key, the activity and its object must be the actor's (here: on its origin), else anyone's would do.
  const origin = `${new URL(activity.actor).origin}/`;
  const object = activity.object;
  if (![params.get("keyId") ?? "", activity.id, object.id].every((iri) => iri.startsWith(origin)))
    return refuse(response, 401);
  pending.push({
    activity: activity.id,
    actor: activity.actor,
    object: object.id,
    version: object.updated ?? object.published ?? "",
    body: JSON.stringify(object),
    response,
  });
  if (pending.length === 1) setImmediate(flush);
}

const server = createServer({ keepAliveTimeout: 60_000 }, (request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    try {
      handle(request, response, Buffer.concat(chunks));
    } catch {
      refuse(response, 400);
    }
  });
});
server.listen({ port: Number(process.env.FLOOR_PORT ?? 0), host: "127.0.0.1", reusePort: shared }, () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(`listening ${port}\n`);
});
process.on("SIGTERM", () => {
  server.close();
  db.close();
  process.exit(0);
});
