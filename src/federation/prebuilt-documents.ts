import { createHash } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { PodFederation } from "./deps.ts";

/**
 * The actor document, WebFinger and NodeInfo answers, kept as bytes with an ETag. Building them costs a
 * JSON-LD compaction, key exports and a charter read (or two counts, for NodeInfo) per request; what the
 * actor and WebFinger show changes only when the charter (profile fields) or the settings change, and
 * whoever changes those calls invalidate(). NodeInfo's counts change with posts and follows: it is watched
 * (rebuilt when its version, bumped by SQL triggers, changes).
 *
 * Each entry is what Fedify itself answered for that method, path and Accept header (or "Fedify had
 * nothing", so Fastify's HTML route answers), so the bytes and the content negotiation are Fedify's.
 */
export interface PrebuiltDocuments {
  /** Answers the request from the cache (building the entry once) and returns true, or returns false. */
  answer(request: FastifyRequest, reply: FastifyReply, build: BuildDocument): Promise<boolean>;
  /** Forgets every document: the next read rebuilds it from the current facts. */
  invalidate(): void;
  /**
   * Documents whose path starts with `pathPrefix` are rebuilt whenever `version()` gives another value
   * than when they were built; it is called on every read of them, so it must be cheap.
   */
  watch(pathPrefix: string, version: () => number): void;
}

interface Built {
  /** The watched version the entry was built at (undefined when its path is not watched). */
  version?: number;
  status: number;
  headers: [string, string][];
  body: Buffer;
  etag: string;
}

/** Fedify had no answer for the request: it goes on to Fastify's routes. */
interface Fallthrough {
  version?: number;
  fallthrough: true;
}
type Entry = Built | Fallthrough;

/** Distinct Accept headers and WebFinger queries are few in practice; past this the oldest is dropped. */
const MAX_ENTRIES = 64;
const MAX_KEY_LENGTH = 1024;

const caches = new WeakMap<PodFederation, PrebuiltDocuments>();

/** The cache of one pod's federation (one per federation, so pods in one process never share). */
export function prebuiltDocuments(federation: PodFederation): PrebuiltDocuments {
  let cache = caches.get(federation);
  if (!cache) caches.set(federation, (cache = createCache()));
  return cache;
}

/** Call after a change to what the actor shows (charter services, name, summary, approval, avatar, keys). */
export function invalidatePrebuiltDocuments(federation: PodFederation): void {
  prebuiltDocuments(federation).invalidate();
}

/** Asks Fedify for the document the request names; null when Fedify has none (Fastify's routes answer). */
export type BuildDocument = (request: FastifyRequest) => Promise<Response | null>;

function createCache(): PrebuiltDocuments {
  const entries = new Map<string, Entry>();
  const watched: { pathPrefix: string; version: () => number }[] = [];
  // A build that started before an invalidation may show the old facts: it is answered but not kept.
  let generation = 0;

  return {
    async answer(request, reply, build) {
      const key = keyOf(request);
      if (key === undefined) return false;
      const version = watched.find((w) => request.url.startsWith(w.pathPrefix))?.version();
      let entry = entries.get(key);
      if (entry === undefined || entry.version !== version) {
        const started = generation;
        entry = await buildEntry(build, request, version);
        if (started === generation) {
          entries.delete(key);
          if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
          entries.set(key, entry);
        }
      }
      if ("fallthrough" in entry) return false;
      send(request, reply, entry);
      return true;
    },
    invalidate() {
      generation++;
      entries.clear();
    },
    watch(pathPrefix, version) {
      watched.push({ pathPrefix, version });
    },
  };
}

/** Only the documents whose facts are known to the cache: the pod actor, WebFinger and NodeInfo. */
function keyOf(request: FastifyRequest): string | undefined {
  if (request.method !== "GET" && request.method !== "HEAD") return undefined;
  const url = request.url;
  if (url.length > MAX_KEY_LENGTH) return undefined;
  const cached =
    /^\/users\/[^/?#]+$/.test(url) ||
    /^\/\.well-known\/webfinger\?[^#]*$/.test(url) ||
    url === "/.well-known/nodeinfo" ||
    url === "/nodeinfo/2.1";
  if (!cached) return undefined;
  const accept = request.headers.accept ?? "";
  if (accept.length > MAX_KEY_LENGTH) return undefined;
  return `${request.method} ${url}\n${accept}`;
}

async function buildEntry(build: BuildDocument, request: FastifyRequest, version: number | undefined): Promise<Entry> {
  const response = await build(request);
  if (response === null) return { version, fallthrough: true };
  const body = Buffer.from(await response.arrayBuffer());
  const headers: [string, string][] = [];
  for (const [name, value] of response.headers) headers.push([name, value]);
  const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
  return { version, status: response.status, headers, body, etag };
}

function send(request: FastifyRequest, reply: FastifyReply, entry: Built): void {
  for (const [name, value] of entry.headers) reply.header(name, value);
  if (entry.status === 200) {
    reply.header("etag", entry.etag);
    if (matches(request.headers["if-none-match"], entry.etag)) {
      reply.removeHeader("content-type");
      reply.code(304).send();
      return;
    }
  }
  reply.code(entry.status).send(entry.body);
}

/** RFC 9110 If-None-Match: `*`, or a list of entity tags compared weakly. */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}
