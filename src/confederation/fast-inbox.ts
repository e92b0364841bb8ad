import { canParseDecimal, parseDecimal } from "@fedify/vocab-runtime";
import type { PodDeps } from "../federation/deps.ts";
import type { VerifiedInbox } from "../federation/signature-guard.ts";
import { POD_CONTEXT } from "../publishing/vocab.ts";
import type { ProposalFields } from "./from-as.ts";
import type { ConfederationInbox, Receipt } from "./inbox.ts";

/**
 * The inbox's fast path for the activity neighbor pods send most: Create/Update of an offer or need,
 * written in exactly the JSON-LD context this software uses. For those, the generic path's cost — JSON-LD
 * expansion of every activity — is most of the pod's work (see bench/ingest.ts). The signature guard
 * (federation/signature-guard.ts) has verified the request before this runs, exactly as for Fedify's path;
 * this reads the compact JSON of the known context straight into plain values (no Fedify objects), which
 * the same inbox handler and the same record builder (from-as.ts proposalRecord: sanitising,
 * validation) take as Fedify's path does.
 *
 * It only ever accepts: anything it does not fully recognise goes to Fedify's generic path unchanged.
 */
export function fastInbox(deps: PodDeps, inbox: ConfederationInbox) {
  /**
   * Verified activities being handled now, by actor and id: a second delivery of one waits for the first (group
   * commit).
   */
  const inFlight = new Map<string, Promise<boolean>>();

  /** True when the activity was handled here; false sends it down Fedify's path. */
  return async function handle({ activity, actorIri, senderFollowed }: VerifiedInbox): Promise<boolean> {
    if (!sameJson(activity["@context"], POD_CONTEXT)) return false;
    const decoded = decodeActivity(activity);
    if (!decoded || decoded.receipt.actorIri !== actorIri) return false;
    const { receipt, proposal } = decoded;
    // The same activity again. While one delivery of it is being handled, a second waits for it, and is done
    // if that one was. Later (or in another process at the same time) the inbox record, which keeps every
    // activity taken by its id in the write that stores its object, lets the object be stored once.
    // From here on a failure answers 5xx (the sender retries), never Fedify's path.
    const slot = `${receipt.actorIri} ${receipt.activityIri}`;
    while (inFlight.has(slot)) if (await inFlight.get(slot)) return true;
    const handling = inbox.onProposal(receipt, proposal, senderFollowed).then(() => true);
    inFlight.set(
      slot,
      handling.catch(() => false),
    );
    try {
      await handling;
      deps.log.debug({ activity: receipt.activityIri }, "inbox fast path");
      return true;
    } finally {
      inFlight.delete(slot);
    }
  };
}

/**
 * Whether two parsed JSON values are the same, keys in the same order (what comparing their JSON.stringify
 * would say, without writing the pod's context out as a string on every delivery).
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!a || !b || typeof a !== "object" || typeof b !== "object" || Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.length !== bKeys.length) return false;
  for (let i = 0; i < aKeys.length; i++) {
    const key = aKeys[i]!;
    if (key !== bKeys[i]) return false;
    if (!sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}

const ENVELOPE_KEYS = new Set([
  "@context",
  "id",
  "type",
  "actor",
  "object",
  "to",
  "cc",
  "published",
  "updated",
  "proof",
  "signature",
]);
const PROPOSAL_KEYS = new Set([
  "id",
  "type",
  "publishes",
  "purpose",
  "unitBased",
  "attributedTo",
  "to",
  "cc",
  "name",
  "summary",
  "content",
  "contentMap",
  "url",
  "location",
  "startTime",
  "endTime",
  "published",
  "updated",
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
  if ((json.type !== "Create" && json.type !== "Update") || !Object.keys(json).every((k) => ENVELOPE_KEYS.has(k)))
    return null;
  const activityIri = iri(json.id);
  const actorIri = iri(json.actor);
  const proposal = decodeProposal(json.object);
  if (!activityIri || !actorIri || !proposal) return null;
  // An activity's id lives on its actor's origin: nobody else may claim it (and so pre-empt the real one).
  if (new URL(activityIri).origin !== new URL(actorIri).origin) return null;
  return {
    receipt: { activityIri, type: json.type, actorIri, objectIri: proposal.iri, objectType: "Proposal" },
    proposal,
  };
}

function decodeProposal(value: unknown): Decoded["proposal"] | null {
  if (!value || typeof value !== "object") return null;
  const o = value as Record<string, unknown>;
  const id = iri(o.id);
  if (!id || o.type !== "Proposal" || !Object.keys(o).every((k) => PROPOSAL_KEYS.has(k))) return null;
  // Only the plain shapes this software writes; anything richer (language maps without content, arrays,
  // embedded objects, other date formats) is read by Fedify's path, so both paths store the same record.
  if (
    ["name", "summary", "content", "attributedTo", "url", "purpose"].some(
      (k) => o[k] !== undefined && typeof o[k] !== "string",
    )
  )
    return null;
  if (o.contentMap !== undefined && typeof o.content !== "string") return null;
  if (
    ["startTime", "endTime", "published", "updated"].some(
      (k) => o[k] !== undefined && !(typeof o[k] === "string" && RFC3339.test(o[k])),
    )
  )
    return null;
  const publishes = o.publishes as Record<string, unknown> | undefined;
  if (publishes?.type !== "Intent") return null;
  const measure = (m: unknown): ProposalFields["resourceQuantity"] | undefined => {
    if (m === undefined) return null;
    const v = m as Record<string, unknown> | null;
    if (v?.type !== "Measure" || typeof v.hasNumericalValue !== "string" || !canParseDecimal(v.hasNumericalValue))
      return undefined;
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
    place: where
      ? { name: str(where.name), latitude: degrees(where.latitude), longitude: degrees(where.longitude) }
      : null,
  };
}
