import { createHash, KeyObject, verify } from "node:crypto";
import { fetchKey, type Context } from "@fedify/fedify";
import { CryptographicKey } from "@fedify/vocab";
import { canParseDecimal, parseDecimal } from "@fedify/vocab-runtime";
import type { PodDeps } from "../federation/deps.ts";
import { POD_CONTEXT } from "../publishing/vocab.ts";
import type { ProposalFields } from "./activitypub.ts";
import type { ConfederationInbox, Receipt } from "./inbox.ts";

/**
 * The inbox's fast path for the activity neighbor pods send most: Create/Update of an offer or need,
 * signed with draft-cavage-http-signatures-12 (rsa-sha256) and written in exactly the JSON-LD context
 * this software uses. For those, the generic path's cost — JSON-LD expansion of every activity and of
 * the cached key — is most of the pod's work (see bench/ingest.ts). This path verifies the signature
 * itself (the same checks: signed (request-target), host, date and digest; digest of the exact bytes;
 * date within an hour; key fetched through Fedify and owned by the actor) and reads the compact JSON of
 * the known context straight into plain values (no Fedify objects), which the same inbox handler and the
 * same record builder (activitypub.ts proposalRecord: sanitising, validation) take as Fedify's path does.
 *
 * It only ever accepts: anything it does not fully recognise or cannot verify goes to Fedify's generic
 * path unchanged, which verifies (or refuses with 401) and logs as usual.
 */
export function fastInbox(deps: PodDeps, contextFor: () => Context<null>, inbox: ConfederationInbox) {
  const keys = new Map<string, { ownerIri: string; key: KeyObject; fetchedAt: number }>();
  const KEYS_KEPT = 10_000;
  /** Keys are refetched after an hour, so a rotated or revoked key stops verifying here too. */
  const KEY_TTL_MS = 60 * 60 * 1000;
  const seen = deps.db.$client.prepare<[string, string], { one: number }>("SELECT 1 AS one FROM received_activities WHERE activity_iri = ? AND actor_iri = ?");
  /** A key that fails to verify is fetched again on the next delivery only once it is this old. */
  const KEY_RECHECK_MS = 5 * 60 * 1000;
  const WINDOW_MS = 60 * 60 * 1000;
  const contextJson = JSON.stringify(POD_CONTEXT);
  /** Verified activities being handled now, by actor and id: a second delivery of one waits for the first (group commit). */
  const inFlight = new Map<string, Promise<boolean>>();

  /** Key fetches under way: deliveries signed with the same uncached key wait for one fetch. */
  const fetching = new Map<string, Promise<{ ownerIri: string; key: KeyObject } | null>>();

  async function keyFor(keyId: string): Promise<{ ownerIri: string; key: KeyObject } | null> {
    const known = keys.get(keyId);
    if (known && Date.now() - known.fetchedAt < KEY_TTL_MS) return known;
    let fetched = fetching.get(keyId);
    if (!fetched) {
      fetching.set(keyId, (fetched = fetchOwnedKey(keyId).finally(() => fetching.delete(keyId))));
    }
    return fetched;
  }

  async function fetchOwnedKey(keyId: string): Promise<{ ownerIri: string; key: KeyObject } | null> {
    const ctx = contextFor();
    const { key } = await fetchKey(keyId, CryptographicKey, { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader }).catch(() => ({ key: null }));
    // A key document can name any owner; only a key on the owner's own origin speaks for it.
    if (!key?.ownerId || !key.publicKey || key.ownerId.origin !== new URL(keyId).origin) return null;
    const entry = { ownerIri: key.ownerId.href, key: KeyObject.from(key.publicKey), fetchedAt: Date.now() };
    if (entry.key.asymmetricKeyType !== "rsa") return null;
    keys.delete(keyId);
    if (keys.size >= KEYS_KEPT) keys.delete(keys.keys().next().value!);
    keys.set(keyId, entry);
    return entry;
  }

  /** True when the activity was verified and handled here; false sends it down Fedify's path. */
  return async function handle(request: SignedRequest, body: Buffer): Promise<boolean> {
    const signature = parseSignature(header(request.headers, "signature"));
    if (!signature) return false;
    const signed = signature.headers;
    if (!["(request-target)", "host", "date", "digest"].every((h) => signed.includes(h))) return false;
    // Signed for this pod, not replayed from a delivery to another one.
    if (header(request.headers, "host") !== deps.config.url.host) return false;
    const date = Date.parse(header(request.headers, "date") ?? "");
    if (!Number.isFinite(date) || Math.abs(Date.now() - date) > WINDOW_MS) return false;
    if (!digestMatches(header(request.headers, "digest"), body)) return false;

    let activity: Record<string, unknown> | null;
    try {
      activity = JSON.parse(body.toString("utf8"));
    } catch {
      return false;
    }
    if (!activity || typeof activity !== "object" || JSON.stringify(activity["@context"]) !== contextJson) return false;
    const decoded = decodeActivity(activity);
    if (!decoded) return false;

    const { receipt, proposal } = decoded;
    // Only a key on the actor's own origin can be the actor's: no need to fetch any other.
    if (URL.parse(signature.keyId)?.origin !== new URL(receipt.actorIri).origin) return false;
    // Verified before anything else: an unverified delivery must not make a genuine one wait.
    const key = await keyFor(signature.keyId);
    if (!verifiedBy(key, receipt.actorIri, request, signature)) {
      // Perhaps a rotated key: Fedify's path fetches it afresh. A fresh key stays, so forged requests
      // naming a neighbor's key can't make the pod refetch it each time.
      if (key && Date.now() - (keys.get(signature.keyId)?.fetchedAt ?? 0) > KEY_RECHECK_MS) keys.delete(signature.keyId);
      return false;
    }
    // The same activity again. While one delivery of it is being handled, a second waits for it; then
    // the inbox record (which keeps every activity taken, with its actor) says whether it was done already.
    // From here on the activity is verified: a failure answers 5xx (the sender retries), never Fedify's path.
    const slot = `${receipt.actorIri} ${receipt.activityIri}`;
    while (inFlight.has(slot)) await inFlight.get(slot);
    if (seen.get(receipt.activityIri, receipt.actorIri)) return true;
    const handling = inbox.onProposal(receipt, proposal).then(() => true);
    inFlight.set(slot, handling.catch(() => false));
    try {
      await handling;
      deps.log.debug({ activity: receipt.activityIri }, "inbox fast path");
      return true;
    } finally {
      inFlight.delete(slot);
    }
  };
}

function verifiedBy(
  key: { ownerIri: string; key: KeyObject } | null,
  actorIri: string,
  request: SignedRequest,
  signature: DraftSignature,
): boolean {
  if (!key || key.ownerIri !== actorIri) return false;
  const signingString = signature.headers
    .map((name) => (name === "(request-target)" ? `(request-target): ${request.method.toLowerCase()} ${request.url}` : `${name}: ${header(request.headers, name) ?? ""}`))
    .join("\n");
  return verify("sha256", Buffer.from(signingString), key.key, Buffer.from(signature.signature, "base64"));
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

interface SignedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

interface DraftSignature {
  keyId: string;
  algorithm: string;
  headers: string[];
  signature: string;
}

function parseSignature(value: string | undefined): DraftSignature | null {
  if (!value) return null;
  const params = new Map<string, string>();
  for (const match of value.matchAll(/([a-zA-Z]+)="([^"]*)"/g)) params.set(match[1]!, match[2]!);
  const keyId = params.get("keyId");
  const algorithm = params.get("algorithm") ?? "hs2019";
  const signature = params.get("signature");
  if (!keyId || !signature || !["rsa-sha256", "hs2019"].includes(algorithm.toLowerCase())) return null;
  // created/expires carry their own validity rules: Fedify's path applies them.
  if (params.has("created") || params.has("expires")) return null;
  return { keyId, algorithm, headers: (params.get("headers") ?? "date").toLowerCase().split(/\s+/).filter(Boolean), signature };
}

/** A SHA-256 digest of the exact bytes is required, and nothing else may be offered (Fedify checks those). */
function digestMatches(value: string | undefined, body: Buffer): boolean {
  if (!value) return false;
  const expected = createHash("sha256").update(body).digest("base64");
  const parts = value.split(",").map((part) => {
    const at = part.indexOf("=");
    return { algorithm: part.slice(0, at).trim().toLowerCase(), digest: part.slice(at + 1).trim() };
  });
  return parts.length > 0 && parts.every((p) => p.algorithm === "sha-256" && p.digest === expected);
}

const ENVELOPE_KEYS = new Set(["@context", "id", "type", "actor", "object", "to", "cc", "published", "updated", "proof", "signature"]);
const PROPOSAL_KEYS = new Set([
  "id", "type", "publishes", "purpose", "unitBased", "attributedTo", "to", "cc", "name", "summary", "content", "contentMap",
  "url", "location", "startTime", "endTime", "published", "updated",
]);

const str = (value: unknown): string | null => (typeof value === "string" ? value : null);
/** RFC 3339 date-times only, as Fedify reads them (Date.parse alone takes more, some in local time). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
/** IRIs as Fedify reads them: parsed and written back (`href`), so both paths compare the same strings. */
const iri = (value: unknown): string | null => (typeof value === "string" ? (URL.parse(value)?.href ?? null) : null);
const instant = (value: unknown): string | null => {
  const time = typeof value === "string" ? Date.parse(value) : NaN;
  return Number.isFinite(time) ? new Date(time).toISOString() : null;
};

/** The activity read from the compact JSON of our context; null for anything else (then Fedify reads it). */
interface Decoded {
  receipt: Receipt;
  proposal: ProposalFields & { attributedTo: string | null };
}

function decodeActivity(json: Record<string, unknown>): Decoded | null {
  if ((json.type !== "Create" && json.type !== "Update") || !Object.keys(json).every((k) => ENVELOPE_KEYS.has(k))) return null;
  const activityIri = iri(json.id);
  const actorIri = iri(json.actor);
  const proposal = decodeProposal(json.object);
  if (!activityIri || !actorIri || !proposal) return null;
  // An activity's id lives on its actor's origin: nobody else may claim it (and so pre-empt the real one).
  if (new URL(activityIri).origin !== new URL(actorIri).origin) return null;
  return { receipt: { activityIri, type: json.type, actorIri, objectIri: proposal.iri, objectType: "Proposal" }, proposal };
}

function decodeProposal(value: unknown): Decoded["proposal"] | null {
  if (!value || typeof value !== "object") return null;
  const o = value as Record<string, unknown>;
  const id = iri(o.id);
  if (!id || o.type !== "Proposal" || !Object.keys(o).every((k) => PROPOSAL_KEYS.has(k))) return null;
  // Only the plain shapes this software writes; anything richer (language maps without content, arrays,
  // embedded objects, other date formats) is read by Fedify's path, so both paths store the same record.
  if (["name", "summary", "content", "attributedTo", "url", "purpose"].some((k) => o[k] !== undefined && typeof o[k] !== "string")) return null;
  if (o.contentMap !== undefined && typeof o.content !== "string") return null;
  if (["startTime", "endTime", "published", "updated"].some((k) => o[k] !== undefined && !(typeof o[k] === "string" && RFC3339.test(o[k])))) return null;
  const publishes = o.publishes as Record<string, unknown> | undefined;
  if (!publishes || publishes.type !== "Intent") return null;
  const measure = (m: unknown): ProposalFields["resourceQuantity"] | undefined => {
    if (m === undefined) return null;
    const v = m as Record<string, unknown> | null;
    if (!v || v.type !== "Measure" || typeof v.hasNumericalValue !== "string" || !canParseDecimal(v.hasNumericalValue)) return undefined;
    // Normalised as Fedify's path does (" 12.5 " is 12.5 on both).
    return { unit: str(v.hasUnit), value: parseDecimal(v.hasNumericalValue) };
  };
  const resourceQuantity = measure(publishes.resourceQuantity);
  const availableQuantity = measure(publishes.availableQuantity);
  if (resourceQuantity === undefined || availableQuantity === undefined) return null;
  const where = o.location as Record<string, unknown> | undefined;
  if (where !== undefined && (where === null || typeof where !== "object" || where.type !== "Place")) return null;
  const degrees = (value: unknown) => (typeof value === "number" ? value : null);
  return {
    iri: id,
    attributedTo: iri(o.attributedTo),
    name: str(o.name),
    summary: str(o.summary),
    content: str(o.content),
    url: iri(o.url),
    startTime: instant(o.startTime),
    endTime: instant(o.endTime),
    published: instant(o.published),
    updated: instant(o.updated),
    purpose: str(o.purpose),
    action: str(publishes.action),
    categoryIri: iri(publishes.resourceConformsTo),
    resourceQuantity,
    availableQuantity,
    place: where ? { name: str(where.name), latitude: degrees(where.latitude), longitude: degrees(where.longitude) } : null,
  };
}
