/**
 * What our JSON means to a JSON-LD processor that is not Fedify: every document the pod emits is expanded
 * with the independent `jsonld` package, using only the contexts Fedify preloads (no network), and the
 * resulting IRIs are checked against the vocabularies we claim to speak (ActivityStreams, ValueFlows /
 * FEP-0837, OM 2, Mastodon's toot namespace, our shared category namespace).
 */
import { preloadedContexts } from "@fedify/vocab-runtime";
import { STREAMS } from "../../src/publishing/kinds.ts";
import { createRequire } from "node:module";
import { beforeAll, describe, expect, it } from "vitest";
import { SHARED_CATEGORY_BASE } from "../../src/categories/taxonomy.ts";
import { podActor } from "../../src/federation/actor.ts";
import { offerActivities, offerToNote, offerToProposal } from "../../src/offers/to-as.ts";
import { offerIri, offerNoteIri } from "../../src/publishing/iris.ts";
import type { Offer } from "../../src/offers/service.ts";
import {
  converterContext,
  offerRow,
  sharedCategory,
  STREAM_NAMES,
  type ConverterContext,
} from "../support/converter-context.ts";

// `jsonld` ships no types; this is the small part of its API the test uses.
type DocumentLoader = (url: string) => Promise<{ contextUrl: string | null; document: unknown; documentUrl: string }>;
interface JsonLd {
  expand(input: unknown, options: { documentLoader: DocumentLoader; safe?: boolean }): Promise<Node[]>;
}
const jsonld = createRequire(import.meta.url)("jsonld") as JsonLd;

const AS = "https://www.w3.org/ns/activitystreams#";
const VF = "https://w3id.org/valueflows/ont/vf#";
const OM2 = "http://www.ontology-of-units-of-measure.org/resource/om-2/";
const SEC = "https://w3id.org/security#";
const TOOT = "http://joinmastodon.org/ns#";
const LDP_INBOX = "http://www.w3.org/ns/ldp#inbox";
const XSD = "http://www.w3.org/2001/XMLSchema#";

/** An expanded JSON-LD node: IRIs as keys, arrays of values. */
type Value = { "@id"?: string; "@value"?: unknown; "@type"?: string | string[]; "@language"?: string } & Record<
  string,
  unknown
>;
type Node = Record<string, Value[]> & { "@id"?: string; "@type"?: string[] };

/** Every URL the document loader was asked for, across the whole file. */
const requested: string[] = [];

const documentLoader: DocumentLoader = async (url) => {
  requested.push(url);
  if (!Object.hasOwn(preloadedContexts, url)) throw new Error(`refusing to fetch a remote context: ${url}`);
  return { contextUrl: null, document: preloadedContexts[url], documentUrl: url };
};

/**
 * Terms no context defines. The ActivityStreams context sets `"@vocab": "_:"`, so an undefined term does
 * not vanish: it expands to a blank-node property such as `_:foo`, meaningless to every other server.
 */
function undefinedTerms(value: unknown, path = "$"): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => undefinedTerms(v, `${path}[${i}]`));
  if (typeof value !== "object" || value === null) return [];
  const found: string[] = [];
  for (const [key, inner] of Object.entries(value)) {
    if (key.startsWith("_:")) found.push(`${path}.${key}`);
    if (key === "@type")
      for (const t of [inner].flat()) if (typeof t === "string" && t.startsWith("_:")) found.push(`${path}.@type ${t}`);
    if (key !== "@value") found.push(...undefinedTerms(inner, `${path}.${key}`));
  }
  return found;
}

/** Expands one document and checks every term in it has a definition. */
async function expand(json: unknown): Promise<Node> {
  const expanded = await jsonld.expand(json, { documentLoader, safe: true });
  expect(expanded).toHaveLength(1);
  expect(undefinedTerms(expanded)).toEqual([]);
  return expanded[0]!;
}

function values(node: Node | Value, iri: string): Value[] {
  const found = (node as Record<string, unknown>)[iri];
  expect(found, `expected ${iri} in ${JSON.stringify(Object.keys(node))}`).toBeDefined();
  return found as Value[];
}
const one = (node: Node | Value, iri: string): Value => values(node, iri)[0]!;
const child = (node: Node | Value, iri: string): Node => one(node, iri) as unknown as Node;
const idOf = (node: Node | Value, iri: string) => one(node, iri)["@id"];
const valueAt = (node: Node | Value, iri: string) => one(node, iri)["@value"];

let env: ConverterContext;
beforeAll(async () => {
  env = await converterContext();
});

const offer = () => offerRow();
const need = () =>
  offerRow({
    id: "0190f3a2-7c1e-7000-8000-000000000002",
    kind: "need",
    name: "Winter coats",
    category: "clothing",
    unit: "one",
    quantityMilli: 5000,
    availableMilli: 5000,
    status: "open",
  });
const NOW = new Date("2025-09-02T00:00:00.000Z");

async function proposalOf(row: Offer, slug: Parameters<typeof sharedCategory>[0] = row.category as never) {
  return expand(await offerToProposal(env.ctx, env.config, row, sharedCategory(slug)).toJsonLd());
}

describe("JSON-LD expansion with only preloaded contexts", () => {
  it("the Proposal for an offer expands to ValueFlows, OM 2 and ActivityStreams IRIs", async () => {
    const row = offer();
    const p = await proposalOf(row, "food");

    expect(p["@id"]).toBe(offerIri(env.config, row).href);
    expect(p["@type"]).toEqual([`${VF}Proposal`]);
    expect(valueAt(p, `${VF}purpose`)).toBe("offer");
    expect(valueAt(p, `${AS}name`)).toBe("Apples from the orchard");
    expect(String(valueAt(p, `${AS}summary`))).toContain("Apples from the orchard");
    expect(String(valueAt(p, `${AS}content`))).toContain("Crisp apples.");
    expect(idOf(p, `${AS}attributedTo`)).toBe("https://pod.example/users/pod");
    expect(idOf(p, `${AS}to`)).toBe(`${AS}Public`);
    expect(idOf(p, `${AS}cc`)).toBe("https://pod.example/users/pod/followers");
    expect(one(p, `${AS}startTime`)).toEqual({ "@type": `${XSD}dateTime`, "@value": "2025-09-01T08:00:00Z" });
    expect(one(p, `${AS}endTime`)).toEqual({ "@type": `${XSD}dateTime`, "@value": "2025-09-10T18:00:00Z" });

    const place = child(p, `${AS}location`);
    expect(place["@type"]).toEqual([`${AS}Place`]);
    expect(valueAt(place, `${AS}name`)).toBe("North End");
    expect(valueAt(place, `${AS}latitude`)).toBe(52.37);
    expect(valueAt(place, `${AS}longitude`)).toBe(4.89);

    const intent = child(p, `${VF}publishes`);
    expect(intent["@type"]).toEqual([`${VF}Intent`]);
    expect(valueAt(intent, `${VF}action`)).toBe("transfer");
    expect(idOf(intent, `${VF}resourceConformsTo`)).toBe(`${SHARED_CATEGORY_BASE}food`);
    expect(idOf(intent, `${VF}resourceConformsTo`)).toBe("https://w3id.org/pods/categories/food");

    const total = child(intent, `${VF}resourceQuantity`);
    const available = child(intent, `${VF}availableQuantity`);
    for (const measure of [total, available]) {
      expect(measure["@type"]).toEqual([`${OM2}Measure`]);
      expect(valueAt(measure, `${OM2}hasUnit`)).toBe("kg");
    }
    // Exact decimals as strings, never a binary float.
    expect(valueAt(total, `${OM2}hasNumericalValue`)).toBe("20");
    expect(valueAt(available, `${OM2}hasNumericalValue`)).toBe("12.5");
  });

  it("the Proposal for a need has purpose request", async () => {
    const p = await proposalOf(need(), "clothing");
    expect(p["@type"]).toEqual([`${VF}Proposal`]);
    expect(valueAt(p, `${VF}purpose`)).toBe("request");
    const intent = child(p, `${VF}publishes`);
    expect(idOf(intent, `${VF}resourceConformsTo`)).toBe(`${SHARED_CATEGORY_BASE}clothing`);
    expect(valueAt(child(intent, `${VF}resourceQuantity`), `${OM2}hasNumericalValue`)).toBe("5");
    expect(valueAt(child(intent, `${VF}resourceQuantity`), `${OM2}hasUnit`)).toBe("one");
  });

  it("goods categories publish a transfer, service categories a deliverService", async () => {
    const goods = child(await proposalOf(offer(), "food"), `${VF}publishes`);
    const service = child(
      await proposalOf(
        offerRow({ category: "childcare", unit: "hour", quantityMilli: 3000, availableMilli: 3000 }),
        "childcare",
      ),
      `${VF}publishes`,
    );
    expect(valueAt(goods, `${VF}action`)).toBe("transfer");
    expect(valueAt(service, `${VF}action`)).toBe("deliverService");
    expect(idOf(service, `${VF}resourceConformsTo`)).toBe(`${SHARED_CATEGORY_BASE}childcare`);
  });

  it("quantities stay exact decimals (thousandths included)", async () => {
    const row = offerRow({ quantityMilli: 1_234_567_891, availableMilli: 1 });
    const intent = child(await proposalOf(row, "food"), `${VF}publishes`);
    expect(valueAt(child(intent, `${VF}resourceQuantity`), `${OM2}hasNumericalValue`)).toBe("1234567.891");
    expect(valueAt(child(intent, `${VF}availableQuantity`), `${OM2}hasNumericalValue`)).toBe("0.001");
  });

  it("the companion Note expands to an ActivityStreams Note with a FEP-e232 Link tag to the Proposal", async () => {
    const row = offer();
    const n = await expand(await offerToNote(env.ctx, env.config, row, sharedCategory("food")).toJsonLd());
    expect(n["@id"]).toBe(offerNoteIri(env.config, row).href);
    expect(n["@type"]).toEqual([`${AS}Note`]);
    expect(String(valueAt(n, `${AS}content`))).toContain("Apples from the orchard");
    expect(idOf(n, `${AS}attributedTo`)).toBe("https://pod.example/users/pod");
    expect(idOf(n, `${AS}to`)).toBe(`${AS}Public`);
    expect(idOf(n, `${AS}cc`)).toBe("https://pod.example/users/pod/followers");
    expect(idOf(n, `${AS}url`)).toBe(offerIri(env.config, row).href);

    const link = child(n, `${AS}tag`);
    expect(link["@type"]).toEqual([`${AS}Link`]);
    expect(idOf(link, `${AS}href`)).toBe(offerIri(env.config, row).href);
    expect(valueAt(link, `${AS}mediaType`)).toBe(
      'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
    );
  });

  it("Create, Update and Delete expand to the same objects, Proposal terms included", async () => {
    const row = offer();
    const category = sharedCategory("food");
    for (const verb of ["create", "update", "delete"] as const) {
      const [forProposal, forNote] = offerActivities(env.ctx, env.config, row, category, verb, NOW).map(
        (d) => d.activity,
      );
      const type = { create: "Create", update: "Update", delete: "Delete" }[verb];
      for (const [activity, objectId] of [
        [forProposal!, offerIri(env.config, row).href],
        [forNote!, offerNoteIri(env.config, row).href],
      ] as const) {
        const a = await expand(await activity.toJsonLd());
        expect(a["@type"]).toEqual([`${AS}${type}`]);
        expect(idOf(a, `${AS}actor`)).toBe("https://pod.example/users/pod");
        expect(idOf(a, `${AS}to`)).toBe(`${AS}Public`);
        expect(idOf(a, `${AS}cc`)).toBe("https://pod.example/users/pod/followers");
        const object = child(a, `${AS}object`);
        expect(object["@id"]).toBe(objectId);
        if (verb === "delete") {
          expect(object["@type"]).toEqual([`${AS}Tombstone`]);
          continue;
        }
        if (activity === forNote) {
          expect(object["@type"]).toEqual([`${AS}Note`]);
          continue;
        }
        // The embedded Proposal keeps its meaning inside the activity's own @context.
        expect(object["@type"]).toEqual([`${VF}Proposal`]);
        expect(valueAt(object, `${VF}purpose`)).toBe("offer");
        const intent = child(object, `${VF}publishes`);
        expect(valueAt(intent, `${VF}action`)).toBe("transfer");
        expect(idOf(intent, `${VF}resourceConformsTo`)).toBe(`${SHARED_CATEGORY_BASE}food`);
        expect(valueAt(child(intent, `${VF}resourceQuantity`), `${OM2}hasNumericalValue`)).toBe("20");
        expect(valueAt(child(intent, `${VF}availableQuantity`), `${OM2}hasNumericalValue`)).toBe("12.5");
        expect(valueAt(child(intent, `${VF}availableQuantity`), `${OM2}hasUnit`)).toBe("kg");
        expect(valueAt(child(object, `${AS}location`), `${AS}latitude`)).toBe(52.37);
        expect(one(object, `${AS}startTime`)["@value"]).toBe("2025-09-01T08:00:00Z");
      }
    }
  });

  it("the pod's Group actor expands to AS, LDP, security and toot IRIs", async () => {
    const actor = await podActor(env.ctx, env.config, {
      publishedAt: new Date("2025-01-01T00:00:00Z"),
      streams: STREAMS,
    });
    const g = await expand(await actor.toJsonLd());
    const self = "https://pod.example/users/pod";
    expect(g["@id"]).toBe(self);
    expect(g["@type"]).toEqual([`${AS}Group`]);
    expect(valueAt(g, `${AS}preferredUsername`)).toBe("pod");
    expect(idOf(g, LDP_INBOX)).toBe(`${self}/inbox`);
    expect(idOf(g, `${AS}outbox`)).toBe(`${self}/outbox`);
    expect(idOf(g, `${AS}followers`)).toBe(`${self}/followers`);
    expect(idOf(g, `${AS}following`)).toBe(`${self}/following`);
    expect(idOf(child(g, `${AS}endpoints`), `${AS}sharedInbox`)).toBe("https://pod.example/inbox");
    expect(idOf(g, `${TOOT}featured`)).toBe(`${self}/featured`);
    expect(valueAt(g, "http://joinmastodon.org/ns#discoverable")).toBe(true);
    expect(valueAt(g, `${AS}manuallyApprovesFollowers`)).toBe(false);
    const streams = values(g, `${AS}streams`).map((v) => v["@id"]);
    expect(streams).toEqual(expect.arrayContaining([`${self}/offers`, `${self}/needs`]));
    for (const stream of streams) expect(STREAM_NAMES.map((name) => `${self}/${name}`)).toContain(stream);

    const key = child(g, `${SEC}publicKey`);
    expect(key["@id"]).toMatch(new RegExp(`^${self}#`));
    expect(idOf(key, `${SEC}owner`)).toBe(self);
    expect(String(valueAt(key, `${SEC}publicKeyPem`))).toMatch(/^-----BEGIN PUBLIC KEY-----/);

    const methods = values(g, `${SEC}assertionMethod`) as unknown as Node[];
    expect(methods).toHaveLength(2);
    for (const method of methods) {
      expect(method["@id"]).toMatch(new RegExp(`^${self}#`));
      expect(idOf(method, `${SEC}controller`)).toBe(self);
      expect(String(valueAt(method, `${SEC}publicKeyMultibase`))).toMatch(/^z/);
    }
  });

  it("never asked for a context outside Fedify's preloaded set (our own terms are inline)", async () => {
    // Covers every expansion above (vitest runs a file's tests in order), and this one when run alone.
    await proposalOf(offer(), "food");
    expect(requested.length).toBeGreaterThan(0);
    const preloaded = new Set(Object.keys(preloadedContexts));
    expect(requested.filter((url) => !preloaded.has(url))).toEqual([]);
  });
});
