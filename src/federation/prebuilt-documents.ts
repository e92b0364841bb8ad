import { createHash } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { PodFederation } from "./deps.ts";

/**
 * The actor document and WebFinger answers, kept as bytes with an ETag. Building them costs a JSON-LD
 * compaction, key exports and a charter read per request; what they show changes only when the charter
 * (profile fields) or the settings change, and whoever changes those calls invalidate().
 *
 * Each entry is what Fedify itself answered for that method, path and Accept header (or "Fedify had
 * nothing", so Fastify's HTML route answers), so the bytes and the content negotiation are Fedify's.
 */
export interface PrebuiltDocuments {
  /** Answers the request from the cache (building the entry once) and returns true, or returns false. */
  answer(request: FastifyRequest, reply: FastifyReply, build: BuildDocument): Promise<boolean>;
  /** Forgets every document: the next read rebuilds it from the current facts. */
  invalidate(): void;
}

interface Built {
  status: number;
  headers: [string, string][];
  body: Buffer;
  etag: string;
}

/** Fedify had no answer for the request: it goes on to Fastify's routes. */
const FALLTHROUGH = "fallthrough";
type Entry = Built | typeof FALLTHROUGH;

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
  // A build that started before an invalidation may show the old facts: it is answered but not kept.
  let generation = 0;

  return {
    async answer(request, reply, build) {
      const key = keyOf(request);
      if (key === undefined) return false;
      let entry = entries.get(key);
      if (entry === undefined) {
        const started = generation;
        entry = await buildEntry(build, request);
        if (started === generation) {
          if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
          entries.set(key, entry);
        }
      }
      if (entry === FALLTHROUGH) return false;
      send(request, reply, entry);
      return true;
    },
    invalidate() {
      generation++;
      entries.clear();
    },
  };
}

/** Only the documents whose facts are known to the cache: the pod actor and WebFinger. */
function keyOf(request: FastifyRequest): string | undefined {
  if (request.method !== "GET" && request.method !== "HEAD") return undefined;
  const url = request.url;
  if (url.length > MAX_KEY_LENGTH) return undefined;
  const cached = /^\/users\/[^/?#]+$/.test(url) || /^\/\.well-known\/webfinger\?[^#]*$/.test(url);
  if (!cached) return undefined;
  const accept = request.headers.accept ?? "";
  if (accept.length > MAX_KEY_LENGTH) return undefined;
  return `${request.method} ${url}\n${accept}`;
}

async function buildEntry(build: BuildDocument, request: FastifyRequest): Promise<Entry> {
  const response = await build(request);
  if (response === null) return FALLTHROUGH;
  const body = Buffer.from(await response.arrayBuffer());
  const headers: [string, string][] = [];
  response.headers.forEach((value, name) => headers.push([name, value]));
  const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
  return { status: response.status, headers, body, etag };
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
