/**
 * Ingest throughput: signed Create(Proposal) activities from neighbor pods, POSTed to a real pod process
 * over HTTP with signature verification on, counted until every offer is in the pod's view. Printed
 * next to the raw RSA-2048 verification rate measured in the same run.
 */
import { createSign, createVerify, generateKeyPairSync, type KeyObject } from "node:crypto";
import { Agent, createServer, request as httpRequest } from "node:http";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import Database from "better-sqlite3";
import { Intent, Measure, Place, Proposal, PUBLIC_COLLECTION } from "@fedify/vocab";
import { parseDecimal } from "@fedify/vocab-runtime";
import { openMigratedDatabase } from "../src/db/client.ts";
import { toInstant } from "../src/federation/deps.ts";
import { PodCreate } from "../src/publishing/vocab.ts";
import { following } from "../src/follows/schema.ts";
import { freePort, waitUntil } from "../test/support/pod-process.ts";

export interface IngestResult {
  activities: number;
  neighbors: number;
  concurrency: number;
  acceptedPerSecond: number;
  ingestedPerSecond: number;
  rsaVerifyPerSecond: number;
  podPeakRssMb: number;
  /** The pod's RSS 10 s after the last activity reached the view. */
  podSettledRssMb: number;
  /** CPU time the pod spent per activity: what bounds throughput when the machine is saturated. */
  podCpuMsPerActivity: number;
  /** CPU the sending side (this process: HTTP client and progress polling) spent per activity. */
  senderCpuMsPerActivity: number;
}

/** Raw RSA-2048 (rsa-sha256) verifications per second on one core: the floor any inbox stands on. */
export function rsaVerifyRate(seconds = 1): number {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const data = Buffer.from("(request-target): post /inbox\nhost: pod.example\ndate: x\ndigest: SHA-256=y");
  const signature = createSign("sha256").update(data).sign(privateKey);
  let count = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) createVerify("sha256").update(data).verify(publicKey, signature);
    count += 100;
  }
  return count / seconds;
}

export interface Neighbor {
  name: string;
  actorId: string;
  keyId: string;
  privateKey: KeyObject;
  publicKeyPem: string;
}

function signCavage(neighbor: Neighbor, url: URL, body: string): Record<string, string> {
  const date = new Date().toUTCString();
  const digest = `SHA-256=${require_sha256(body)}`;
  const signingString = `(request-target): post ${url.pathname}\nhost: ${url.host}\ndate: ${date}\ndigest: ${digest}`;
  const signature = createSign("sha256").update(signingString).sign(neighbor.privateKey, "base64");
  return {
    host: url.host,
    date,
    digest,
    "content-type": "application/activity+json",
    signature:
      `keyId="${neighbor.keyId}",algorithm="rsa-sha256",headers="(request-target) host date ` +
      `digest",signature="${signature}"`,
  };
}

import { createHash } from "node:crypto";
import { podNodeFlags } from "../test/support/node-flags.ts";
const require_sha256 = (body: string) => createHash("sha256").update(body).digest("base64");
/** How long the pod is left idle before its RSS is read again (as `bench:memory` settles an idle pod). */
const SETTLE_MS = 10_000;

/**
 * `generic: true` adds one harmless inline term to each activity's context, so the pod's fast path
 * (which reads only the exact context this software writes) declines and Fedify's generic JSON-LD path
 * verifies and parses it — what activities from other software go through.
 */
export async function benchIngest(options: {
  activities: number;
  neighbors: number;
  concurrency: number;
  generic?: boolean;
}): Promise<IngestResult> {
  const rsaVerifyPerSecond = rsaVerifyRate();

  const { neighbors, server, fetches } = await startNeighbors(options.neighbors);
  // The pod under test, as its own process, already following every neighbor.
  const port = await freePort();
  const podUrl = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), "pod-bench-"));
  const setup = openMigratedDatabase(join(dataDir, "pod.sqlite"));
  const now = new Date().toISOString();
  for (const n of neighbors) {
    setup.db
      .insert(following)
      .values({
        actorIri: n.actorId,
        followIri: `${podUrl}/follows/${n.name}`,
        handle: null,
        inbox: `${n.actorId}/inbox`,
        sharedInbox: null,
        state: "accepted",
        createdAt: now,
        respondedAt: now,
      })
      .run();
  }
  setup.close();
  const pod = spawn(
    process.execPath,
    [
      ...(process.env.POD_BENCH_PROFILE
        ? ["--cpu-prof", "--cpu-prof-interval=200", `--cpu-prof-dir=${process.env.POD_BENCH_PROFILE}`]
        : []),
      // As `npm start` runs it: its flags and launcher (bin/loading.mjs: the compile cache, drizzle's CommonJS build).
      ...podNodeFlags(),
      new URL("../bin/start.mjs", import.meta.url).pathname,
    ],
    {
      env: {
        ...process.env,
        POD_URL: podUrl,
        PORT: String(port),
        DATA_DIR: dataDir,
        POD_ALLOW_PRIVATE_ADDRESS: "true",
        LOG_LEVEL: "error",
        POD_ADMIN_TOKEN: "bench-operator-token-0123456789abcdef",
      },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  await waitUntil(async () => (await fetch(`${podUrl}/healthz`).catch(() => null))?.ok === true, 90_000).catch(
    (error: unknown) => {
      pod.kill("SIGKILL"); // a pod that did not come up must not outlive the bench
      throw error;
    },
  );

  // Signed requests prepared before the clock starts: signing is the sender's cost, not the pod's.
  const inbox = new URL(`${podUrl}/inbox`);
  const requests = await signedProposals(neighbors, inbox, options.activities, now, options.generic === true);
  const viewDb = new Database(join(dataDir, "pod.sqlite"), { readonly: true });
  const countView = () => (viewDb.prepare("SELECT count(*) AS n FROM view_objects").get() as { n: number }).n;

  const cpuSeconds = () => {
    const fields = readFileSync(`/proc/${pod.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
  };
  const cpuBefore = cpuSeconds();
  const senderBefore = process.cpuUsage();
  const started = performance.now();
  const failures = await postConcurrently(inbox, requests, options.concurrency);
  const acceptedSeconds = (performance.now() - started) / 1000;
  await waitUntil(() => countView() >= options.activities, 600_000, 20);
  const ingestedSeconds = (performance.now() - started) / 1000;
  if (failures > 0) throw new Error(`${failures} deliveries were refused`);
  const podCpuMsPerActivity = ((cpuSeconds() - cpuBefore) * 1000) / options.activities;
  const sender = process.cpuUsage(senderBefore);
  const senderCpuMsPerActivity = (sender.user + sender.system) / 1000 / options.activities;

  if (process.env.POD_BENCH_PROFILE) console.error(`actor fetches: ${fetches()}`);
  const statusMb = (field: "VmHWM" | "VmRSS") =>
    Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pod.pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
  const podPeakRssMb = statusMb("VmHWM");
  // What the pod keeps once the work is over (V8 gives back what it collected when the process is idle).
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const podSettledRssMb = statusMb("VmRSS");
  viewDb.close();
  pod.kill("SIGTERM");
  await new Promise((resolve) => pod.once("exit", resolve));
  server.close();
  rmSync(dataDir, { recursive: true, force: true });
  return {
    activities: options.activities,
    neighbors: options.neighbors,
    concurrency: options.concurrency,
    acceptedPerSecond: options.activities / acceptedSeconds,
    ingestedPerSecond: options.activities / ingestedSeconds,
    rsaVerifyPerSecond,
    podPeakRssMb,
    podSettledRssMb,
    podCpuMsPerActivity,
    senderCpuMsPerActivity,
  };
}

export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

/** Neighbor pods: actors with RSA-2048 keys, served by a small server in this process. */
export async function startNeighbors(count: number): Promise<{
  neighbors: Neighbor[];
  server: ReturnType<typeof createServer>;
  fetches: () => number;
}> {
  const neighborPort = await freePort();
  const origin = `http://127.0.0.1:${neighborPort}`;
  const neighbors: Neighbor[] = Array.from({ length: count }, (_, i) => {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const actorId = `${origin}/pods/n${i}`;
    return {
      name: `n${i}`,
      actorId,
      keyId: `${actorId}#main-key`,
      privateKey,
      publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    };
  });
  const byPath = new Map(neighbors.map((n) => [new URL(n.actorId).pathname, n]));
  let actorFetches = 0;
  const server = createServer((request, response) => {
    actorFetches++;
    const neighbor = byPath.get((request.url ?? "").split("#")[0]!.split("?")[0]!);
    if (!neighbor) return void response.writeHead(404).end();
    response.writeHead(200, { "content-type": "application/activity+json" });
    response.end(
      JSON.stringify({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        id: neighbor.actorId,
        type: "Group",
        preferredUsername: neighbor.name,
        name: `Neighbor ${neighbor.name}`,
        inbox: `${neighbor.actorId}/inbox`,
        publicKey: { id: neighbor.keyId, owner: neighbor.actorId, publicKeyPem: neighbor.publicKeyPem },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(neighborPort, "127.0.0.1", resolve));

  return { neighbors, server, fetches: () => actorFetches };
}

/**
 * Create(Proposal) activities exactly as pods of this software write them (PodCreate's context), signed for
 * `inbox`, round-robin over the neighbors. `generic` adds one harmless inline term to each activity's context,
 * so the pod's fast path declines and Fedify's generic JSON-LD path verifies and parses it.
 */
export async function signedProposals(
  neighbors: Neighbor[],
  inbox: URL,
  count: number,
  now: string,
  generic = false,
  prefix = "",
): Promise<SignedRequest[]> {
  // Bodies exactly as pods of this software write them (PodCreate's context), so the run measures what
  // neighbor pods really send.
  const requests: SignedRequest[] = [];
  for (let i = 0; i < count; i++) {
    const neighbor = neighbors[i % neighbors.length]!;
    const id = new URL(`${neighbor.actorId}/offers/${prefix}${i}`);
    const create = new PodCreate({
      id: new URL(`${id.href}#create`),
      actor: new URL(neighbor.actorId),
      to: PUBLIC_COLLECTION,
      object: new Proposal({
        id,
        attribution: new URL(neighbor.actorId),
        name: `Offer ${i}`,
        summary: `Offer ${i} from ${neighbor.name}`,
        content: "<p>Fresh from the allotments.</p>",
        purpose: "offer",
        published: toInstant(new Date(now)),
        publishes: new Intent({
          action: "transfer",
          resourceConformsTo: new URL("https://w3id.org/pods/categories/food"),
          resourceQuantity: new Measure({ unit: "kg", numericalValue: parseDecimal("10") }),
          availableQuantity: new Measure({ unit: "kg", numericalValue: parseDecimal("10") }),
        }),
        location: new Place({ name: "Riverside", latitude: 51.5, longitude: -0.1 }),
      }),
    });
    const json = (await create.toJsonLd({ format: "compact" })) as { "@context": unknown[] };
    if (generic) json["@context"] = [...json["@context"], { benchRun: "https://bench.example/ns#run" }];
    const body = JSON.stringify(json);
    requests.push({ body, headers: signCavage(neighbor, inbox, body) });
  }

  return requests;
}

/** POSTs every request to `url` with `concurrency` keep-alive connections; how many were not answered 202. */
export async function postConcurrently(url: URL, requests: SignedRequest[], concurrency: number): Promise<number> {
  let next = 0;
  let failures = 0;
  // A keep-alive node:http client: lighter than fetch, so the sender takes less of the shared 2 cores.
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const post = (request: { body: string; headers: Record<string, string> }) =>
    new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        url,
        { method: "POST", agent, headers: { ...request.headers, "content-length": Buffer.byteLength(request.body) } },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      req.end(request.body);
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests.length) {
        if ((await post(requests[next++]!)) !== 202) failures++;
      }
    }),
  );
  agent.destroy();
  return failures;
}
