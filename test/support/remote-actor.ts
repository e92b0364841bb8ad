import { generateKeyPairSync } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  genRFC3230DigestHeader,
  signAsDraftToRequest,
  type RequestLike,
} from "@misskey-dev/node-http-message-signatures";

/** One request the remote actor's server received, kept byte for byte. */
export interface ReceivedRequest {
  method: string;
  /** The request target as sent (path and query). */
  url: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
  receivedAt: number;
}

/**
 * A tiny ActivityPub actor written independently of the pod (no Fedify): a `Person` document with an
 * RSA-2048 key, and an inbox that answers 202 and records every POST.
 */
export interface RemoteActor {
  origin: string;
  actorId: string;
  keyId: string;
  inboxUrl: string;
  publicKeyPem: string;
  privateKeyPem: string;
  /** Every POST received by the inbox, in order. */
  inbox: ReceivedRequest[];
  /** Every GET received (actor/key fetches), in order. */
  gets: ReceivedRequest[];
  /** From now on the actor answers 410 Gone with a Tombstone (the account was deleted). */
  leave(): void;
  close(): Promise<void>;
}

export interface RemoteActorOptions {
  /** The actor's type and display name (a Person named "Remote <username>" by default). */
  type?: string;
  name?: string;
  /** Extra properties of the actor document, given the actor's id (e.g. `streams`). */
  actorFields?: (actorId: string) => Record<string, unknown>;
  /** Other documents this server serves (GET/HEAD), looked up by URL; undefined is a 404. */
  serve?: (url: URL) => unknown;
  /** Answers a GET with this status (and no body) instead, when it returns one: outages of the actor or key. */
  failGet?: (url: URL) => number | undefined;
  /** The loopback address to listen on (another than the pod's gives the actor a domain of its own). */
  host?: string;
  /** Runs (and is awaited) before a GET or HEAD is answered: something that lands while the pod reads. */
  beforeGet?: (url: URL) => void | Promise<void>;
}

export async function startRemoteActor(username: string, options: RemoteActorOptions = {}): Promise<RemoteActor> {
  const { publicKey: publicKeyPem, privateKey: privateKeyPem } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  const inbox: ReceivedRequest[] = [];
  const gets: ReceivedRequest[] = [];
  const actorPath = `/users/${username}`;
  const inboxPath = `${actorPath}/inbox`;
  let origin = "";
  let gone = false;

  const actorDocument = () => {
    const actorId = `${origin}${actorPath}`;
    return {
      "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
      id: actorId,
      type: options.type ?? "Person",
      preferredUsername: username,
      name: options.name ?? `Remote ${username}`,
      inbox: `${origin}${inboxPath}`,
      outbox: `${actorId}/outbox`,
      followers: `${actorId}/followers`,
      following: `${actorId}/following`,
      ...options.actorFields?.(actorId),
      publicKey: { id: `${actorId}#main-key`, owner: actorId, publicKeyPem },
    };
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const record: ReceivedRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks),
        receivedAt: Date.now(),
      };
      const reading = req.method === "GET" || req.method === "HEAD";
      const before = reading ? options.beforeGet?.(new URL(req.url ?? "/", origin)) : undefined;
      if (before)
        void before.then(
          () => answer(record),
          () => res.writeHead(500).end(),
        );
      else answer(record);
    });
    const answer = (record: ReceivedRequest) => {
      const path = (req.url ?? "").split("?")[0];
      const failure = req.method === "GET" ? options.failGet?.(new URL(req.url ?? "/", origin)) : undefined;
      if (failure !== undefined) {
        gets.push(record);
        res.writeHead(failure, { "content-type": "text/plain" }).end("unavailable");
        return;
      }
      if (req.method === "POST" && path === inboxPath) {
        inbox.push(record);
        res.writeHead(202).end();
        return;
      }
      if ((req.method === "GET" || req.method === "HEAD") && path === actorPath && gone) {
        gets.push(record);
        const tombstone = {
          "@context": "https://www.w3.org/ns/activitystreams",
          id: `${origin}${actorPath}`,
          type: "Tombstone",
        };
        res.writeHead(410, { "content-type": "application/activity+json" });
        res.end(req.method === "HEAD" ? undefined : JSON.stringify(tombstone));
        return;
      }
      if ((req.method === "GET" || req.method === "HEAD") && path === actorPath) {
        gets.push(record);
        res.writeHead(200, { "content-type": "application/activity+json" });
        res.end(req.method === "HEAD" ? undefined : JSON.stringify(actorDocument()));
        return;
      }
      gets.push(record);
      const served =
        req.method === "GET" || req.method === "HEAD" ? options.serve?.(new URL(req.url ?? "/", origin)) : undefined;
      if (served !== undefined) {
        res.writeHead(200, { "content-type": "application/activity+json" });
        res.end(req.method === "HEAD" ? undefined : JSON.stringify(served));
        return;
      }
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    };
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, options.host ?? "127.0.0.1", () => resolve());
  });
  origin = `http://${options.host ?? "127.0.0.1"}:${(server.address() as AddressInfo).port}`;
  const actorId = `${origin}${actorPath}`;

  return {
    origin,
    actorId,
    keyId: `${actorId}#main-key`,
    inboxUrl: `${origin}${inboxPath}`,
    publicKeyPem,
    privateKeyPem,
    inbox,
    gets,
    leave: () => {
      gone = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A POST prepared the way Mastodon prepares one: exact body bytes plus the headers to send. */
/**
 * Another account on a remote actor's server, with a key of its own: `serves` answers its actor document (put it
 * in the server's `serve`), and `on(server)` is the account as a signer once that server is up.
 */
export function sameServerAccount(username: string, type = "Person") {
  const keys = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  const path = `/users/${username}`;
  return {
    /** Its actor document when `url` is its id, else undefined. */
    serves: (url: URL) =>
      url.pathname === path
        ? {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            id: url.href,
            type,
            preferredUsername: username,
            inbox: `${url.href}/inbox`,
            publicKey: { id: `${url.href}#main-key`, owner: url.href, publicKeyPem: keys.publicKey },
          }
        : undefined,
    on: (server: RemoteActor): RemoteActor => {
      const actorId = `${server.origin}${path}`;
      return {
        ...server,
        actorId,
        keyId: `${actorId}#main-key`,
        inboxUrl: `${actorId}/inbox`,
        publicKeyPem: keys.publicKey,
        privateKeyPem: keys.privateKey,
      };
    },
  };
}

export interface SignedPost {
  url: string;
  body: Buffer;
  headers: Record<string, string>;
  /** The draft-cavage signing string the signature covers. */
  signingString: string;
}

/** The header set Mastodon signs an inbox delivery with (draft-cavage-http-signatures-12). */
export const MASTODON_SIGNED_HEADERS = ["(request-target)", "host", "date", "digest"];

/**
 * Signs a POST of `activity` to `url` as Mastodon does — Date, Digest `SHA-256=<base64>`, Host,
 * `Signature: keyId=…,algorithm="rsa-sha256",headers="(request-target) host date digest",signature=…` —
 * using @misskey-dev/node-http-message-signatures (not Fedify).
 */
export async function signMastodonStyle(
  actor: Pick<RemoteActor, "keyId" | "privateKeyPem">,
  url: string,
  activity: unknown,
): Promise<SignedPost> {
  // Exact bytes may be given (bodies JSON.stringify cannot write, such as 10,000 levels deep).
  const body = Buffer.from(Buffer.isBuffer(activity) ? activity.toString("utf8") : JSON.stringify(activity), "utf8");
  const target = new URL(url);
  const request: RequestLike = {
    url: target.href,
    method: "POST",
    headers: {
      Host: target.host,
      Date: new Date().toUTCString(),
      Digest: await genRFC3230DigestHeader(body, "SHA-256"),
      "Content-Type": "application/activity+json",
      Accept: "application/activity+json",
    },
  };
  const { signingString } = await signAsDraftToRequest(
    request,
    { keyId: actor.keyId, privateKeyPem: actor.privateKeyPem },
    MASTODON_SIGNED_HEADERS,
    { hash: "SHA-256", ec: "DSA" },
  );
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && value !== null) headers[name] = String(value);
  }
  return { url: target.href, body, headers, signingString };
}

/** The actor asks to follow `actorUrl` (a pod's actor), signed as Mastodon signs, at `inboxUrl`. */
export async function sendFollow(actor: RemoteActor, actorUrl: string, inboxUrl = `${actorUrl}/inbox`) {
  const follow = {
    "@context": "https://www.w3.org/ns/activitystreams",
    id: `${actor.actorId}#follow`,
    type: "Follow",
    actor: actor.actorId,
    object: actorUrl,
  };
  return postRaw(await signMastodonStyle(actor, inboxUrl, follow));
}

/** POSTs prepared bytes and headers with global fetch. */
export async function postRaw(post: { url: string; body: Buffer; headers: Record<string, string> }): Promise<Response> {
  return fetch(post.url, { method: "POST", headers: post.headers, body: new Uint8Array(post.body) });
}

/** The headers of a GET of `url` signed as the actor (draft-cavage over (request-target), host and date). */
export async function signedGetHeaders(
  actor: Pick<RemoteActor, "keyId" | "privateKeyPem">,
  url: string,
  accept = "application/activity+json",
): Promise<Record<string, string>> {
  const target = new URL(url);
  const request: RequestLike = {
    url: target.href,
    method: "GET",
    headers: { Host: target.host, Date: new Date().toUTCString(), Accept: accept },
  };
  await signAsDraftToRequest(
    request,
    { keyId: actor.keyId, privateKeyPem: actor.privateKeyPem },
    ["(request-target)", "host", "date"],
    { hash: "SHA-256", ec: "DSA" },
  );
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
  }
  return headers;
}

/** GETs `url` signed as the actor (an authorized fetch). */
export async function signedGet(
  actor: Pick<RemoteActor, "keyId" | "privateKeyPem">,
  url: string,
  accept?: string,
): Promise<Response> {
  return fetch(url, { headers: await signedGetHeaders(actor, url, accept) });
}
