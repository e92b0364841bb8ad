import { randomUUID } from "node:crypto";
import { postRaw, signMastodonStyle, startRemoteActor, type RemoteActor } from "./remote-actor.ts";

/**
 * A neighbor pod faked without Fedify, for the confederal view's ingest tests: the same kind of actor
 * as remote-actor.ts (RSA key, recording inbox), plus what a pod publishes — its objects, dereferenceable
 * at their ids, and per-kind ordered collections linked from the actor's `streams` (for backfill).
 *
 * It is a RemoteActor, so signMastodonStyle and postRaw work with it unchanged.
 */
export interface NeighborPod extends RemoteActor {
  /** Documents served at a path of this server (GET), as JSON-LD: a value or a function of the request URL. */
  documents: Map<string, unknown | ((url: URL) => unknown)>;
  /** Serves `object` at its id (a pod's objects are dereferenceable), replacing what was there. */
  publish(object: { id: string }): void;
  /** Stops serving the document at this id (the origin deleted it). */
  unpublish(id: string): void;
  /** The collection linked from `streams` under this name: its URL. */
  streamUrl(name: string): string;
  /** Serves the stream `name` as an OrderedCollection whose pages hold these items, page by page. */
  servePagedStream(name: string, pages: unknown[][]): void;
  /** Serves the stream `name` as a collection whose pages never end: page n holds itemFor(n) and links page n + 1. */
  serveEndlessStream(name: string, itemFor: (page: number) => unknown): void;
  /** An offer (FEP-0837 Proposal, purpose offer) attributed to this actor, id `${actorId}/offers/${slug}`. */
  offer(slug: string, fields?: Partial<ProposalFields>): APObject;
  /** A need (FEP-0837 Proposal, purpose request), id `${actorId}/needs/${slug}`. */
  need(slug: string, fields?: Partial<ProposalFields>): APObject;
  /** An activity of this actor with a fresh id and the vocabulary's @context. */
  activity(type: string, object: unknown, extra?: Record<string, unknown>): APObject;
  /** Signs (Mastodon style, with this actor's key) and POSTs an activity to an inbox URL. */
  deliver(inboxUrl: string, activity: unknown): Promise<Response>;
}

/** An ActivityStreams object or activity as sent: JSON with an id. */
export type APObject = Record<string, unknown> & { id: string };

export interface ProposalFields {
  name: string | undefined;
  summary: string;
  content: string;
  published: string;
  updated: string | undefined;
  category: string;
  unit: string;
  quantity: string;
  available: string;
  attributedTo: string;
}

/** ActivityStreams plus the FEP-0837 terms (ValueFlows, OM 2), inline so nothing is fetched. */
export const PROPOSAL_CONTEXT = [
  "https://www.w3.org/ns/activitystreams",
  {
    vf: "https://w3id.org/valueflows/ont/vf#",
    om2: "http://www.ontology-of-units-of-measure.org/resource/om-2/",
    Proposal: "vf:Proposal",
    Intent: "vf:Intent",
    purpose: "vf:purpose",
    publishes: "vf:publishes",
    action: "vf:action",
    resourceConformsTo: { "@id": "vf:resourceConformsTo", "@type": "@id" },
    resourceQuantity: "vf:resourceQuantity",
    availableQuantity: "vf:availableQuantity",
    hasUnit: "om2:hasUnit",
    hasNumericalValue: "om2:hasNumericalValue",
  },
];

export const FOOD = "https://w3id.org/pods/categories/food";

export interface NeighborPodOptions {
  /** Names of the per-kind collections the actor links from `streams` (served once set up). */
  streams?: string[];
}

export async function startNeighborPod(username: string, options: NeighborPodOptions = {}): Promise<NeighborPod> {
  const documents = new Map<string, unknown | ((url: URL) => unknown)>();
  /** Paths served by pattern (the endless streams' pages), tried when no document matches exactly. */
  const patterns = new Map<string, (url: URL) => unknown>();
  const actor = await startRemoteActor(username, {
    type: "Service",
    name: `Neighbor ${username}`,
    actorFields: (id) => (options.streams?.length ? { streams: options.streams.map((name) => `${id}/${name}`) } : {}),
    serve: (url) => {
      const found =
        documents.get(url.pathname) ?? [...patterns].find(([prefix]) => url.pathname.startsWith(prefix))?.[1];
      return typeof found === "function" ? (found as (u: URL) => unknown)(url) : found;
    },
  });
  const { actorId } = actor;
  const pathOf = (iri: string) => new URL(iri).pathname;

  const proposal = (purpose: "offer" | "request", id: string, fields: Partial<ProposalFields>) => {
    const unit = fields.unit ?? "kg";
    const object: APObject = {
      id,
      type: "Proposal",
      purpose,
      attributedTo: fields.attributedTo ?? actorId,
      summary: fields.summary ?? "",
      content: fields.content ?? "",
      published: fields.published ?? "2026-05-01T10:00:00Z",
      publishes: {
        type: "Intent",
        action: "transfer",
        resourceConformsTo: fields.category ?? FOOD,
        resourceQuantity: { type: "om2:Measure", hasUnit: unit, hasNumericalValue: fields.quantity ?? "10" },
        availableQuantity: {
          type: "om2:Measure",
          hasUnit: unit,
          hasNumericalValue: fields.available ?? fields.quantity ?? "10",
        },
      },
    };
    // `name: undefined` in fields leaves the name out altogether.
    if (!("name" in fields)) object.name = `Something from ${username}`;
    else if (fields.name !== undefined) object.name = fields.name;
    if (fields.updated) object.updated = fields.updated;
    return object;
  };

  const streamUrl = (name: string) => `${actorId}/${name}`;
  const collection = (name: string, first: string, totalItems?: number) => ({
    "@context": PROPOSAL_CONTEXT,
    id: streamUrl(name),
    type: "OrderedCollection",
    ...(totalItems === undefined ? {} : { totalItems }),
    first,
  });
  const page = (name: string, n: number, items: unknown[], hasNext: boolean) => ({
    "@context": PROPOSAL_CONTEXT,
    id: `${streamUrl(name)}/page/${n}`,
    type: "OrderedCollectionPage",
    partOf: streamUrl(name),
    orderedItems: items,
    ...(hasNext ? { next: `${streamUrl(name)}/page/${n + 1}` } : {}),
  });
  const clearStream = (name: string) => {
    const prefix = `${pathOf(streamUrl(name))}/page/`;
    for (const key of [...documents.keys()]) if (key.startsWith(prefix)) documents.delete(key);
    patterns.delete(prefix);
  };

  const neighbor: NeighborPod = {
    ...actor,
    documents,
    publish(object) {
      documents.set(pathOf(object.id), { "@context": PROPOSAL_CONTEXT, ...object });
    },
    unpublish(id) {
      documents.delete(pathOf(id));
    },
    streamUrl,
    servePagedStream(name, pages) {
      clearStream(name);
      const total = pages.reduce((n, items) => n + items.length, 0);
      documents.set(pathOf(streamUrl(name)), collection(name, `${streamUrl(name)}/page/0`, total));
      for (const [n, items] of pages.entries()) {
        documents.set(`${pathOf(streamUrl(name))}/page/${n}`, page(name, n, items, n < pages.length - 1));
      }
    },
    serveEndlessStream(name, itemFor) {
      clearStream(name);
      const prefix = `${pathOf(streamUrl(name))}/page/`;
      documents.set(pathOf(streamUrl(name)), collection(name, `${streamUrl(name)}/page/0`));
      // Any page number is served, and each one links the next: the collection never ends.
      patterns.set(prefix, (url) => {
        const n = Number(url.pathname.slice(prefix.length));
        return Number.isSafeInteger(n) && n >= 0 ? page(name, n, [itemFor(n)], true) : undefined;
      });
    },
    offer: (slug, fields = {}) => proposal("offer", `${actorId}/offers/${slug}`, fields),
    need: (slug, fields = {}) => proposal("request", `${actorId}/needs/${slug}`, fields),
    activity: (type, object, extra = {}) => ({
      "@context": PROPOSAL_CONTEXT,
      id: `${actorId}/activities/${randomUUID()}`,
      type,
      actor: actorId,
      to: ["https://www.w3.org/ns/activitystreams#Public"],
      object,
      ...extra,
    }),
    async deliver(inboxUrl, activity) {
      return postRaw(await signMastodonStyle(neighbor, inboxUrl, activity));
    },
  };
  return neighbor;
}
