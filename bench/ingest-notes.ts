/**
 * Mastodon-style Create(Note) ingest: posts that mention the pod (so it keeps them and notifies the
 * operator), written as Mastodon writes them — its JSON-LD context, a Linked Data Signature (RsaSignature2017)
 * in the body, and an HTTP signature (draft-cavage, rsa-sha256) by the same actor — POSTed to a real pod
 * process, 32 in flight, counted until every post is stored. Printed beside the raw RSA-2048 verify rate
 * measured in the same run.
 */
import { createHash, createSign, generateKeyPairSync, type KeyObject } from "node:crypto";
import { createServer } from "node:http";
import { join } from "node:path";
import Database from "better-sqlite3";
import { signJsonLd } from "@fedify/fedify";
import { freePort, startPod, waitUntil } from "../test/support/pod-process.ts";
import { rsaVerifyRate } from "./ingest.ts";
import { monotonicUs } from "./ingest-real.ts";
import { type Floors, measureFloors } from "./floor.ts";
import { cpuSecondsOf, type Delivery, replay } from "./replay.ts";

export interface NoteIngestResult {
  notes: number;
  warmUp: number;
  authors: number;
  concurrency: number;
  notesPerSecond: number;
  rsaVerifyPerSecond: number;
  podCpuMsPerNote: number;
  /** The measured stretch on the monotonic clock (µs), which CPU profiles' timestamps also use. */
  window: { startUs: number; endUs: number };
  /** The same posts to the least an inbox must do, and to HTTP alone (bench/floor.ts); null when skipped. */
  floor: Floors | null;
}

/** Mastodon's context for a Create (app/lib/activitypub/adapter.rb, 4.x). */
const MASTODON_CONTEXT = [
  "https://www.w3.org/ns/activitystreams",
  {
    ostatus: "http://ostatus.org#",
    atomUri: "ostatus:atomUri",
    inReplyToAtomUri: "ostatus:inReplyToAtomUri",
    conversation: "ostatus:conversation",
    sensitive: "as:sensitive",
    toot: "http://joinmastodon.org/ns#",
    votersCount: "toot:votersCount",
  },
];

interface Author {
  name: string;
  actorId: string;
  keyId: string;
  privateKey: KeyObject;
  publicKeyPem: string;
}

const sha256 = (body: Buffer) => createHash("sha256").update(body).digest("base64");

function signCavage(author: Author, url: URL, body: Buffer): Record<string, string> {
  const date = new Date().toUTCString();
  const digest = `SHA-256=${sha256(body)}`;
  const signingString = `(request-target): post ${url.pathname}\nhost: ${url.host}\ndate: ${date}\ndigest: ${digest}`;
  const signature = createSign("sha256").update(signingString).sign(author.privateKey, "base64");
  return {
    host: url.host,
    date,
    digest,
    "content-type": "application/activity+json",
    signature:
      `keyId="${author.keyId}",algorithm="rsa-sha256",headers="(request-target) host date ` +
      `digest",signature="${signature}"`,
  };
}

/** A Create(Note) as Mastodon 4 sends a public post that mentions `podActor`. */
function mastodonCreate(author: Author, i: number, podActor: string, podHandle: string) {
  const statusUrl = `${author.actorId}/statuses/${i}`;
  const published = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const content =
    `<p><span class="h-card" translate="no"><a href="${podActor}" class="u-url ` +
    `mention">@<span>pod</span></a></span> Is anyone still giving away apples? (${i})</p>`;
  const to = ["https://www.w3.org/ns/activitystreams#Public"];
  const cc = [`${author.actorId}/followers`, podActor];
  return {
    "@context": MASTODON_CONTEXT,
    id: `${statusUrl}/activity`,
    type: "Create",
    actor: author.actorId,
    published,
    to,
    cc,
    object: {
      id: statusUrl,
      type: "Note",
      summary: null,
      inReplyTo: null,
      published,
      url: `${author.actorId.replace("/users/", "/@")}/${i}`,
      attributedTo: author.actorId,
      to,
      cc,
      sensitive: false,
      atomUri: statusUrl,
      inReplyToAtomUri: null,
      conversation: `tag:127.0.0.1,2025:objectId=${i}:objectType=Conversation`,
      content,
      contentMap: { en: content },
      attachment: [],
      tag: [{ type: "Mention", href: podActor, name: podHandle }],
      replies: {
        id: `${statusUrl}/replies`,
        type: "Collection",
        first: {
          type: "CollectionPage",
          next: `${statusUrl}/replies?only_other_accounts=true&page=true`,
          partOf: `${statusUrl}/replies`,
          items: [],
        },
      },
    },
  };
}

export async function benchNoteIngest(options: {
  notes: number;
  authors: number;
  concurrency: number;
  /** Posts sent first and not measured: a pod's first thousand posts cost more (code still cold, tables small). */
  warmUp?: number;
  profileDir?: string;
  /** Also replay the posts to bench/floor.ts's two floors (after the pod, in the same run). */
  floor?: boolean;
}): Promise<NoteIngestResult> {
  const warmUp = options.warmUp ?? 1000;
  const rsaVerifyPerSecond = rsaVerifyRate();
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const authors: (Author & { cryptoKey: CryptoKey })[] = [];
  for (let i = 0; i < options.authors; i++) {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const actorId = `${origin}/users/m${i}`;
    const cryptoKey = await crypto.subtle.importKey(
      "pkcs8",
      privateKey.export({ type: "pkcs8", format: "der" }),
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      true, // Fedify's signer insists on an extractable key
      ["sign"],
    );
    const publicKeyPem = publicKey.export({ type: "spki", format: "pem" }).toString();
    authors.push({ name: `m${i}`, actorId, keyId: `${actorId}#main-key`, privateKey, publicKeyPem, cryptoKey });
  }
  const byPath = new Map(authors.map((a) => [new URL(a.actorId).pathname, a]));
  const server = createServer((request, response) => {
    const author = byPath.get((request.url ?? "").split("#")[0]!.split("?")[0]!);
    if (!author) return void response.writeHead(404).end();
    response.writeHead(200, { "content-type": "application/activity+json" });
    response.end(
      JSON.stringify({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        id: author.actorId,
        type: "Person",
        preferredUsername: author.name,
        name: `Mastodon user ${author.name}`,
        inbox: `${author.actorId}/inbox`,
        outbox: `${author.actorId}/outbox`,
        followers: `${author.actorId}/followers`,
        following: `${author.actorId}/following`,
        publicKey: { id: author.keyId, owner: author.actorId, publicKeyPem: author.publicKeyPem },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));

  const env: Record<string, string> = { LOG_LEVEL: "error" };
  if (options.profileDir) env.NODE_OPTIONS = `--cpu-prof --cpu-prof-interval=500 --cpu-prof-dir=${options.profileDir}`;
  const pod = await startPod("notes", env);
  try {
    const inbox = new URL(`${pod.url}/inbox`);
    const requests: Delivery[] = [];
    for (let i = 0; i < warmUp + options.notes; i++) {
      const author = authors[i % authors.length]!;
      const activity = mastodonCreate(author, i, pod.actorUrl, `@pod@${new URL(pod.url).host}`);
      const signed = await signJsonLd(activity, author.cryptoKey, new URL(author.keyId), {});
      const body = Buffer.from(JSON.stringify(signed));
      requests.push({ path: inbox.pathname, body, headers: signCavage(author, inbox, body) });
    }
    const db = new Database(join(pod.dataDir, "pod.sqlite"), { readonly: true });
    const stored = db.prepare("SELECT count(*) AS n FROM statuses WHERE iri LIKE ?");
    const count = () => (stored.get(`${origin}/%`) as { n: number }).n;

    const cpu = () => cpuSecondsOf(pod.pid());
    const sendAll = (batch: Delivery[]) => replay(inbox, batch, options.concurrency, pod.logs);
    await sendAll(requests.slice(0, warmUp));
    await waitUntil(() => count() >= warmUp, 300_000, 10);
    const cpuBefore = cpu();
    const startUs = monotonicUs();
    const started = performance.now();
    await sendAll(requests.slice(warmUp));
    await waitUntil(() => count() >= warmUp + options.notes, 300_000, 10);
    const seconds = (performance.now() - started) / 1000;
    const podCpuMsPerNote = ((cpu() - cpuBefore) * 1000) / options.notes;
    const window = { startUs, endUs: monotonicUs() };
    db.close();
    const result: NoteIngestResult = {
      notes: options.notes,
      warmUp,
      authors: options.authors,
      concurrency: options.concurrency,
      notesPerSecond: options.notes / seconds,
      rsaVerifyPerSecond,
      podCpuMsPerNote,
      window,
      floor: null,
    };
    // The floors run once the pod has stopped, with the same posts and their authors' keys.
    if (options.floor) {
      await pod.stop();
      result.floor = await measureFloors({
        warmUp: requests.slice(0, warmUp),
        measured: requests.slice(warmUp),
        keys: Object.fromEntries(authors.map((a) => [a.keyId, a.publicKeyPem])),
        host: inbox.host,
        concurrency: options.concurrency,
      });
    }
    return result;
  } finally {
    await pod.stop();
    server.close();
  }
}
