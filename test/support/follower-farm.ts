import { generateKeyPair } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import {
  parseRequestSignature,
  verifyDigestHeader,
  verifyDraftSignature,
  type RequestLike,
} from "@misskey-dev/node-http-message-signatures";
import { MASTODON_SIGNED_HEADERS, postRaw, signMastodonStyle } from "./remote-actor.ts";

/**
 * Many small ActivityPub servers in the test process, one per loopback address (127.0.1.1, 127.0.1.2, …),
 * each with several actors. Written without Fedify: actors have real RSA keys and follow with signed
 * requests; inboxes verify the sender's draft-cavage signature and Digest with
 * @misskey-dev/node-http-message-signatures before counting a delivery.
 */

/** How a host's inboxes answer: verify and 202, never answer, or 500. */
export type InboxMode = "accept" | "hang" | "fail";

export interface FarmActor {
  id: string;
  keyId: string;
  inbox: string;
}

/** One POST that passed signature and digest verification. */
export interface Delivery {
  /** The inbox URL it was posted to. */
  inbox: string;
  activityId: string;
  type: string;
  receivedAt: number;
}

export interface FarmHost {
  ip: string;
  origin: string;
  /** Whether its actors advertise a shared inbox (`endpoints.sharedInbox`, at `/inbox`). */
  sharedInbox: boolean;
  mode: InboxMode;
  actors: FarmActor[];
  deliveries: Delivery[];
  /** POSTs whose signature or digest did not verify (answered 401). */
  refused: { inbox: string; reason: string }[];
  /** POSTs to its inboxes, whatever the answer. */
  posts: number;
  /** POSTs left hanging (mode "hang"). */
  hung: number;
  /** Stops listening: its port then refuses connections. */
  close(): Promise<void>;
}

export interface FarmOptions {
  hosts: number;
  actorsPerHost: number;
  /** Hosts (by index) whose actors have no shared inbox. */
  withoutSharedInbox?: (index: number) => boolean;
}

export interface Farm {
  hosts: FarmHost[];
  /** The key every inbox verifies signatures against (the pod's, as its actor document publishes it). */
  trust(keyId: string, publicKeyPem: string): void;
  /** Signs `activity` as `actor` the way Mastodon does and POSTs it to `url`. */
  post(actor: FarmActor, url: string, activity: unknown): Promise<Response>;
  close(): Promise<void>;
}

const generateRsa = promisify(generateKeyPair);

export async function startFarm(options: FarmOptions): Promise<Farm> {
  const trusted = new Map<string, string>();
  const privateKeys = new Map<string, string>();
  const hosts: FarmHost[] = [];
  for (let index = 0; index < options.hosts; index++) {
    const { publicKey, privateKey } = await generateRsa("rsa", {
      modulusLength: 2048,
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
    });
    const host = await startHost(
      `127.0.1.${index + 1}`,
      options.actorsPerHost,
      !options.withoutSharedInbox?.(index),
      publicKey,
      trusted,
    );
    for (const actor of host.actors) privateKeys.set(actor.keyId, privateKey);
    hosts.push(host);
  }
  return {
    hosts,
    trust: (keyId, pem) => void trusted.set(keyId, pem),
    async post(actor, url, activity) {
      return postRaw(
        await signMastodonStyle({ keyId: actor.keyId, privateKeyPem: privateKeys.get(actor.keyId)! }, url, activity),
      );
    },
    close: async () => void (await Promise.all(hosts.map((host) => host.close()))),
  };
}

async function startHost(
  ip: string,
  actorCount: number,
  sharedInbox: boolean,
  publicKeyPem: string,
  trusted: Map<string, string>,
): Promise<FarmHost> {
  let origin = "";
  const actorDocument = (name: string) => {
    const id = `${origin}/users/${name}`;
    return {
      "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
      id,
      type: "Person",
      preferredUsername: name,
      inbox: `${id}/inbox`,
      outbox: `${id}/outbox`,
      followers: `${id}/followers`,
      ...(sharedInbox ? { endpoints: { sharedInbox: `${origin}/inbox` } } : {}),
      publicKey: { id: `${id}#main-key`, owner: id, publicKeyPem },
    };
  };
  const names = Array.from({ length: actorCount }, (_, i) => `u${i}`);
  const inboxPaths = new Set(["/inbox", ...names.map((name) => `/users/${name}/inbox`)]);

  const host: FarmHost = {
    ip,
    origin: "",
    sharedInbox,
    mode: "accept",
    actors: [],
    deliveries: [],
    refused: [],
    posts: 0,
    hung: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const receive = async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const path = (req.url ?? "").split("?")[0]!;
    if (req.method === "GET" && path.startsWith("/users/") && names.includes(path.slice("/users/".length))) {
      res.writeHead(200, { "content-type": "application/activity+json" });
      res.end(JSON.stringify(actorDocument(path.slice("/users/".length))));
      return;
    }
    if (req.method !== "POST" || !inboxPaths.has(path)) {
      res.writeHead(404).end();
      return;
    }
    host.posts++;
    if (host.mode === "hang") {
      host.hung++;
      return; // never answered; the connection stays open until the sender gives up
    }
    if (host.mode === "fail") {
      res.writeHead(500).end("failing on purpose");
      return;
    }
    const inbox = `${origin}${path}`;
    const refusal = await verify(req, body, trusted);
    if (refusal) {
      host.refused.push({ inbox, reason: refusal });
      res.writeHead(401).end(refusal);
      return;
    }
    const activity = JSON.parse(body.toString("utf8")) as { id?: string; type?: string };
    host.deliveries.push({
      inbox,
      activityId: String(activity.id),
      type: String(activity.type),
      receivedAt: Date.now(),
    });
    res.writeHead(202).end();
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      receive(req, res, Buffer.concat(chunks)).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500).end(String(error));
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, ip, () => resolve());
  });
  origin = `http://${ip}:${(server.address() as AddressInfo).port}`;
  host.origin = origin;
  host.actors = names.map((name) => ({
    id: `${origin}/users/${name}`,
    keyId: `${origin}/users/${name}#main-key`,
    inbox: `${origin}/users/${name}/inbox`,
  }));
  return host;
}

/** Why a POST's signature or digest does not verify against a trusted key, or null when it does. */
async function verify(req: IncomingMessage, body: Buffer, trusted: Map<string, string>): Promise<string | null> {
  const request: RequestLike = { method: req.method!, url: req.url!, headers: req.headers };
  try {
    const parsed = parseRequestSignature(request, { requiredComponents: { draft: MASTODON_SIGNED_HEADERS } });
    if (parsed.version !== "draft") return `unexpected signature version ${parsed.version}`;
    const pem = trusted.get(parsed.value.keyId);
    if (!pem) return `untrusted key ${parsed.value.keyId}`;
    if (!(await verifyDraftSignature(parsed.value, pem))) return "signature does not verify";
    if (!(await verifyDigestHeader(request, new Uint8Array(body)))) return "digest does not match the body";
    return null;
  } catch (error) {
    return `unparseable signature: ${String(error)}`;
  }
}
