import { createHash, KeyObject, verify as verifyRsa } from "node:crypto";
import { verifyRequestDetailed, type KeyCache, type KvStore } from "@fedify/fedify";
import { preloadedContexts, type DocumentLoader } from "@fedify/vocab-runtime";
import type { CryptographicKey, Multikey } from "@fedify/vocab";
import { readSignatureHeader, SignatureRefusal, type HeaderReader, type SignatureHeader } from "./signature-header.ts";

export { SignatureRefusal, type HeaderReader };

/** An inbox POST whose HTTP signature verified with a key of its actor, on the actor's origin. */
export interface VerifiedInbox {
  activity: Record<string, unknown>;
  actorIri: string;
  keyId: string;
  header: SignatureHeader;
  /** Whether the pod follows the actor (accepted), as the inbox's concern check read it; unset when not asked. */
  senderFollowed?: boolean;
}

/**
 * What the guard reads of an inbox POST. The Web Request (costly to build: a body stream, a header copy)
 * is made only when Fedify's verifier needs it.
 */
export interface InboxRequest {
  method: string;
  url: URL;
  /** Read as the Web Request's Headers read them (the same values Fedify's verifier sees). */
  headers: HeaderReader;
  webRequest(): Request;
}

export interface GuardOptions {
  origin: URL;
  kv: KvStore;
  loaders: () => { documentLoader: DocumentLoader; contextLoader: DocumentLoader };
  /** How long a failed key fetch is remembered before the next delivery fetches it again. */
  keyFailureMs?: number;
}

/** Deeper JSON than this is refused before any JSON-LD processing (which recurses). */
const MAX_DEPTH = 64;
/** Contexts by URL (not preloaded, on the actor's origin) one activity may name. */
const MAX_REMOTE_CONTEXTS = 2;
const KEY_TTL_MS = 60 * 60 * 1000;
const KEYS_KEPT = 10_000;
/** How long a delivery waits for another one's fetch of the same key before fetching it itself. */
const FETCH_WAIT_MS = 15_000;
/** Fedify's own key cache, in the same KvStore: its failures (kept 10 minutes) are cleared once a key verifies. */
const FEDIFY_KEY_PREFIX = ["_fedify", "publicKey"] as const;

/**
 * The one check every inbox POST passes before anything else reads it (fast path and Fedify's path alike):
 * an HTTP signature is required (the pod accepts no activity authenticated only by a proof or an LD
 * signature in the body), read as Fedify reads it, covering the target, host, date and digest; its key
 * must be on the actor's origin and owned by the actor, and it is verified here, with Fedify's own
 * verifier, before any JSON-LD work. Proofs and LD signatures in the body must name keys on the actor's
 * origin too, since Fedify trusts those before it looks at the HTTP signature. Throws SignatureRefusal.
 */
export function signatureGuard(options: GuardOptions) {
  const failureMs = options.keyFailureMs ?? 5_000;
  const keys = new Map<string, { key: CryptographicKey | Multikey | null; at: number }>();
  /** Keys being fetched now: deliveries signed with the same uncached key wait for one fetch. */
  const fetching = new Map<string, { done: Promise<void>; resolve: () => void; since: number }>();
  const cached = (href: string) => {
    const entry = keys.get(href);
    if (!entry) return undefined;
    const age = Date.now() - entry.at;
    if (entry.key ? age < KEY_TTL_MS : age < failureMs) return entry.key;
    keys.delete(href);
    return undefined;
  };
  const keyCache: KeyCache = {
    async get(keyId) {
      const pending = fetching.get(keyId.href);
      if (pending && Date.now() - pending.since < FETCH_WAIT_MS) {
        await Promise.race([pending.done, new Promise((resolve) => setTimeout(resolve, FETCH_WAIT_MS).unref())]);
      }
      const hit = cached(keyId.href);
      const stillPending = fetching.get(keyId.href);
      if (hit === undefined && (!stillPending || Date.now() - stillPending.since >= FETCH_WAIT_MS)) {
        let resolve = () => {};
        const done = new Promise<void>((r) => (resolve = r));
        if (fetching.size >= KEYS_KEPT) fetching.delete(fetching.keys().next().value!);
        fetching.set(keyId.href, { done, resolve, since: Date.now() });
      }
      return hit;
    },
    async set(keyId, key) {
      keys.delete(keyId.href);
      if (keys.size >= KEYS_KEPT) keys.delete(keys.keys().next().value!);
      keys.set(keyId.href, { key, at: Date.now() });
      fetching.get(keyId.href)?.resolve();
      fetching.delete(keyId.href);
    },
  };

  /**
   * RSA keys that verified a draft-cavage signature through Fedify, with their owner. Fedify's verifier
   * imports the key and re-reads it as JSON-LD on every request (most of an ingest's CPU); a later delivery
   * signed with the same key is verified here with Node's crypto instead, over the same header as parsed
   * above. Anything that does not verify this way still goes to Fedify (a rotated key is fetched afresh).
   */
  const verifiedKeys = new Map<string, { key: KeyObject; ownerIri: string; at: number }>();
  const rememberVerifiedKey = (keyId: string, ownerIri: string, key: CryptographicKey | Multikey) => {
    if (!("publicKey" in key) || !key.publicKey) return;
    const keyObject = KeyObject.from(key.publicKey);
    if (keyObject.asymmetricKeyType !== "rsa") return;
    verifiedKeys.delete(keyId);
    if (verifiedKeys.size >= KEYS_KEPT) verifiedKeys.delete(verifiedKeys.keys().next().value!);
    verifiedKeys.set(keyId, { key: keyObject, ownerIri, at: Date.now() });
  };

  async function verify(request: InboxRequest, body: Buffer): Promise<VerifiedInbox> {
    // Plain JSON first (cheap, and a malformed body is the sender's mistake whoever sends it); no JSON-LD yet.
    const { activity, contexts: named } = parseActivity(body);
    const actorIri = actorOf(activity);
    const actorOrigin = new URL(actorIri).origin;
    const contexts = [...named].filter((context) => !Object.hasOwn(preloadedContexts, context));
    for (const context of contexts) {
      if (URL.parse(context)?.origin !== actorOrigin) {
        throw new SignatureRefusal(
          400,
          `the JSON-LD context ${context.slice(0, 200)} is neither preloaded nor on the actor's origin`,
          "body.@context",
        );
      }
    }
    if (contexts.length > MAX_REMOTE_CONTEXTS) {
      throw new SignatureRefusal(400, `more than ${MAX_REMOTE_CONTEXTS} remote JSON-LD contexts`, "body.@context");
    }
    const header = readSignatureHeader(request.headers);
    if (!header) throw new SignatureRefusal(401, "every inbox POST must carry an HTTP signature", "signature");
    // A delivery names the host it was meant for; one meant for another server is a replay.
    if (request.headers.get("host") !== options.origin.host) {
      throw new SignatureRefusal(401, "the request was signed for another host", "host");
    }
    requireCoverage(header);

    if (header.keyId.origin !== actorOrigin) {
      throw new SignatureRefusal(401, "the signing key is not on the actor's origin", "signature");
    }
    for (const keyIri of bodyKeys(activity)) {
      if (URL.parse(keyIri)?.origin !== actorOrigin) {
        throw new SignatureRefusal(
          401,
          "a proof or signature in the body names a key off the actor's origin",
          "body.proof",
        );
      }
    }
    // An activity's id lives on its actor's origin; one that claims another server's id could pre-empt it.
    if (typeof activity.id === "string" && URL.parse(activity.id)?.origin !== actorOrigin) {
      throw new SignatureRefusal(400, "the activity's id is not on its actor's origin", "body.id");
    }

    const { documentLoader, contextLoader } = options.loaders();
    const known = header.spec === "draft" ? verifiedKeys.get(header.keyId.href) : undefined;
    const fresh = known && known.ownerIri === actorIri && Date.now() - known.at < KEY_TTL_MS;
    if (!(fresh && header.spec === "draft" && verifiesWithKnownKey(request, body, header, known.key))) {
      const result = await verifyRequestDetailed(request.webRequest(), { documentLoader, contextLoader, keyCache });
      if (!result.verified) {
        throw new SignatureRefusal(401, `the HTTP signature did not verify (${result.reason.type})`, "signature");
      }
      const key = result.key;
      if (key.id?.origin !== actorOrigin || key.ownerId?.href !== actorIri) {
        throw new SignatureRefusal(401, "the signing key does not belong to the activity's actor", "signature");
      }
      await forgetFedifyFailure(options.kv, header.keyId);
      rememberVerifiedKey(header.keyId.href, actorIri, key);
    }
    // A verified actor's own contexts are loaded now (and cached for Fedify's reading): one that cannot be
    // loaded is the sender's error, answered 400 here rather than failing inside JSON-LD processing.
    for (const context of contexts) {
      await contextLoader(context).catch(() => {
        throw new SignatureRefusal(
          400,
          `the JSON-LD context ${context.slice(0, 200)} could not be loaded`,
          "body.@context",
        );
      });
    }
    return { activity, actorIri, keyId: header.keyId.href, header };
  }

  /**
   * The actor that signed a GET (an authorized fetch), or null: unsigned, read differently by two readers,
   * meant for another host, not covering the request, not verifying, or with a key (or its owner) off the key
   * id's origin. Objects only some servers may read are served to the actor this names. Nothing is fetched
   * before the header passes; keys are cached and fetched once as for deliveries.
   */
  async function signer(request: InboxRequest): Promise<string | null> {
    let header: SignatureHeader | null;
    try {
      header = readSignatureHeader(request.headers);
    } catch {
      return null;
    }
    if (!header || request.headers.get("host") !== options.origin.host) return null;
    const covered = header.spec === "draft" ? header.signedHeaders : header.components;
    const needed = header.spec === "draft" ? GET_DRAFT_COVERAGE : GET_RFC9421_COVERAGE;
    if (needed.some((name) => !covered.includes(name))) return null;
    const { documentLoader, contextLoader } = options.loaders();
    const result = await verifyRequestDetailed(request.webRequest(), { documentLoader, contextLoader, keyCache }).catch(
      () => null,
    );
    if (!result?.verified) return null;
    // The key document is the key id's origin speaking: it vouches only for keys and owners of its own.
    const claimed = header.keyId.origin;
    if (result.key.id?.origin !== claimed || result.key.ownerId?.origin !== claimed) return null;
    return result.key.ownerId.href;
  }

  return Object.assign(verify, { signer });
}

/** Fedify's default: a signed Date further than this from now is refused. */
const DATE_WINDOW_MS = 60 * 60 * 1000;

/**
 * The checks Fedify's draft-cavage verifier makes, with a key it already verified: rsa-sha256, the Date
 * within the window, a SHA-256 digest of the exact bytes and nothing else offered, and the signature over
 * the signed headers as this guard parsed them. False sends the request to Fedify's verifier.
 */
function verifiesWithKnownKey(
  request: InboxRequest,
  body: Buffer,
  header: Extract<SignatureHeader, { spec: "draft" }>,
  key: KeyObject,
): boolean {
  const algorithm = header.algorithm?.toLowerCase() ?? "hs2019";
  if (header.timed || (algorithm !== "rsa-sha256" && algorithm !== "hs2019")) return false;
  const date = Date.parse(request.headers.get("date") ?? "");
  if (!Number.isFinite(date) || Math.abs(Date.now() - date) > DATE_WINDOW_MS) return false;
  const expected = createHash("sha256").update(body).digest("base64");
  const digests = (request.headers.get("digest") ?? "").split(",").map((part) => {
    const at = part.indexOf("=");
    return { algorithm: part.slice(0, at).trim().toLowerCase(), value: part.slice(at + 1).trim() };
  });
  if (!digests.every((d) => d.algorithm === "sha-256" && d.value === expected)) return false;
  const target = request.url;
  const signingString = header.signedHeaders.map((name) => {
    const lower = name.toLowerCase();
    if (lower === "(request-target)")
      return `(request-target): ${request.method.toLowerCase()} ${target.pathname}${target.search}`;
    const value = request.headers.get(lower);
    return value === null ? null : `${lower}: ${value}`;
  });
  if (signingString.includes(null)) return false;
  return verifyRsa("sha256", Buffer.from(signingString.join("\n")), key, Buffer.from(header.signature, "base64"));
}

const DRAFT_COVERAGE = ["(request-target)", "host", "date", "digest"];
const RFC9421_COVERAGE = ["@method", "@target-uri", "content-digest"];

/** What a signed GET (an authorized fetch) must cover: the request, the host it is meant for, its time. */
const GET_DRAFT_COVERAGE = ["(request-target)", "host", "date"];
const GET_RFC9421_COVERAGE = ["@method", "@target-uri"];

function requireCoverage(header: SignatureHeader): void {
  const covered = header.spec === "draft" ? header.signedHeaders : header.components;
  const needed = header.spec === "draft" ? DRAFT_COVERAGE : RFC9421_COVERAGE;
  const missing = needed.filter((name) => !covered.includes(name));
  if (missing.length > 0) {
    throw new SignatureRefusal(401, `the signature does not cover ${missing.join(", ")}`, "signature");
  }
}

/** The body as a JSON object, with every context it names by URL (one walk checks depth and collects them). */
function parseActivity(body: Buffer): { activity: Record<string, unknown>; contexts: Set<string> } {
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch {
    throw new SignatureRefusal(400, "the body is not valid JSON", "body");
  }
  if (!json || typeof json !== "object" || Array.isArray(json)) {
    throw new SignatureRefusal(400, "the body is not a JSON object", "body");
  }
  const contexts = remoteContextsWithin(json, MAX_DEPTH);
  if (!contexts) {
    throw new SignatureRefusal(400, `the body nests deeper than ${MAX_DEPTH} levels`, "body");
  }
  for (const key of Object.keys(json)) {
    if ((key.startsWith("@") && key !== "@context") || HIDDEN_PROOF_KEYS.has(key)) {
      throw new SignatureRefusal(
        400,
        `the top-level key ${key.slice(0, 100)} is not accepted (write id, proof, signature)`,
        `body.${key.slice(0, 100)}`,
      );
    }
  }
  return { activity: json as Record<string, unknown>, contexts };
}

/**
 * The checks here read plain `id`, `proof` and `signature`; JSON-LD would also read the activity's id from
 * `@id` and proofs from their full IRIs, past those checks (an `@id` on another server pre-empts that
 * server's real activity, which Fedify then skips as already processed). Such keys are refused.
 */
const HIDDEN_PROOF_KEYS = new Set([
  "https://w3id.org/security#proof",
  "sec:proof",
  "https://w3id.org/security#signature",
  "sec:signature",
]);

/** A property of a JSON object, or undefined for anything that is not an object. */
const prop = (value: unknown, name: string): unknown =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>)[name] : undefined;
/** An IRI given as a string or as an object's `id`; "" when neither. */
const iriOf = (value: unknown): string => {
  const iri = typeof value === "string" ? value : prop(value, "id");
  return typeof iri === "string" ? iri : "";
};

/**
 * Every context named by URL anywhere in the body (nested objects may carry their own, or `@import` one), or
 * null when some value nests deeper than `maxDepth` (the root is level 1). Iterative, so a hostile depth
 * cannot overflow the stack here; one walk for both, since this runs on every delivery.
 */
function remoteContextsWithin(root: unknown, maxDepth: number): Set<string> | null {
  const found = new Set<string>();
  const values: unknown[] = [root];
  const depths: number[] = [1];
  while (values.length > 0) {
    const value = values.pop();
    const depth = depths.pop()!;
    if (!value || typeof value !== "object") continue;
    if (!Array.isArray(value)) {
      for (const name of ["@context", "@import"]) {
        const entry = (value as Record<string, unknown>)[name];
        if (typeof entry === "string") found.add(entry);
        else if (Array.isArray(entry)) for (const item of entry) if (typeof item === "string") found.add(item);
      }
    }
    for (const child of Object.values(value)) {
      if (depth + 1 > maxDepth) return null;
      values.push(child);
      depths.push(depth + 1);
    }
  }
  return found;
}

/** The one actor, as a plain `actor` property; anything else (none, several) is not attributable. */
function actorOf(activity: Record<string, unknown>): string {
  let actor = activity.actor;
  if (Array.isArray(actor) && actor.length === 1) actor = actor[0];
  const iri = iriOf(actor);
  const url = URL.parse(iri);
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
    throw new SignatureRefusal(400, "the activity needs exactly one actor IRI", "body.actor");
  }
  return url.href;
}

/** Keys named by Object Integrity Proofs (`proof`) and Linked Data Signatures (`signature`) in the body. */
function bodyKeys(activity: Record<string, unknown>): string[] {
  const proofs = [activity.proof].flat().filter((proof) => proof !== undefined);
  const keys = proofs.map((proof) => iriOf(prop(proof, "verificationMethod")));
  if (activity.signature !== undefined) keys.push(iriOf(prop(activity.signature, "creator")));
  return keys;
}

async function forgetFedifyFailure(kv: KvStore, keyId: URL): Promise<void> {
  const cacheKey = [...FEDIFY_KEY_PREFIX, keyId.href] as const;
  if ((await kv.get(cacheKey)) !== null) return;
  await kv.delete(cacheKey);
  await kv.delete([...FEDIFY_KEY_PREFIX, "__fetchError", keyId.href]);
}
