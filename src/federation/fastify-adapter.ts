import type { IncomingHttpHeaders } from "node:http";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Context, KvStore } from "@fedify/fedify";
import type { PodDeps, PodFederation } from "./deps.ts";
import { problemFor, sendProblem } from "../http/problem.ts";
import { iriOf, type Concern } from "./inbox-concern.ts";
import { FetchBudgetExceeded, withinInboxScope } from "./inbox-scope.ts";
import {
  signatureGuard,
  SignatureRefusal,
  type HeaderReader,
  type InboxRequest,
  type VerifiedInbox,
} from "./signature-guard.ts";
import { prebuiltDocuments } from "./prebuilt-documents.ts";

const INBOX_ROUTES = ["/users/:identifier/inbox", "/inbox"];
const ACTIVITY_TYPES = /^application\/(activity\+json|ld\+json|json)\s*(;|$)/i;

/** Handles a verified inbox POST itself and returns true, or returns false to leave it to Fedify. */
export type InboxFastPath = (verified: VerifiedInbox) => Promise<boolean>;

/** Fast paths tried in turn; the first that takes the delivery handles it. */
export function eitherFastPath(...paths: InboxFastPath[]): InboxFastPath {
  return async (verified) => {
    for (const path of paths) if (await path(verified)) return true;
    return false;
  };
}

/** What the inbox keeps of an activity it does not read further (see inbox-concern.ts). */
export interface UnconcernedReceipt {
  activityIri: string;
  type: string;
  actorIri: string;
  objectIri: string | null;
  objectType: string | null;
}

export interface InboxParts {
  kv: KvStore;
  concernsPod: (activity: Record<string, unknown>, actorIri: string) => Concern | null | Promise<Concern | null>;
  recordUnconcerned: (receipt: UnconcernedReceipt) => Promise<void>;
  fastPath?: InboxFastPath;
  /** Blocked servers and accounts (moderation): their deliveries get 403, nothing of them is read. */
  refusesSender?: (iri: string) => boolean;
}

/** Fedify's own paths that answer whatever the Accept header says (WebFinger, NodeInfo and its discovery). */
const ANY_ACCEPT_PATHS = /^\/(?:\.well-known\/|nodeinfo\/)/;

/**
 * Whether Fedify could answer a read: its actor, object and collection dispatchers answer only an Accept header
 * that names JSON (Fedify's acceptsJsonLd; no header means any type, which is not JSON to it), so a browser's page, a feed or a CSV skips building a Web Request
 * for Fedify to turn away.
 */
function fedifyMayAnswer(request: FastifyRequest): boolean {
  return /json/i.test(request.headers.accept ?? "") || ANY_ACCEPT_PATHS.test(request.url);
}

/** The key named by a request's signature, read cheaply to turn a blocked server away before verifying. */
const KEY_ID = /keyid="([^"]{1,2048})"/i;

/**
 * Mounts Fedify inside Fastify. Reads (GET/HEAD) go to Fedify first and fall through to Fastify's own
 * routes when Fedify has no such path or the client did not ask for ActivityPub (so one URL serves AP
 * JSON and HTML). Inbox POSTs get their raw bytes untouched, since re-serialised JSON breaks the Digest;
 * each passes the signature guard (signature-guard.ts) before the fast path or Fedify reads it.
 */
export function mountFederation(
  app: FastifyInstance,
  federation: PodFederation,
  deps: PodDeps,
  parts: InboxParts,
): { signedRequester: (request: FastifyRequest) => Promise<string | null> } {
  const { config } = deps;
  const origin = config.url;
  let context: Context<null> | undefined;
  const loaders = () => (context ??= federation.createContext(origin, null));
  const guard = signatureGuard({ origin, kv: parts.kv, loaders });

  app.addHook("onRequest", async (request, reply) => {
    if (request.method !== "GET" && request.method !== "HEAD") return;
    if (!fedifyMayAnswer(request)) return;
    const fallthrough = new Response(null, { status: 404 });
    const fedifyAnswer = async (req: FastifyRequest) => {
      const response = await federation.fetch(toWebRequest(req, origin), {
        contextData: null,
        onNotFound: () => fallthrough,
        onNotAcceptable: () => fallthrough,
      });
      return response === fallthrough ? null : response;
    };
    if (await prebuiltDocuments(federation).answer(request, reply, fedifyAnswer)) return reply;
    const response = await fedifyAnswer(request);
    if (response === null) return;
    return sendWebResponse(reply, response);
  });

  app.register(async (inbox) => {
    inbox.removeAllContentTypeParsers();
    const raw = { parseAs: "buffer" as const, bodyLimit: config.maxBodyBytes };
    inbox.addContentTypeParser("*", raw, (_request, body, done) => done(null, body));
    for (const url of INBOX_ROUTES) {
      inbox.post(url, { schema: { hide: true } }, async (request, reply) => {
        const refuse = (status: number, detail: string, field?: string) => {
          request.log.info({ status, reason: detail }, "inbox delivery refused");
          return sendProblem(reply, problemFor(status, detail, field));
        };
        const identifier = (request.params as { identifier?: string }).identifier;
        if (identifier !== undefined && identifier !== config.handle) {
          return refuse(404, `no actor ${identifier} here`, "identifier");
        }
        const contentType = request.headers["content-type"] ?? "";
        if (!ACTIVITY_TYPES.test(contentType)) {
          return refuse(415, "inbox accepts application/activity+json or application/ld+json", "content-type");
        }
        const refusesSender = parts.refusesSender ?? (() => false);
        const keyId = KEY_ID.exec(`${request.headers.signature ?? ""} ${request.headers["signature-input"] ?? ""}`);
        if (keyId && refusesSender(keyId[1]!)) return refuse(403, "this pod does not accept deliveries from you");
        const body = request.body as Buffer;
        const inboxRequest = lazyWebRequest(request, origin, body);
        let verified: VerifiedInbox;
        try {
          verified = await guard(inboxRequest, body);
        } catch (error) {
          if (error instanceof SignatureRefusal) return refuse(error.status, error.message, error.field);
          throw error;
        }
        const { activity, actorIri } = verified;
        if (refusesSender(actorIri)) return refuse(403, "this pod does not accept deliveries from you");
        const asked = parts.concernsPod(activity, actorIri);
        const concern = asked instanceof Promise ? await asked : asked;
        if (!concern) {
          await parts.recordUnconcerned(receiptOf(activity, actorIri));
          request.log.debug({ activity: activity.id, actor: actorIri }, "inbox activity does not concern the pod");
          return reply.code(202).send();
        }
        verified.senderFollowed = concern.senderFollowed;
        // A failure after the fast path took the activity is a 5xx (the sender retries); it is not handed
        // to Fedify's path, which would handle it a second time.
        if (parts.fastPath && (await parts.fastPath(verified))) return reply.code(202).send();
        // Tests and the ingest bench count these lines: an offer from a pod must never take this path.
        request.log.debug({ activity: activity.id, type: activity.type }, "inbox generic path");
        let response: Response;
        try {
          const request = withoutBodySignatures(inboxRequest, activity);
          response = await withinInboxScope(actorIri, () => federation.fetch(request, { contextData: null }));
        } catch (error) {
          if (!isUnreadable(error)) throw error;
          return refuse(400, `the activity could not be read as JSON-LD (${(error as Error).name})`, "body");
        }
        if (response.status >= 400) return refuse(response.status, (await response.text()).trim() || "refused");
        return sendWebResponse(reply, response);
      });
    }
  });
  return {
    signedRequester: (request) =>
      guard.signer({
        method: request.method,
        url: new URL(request.url, origin),
        headers: webHeaders(request),
        webRequest: () => toWebRequest(request, origin),
      }),
  };
}

/**
 * What Fedify reads of a verified delivery: the activity without its Linked Data Signature and Object
 * Integrity Proofs. The guard has verified the HTTP signature with a key the activity's actor owns, which
 * proves the actor; verifying a body signature again buys nothing (Mastodon checks one only when the HTTP
 * signer is not the actor, which the guard refuses) and cost most of a generic delivery's CPU (JSON-LD
 * canonicalisation). Fedify is told to skip signatures (federation.ts): nothing reaches it unguarded.
 */
function withoutBodySignatures(request: InboxRequest, activity: Record<string, unknown>): Request {
  const { signature: _signature, proof: _proof, ...rest } = activity;
  const headers = new Headers(request.webRequest().headers);
  headers.delete("content-length");
  headers.delete("digest");
  headers.delete("content-digest");
  return new Request(request.url, { method: request.method, headers, body: JSON.stringify(rest) });
}

/** Errors from what the sender wrote (bad JSON-LD, contexts that can't load, too much to fetch), not the pod's. */
function isUnreadable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name.startsWith("jsonld.") ||
    error instanceof FetchBudgetExceeded ||
    error.name === "FetchError" ||
    (error instanceof RangeError && /call stack/i.test(error.message)) ||
    (error instanceof TypeError && /Invalid URL|Invalid IRI/i.test(error.message))
  );
}

function receiptOf(activity: Record<string, unknown>, actorIri: string): UnconcernedReceipt {
  const object = activity.object;
  const objectType = object && typeof object === "object" ? (object as { type?: unknown }).type : undefined;
  return {
    activityIri: typeof activity.id === "string" ? activity.id : "",
    type: typeof activity.type === "string" ? activity.type : "",
    actorIri,
    objectIri: iriOf(object),
    objectType: typeof objectType === "string" ? objectType : null,
  };
}

export function webHeaders(request: Pick<FastifyRequest, "headers">): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return headers;
}

function toWebRequest(request: FastifyRequest, origin: URL): Request {
  return new Request(new URL(request.url, origin), { method: request.method, headers: webHeaders(request) });
}

/**
 * An inbox POST as the guard reads it; the Web Request (and its Headers, a copy that cost 2.5% of a delivery)
 * is built once, and only if Fedify needs it. The guard reads Node's parsed headers as that Headers would.
 */
function lazyWebRequest(request: FastifyRequest, origin: URL, body: Buffer): InboxRequest {
  const url = new URL(request.url, origin);
  let web: Request | undefined;
  return {
    method: request.method,
    url,
    headers: headerReader(request.headers),
    webRequest: () =>
      (web ??= new Request(url, { method: request.method, headers: webHeaders(request), body: new Uint8Array(body) })),
  };
}

/** Leading or trailing HTTP whitespace, which `Headers` strips from a value (Node's parser already does). */
const HTTP_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;

/** `Headers.get` over Node's parsed headers (names lower case; duplicates joined as webHeaders joins them). */
export function headerReader(headers: IncomingHttpHeaders): HeaderReader {
  return {
    get(name) {
      // Own values only: a signature may name any header, "constructor" or "__proto__" too, which an object's
      // prototype answers (a function, an object) where Headers answers null.
      const key = name.toLowerCase();
      const value = Object.hasOwn(headers, key) ? headers[key] : undefined;
      if (Array.isArray(value)) return value.join(", ").replace(HTTP_WHITESPACE, "");
      return typeof value === "string" ? value.replace(HTTP_WHITESPACE, "") : null;
    },
  };
}

async function sendWebResponse(reply: FastifyReply, response: Response): Promise<FastifyReply> {
  reply.code(response.status);
  response.headers.forEach((value, name) => {
    reply.header(name, value);
  });
  return reply.send(Buffer.from(await response.arrayBuffer()));
}
