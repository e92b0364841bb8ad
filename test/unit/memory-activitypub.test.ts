/**
 * Memory entries on the wire: what an independent JSON-LD processor (`jsonld`, only Fedify's preloaded
 * contexts) makes of the Article and its companion Note, and what a neighbor pod reads back (from-as.ts).
 */
import { preloadedContexts } from "@fedify/vocab-runtime";
import { Article } from "@fedify/vocab";
import { createRequire } from "node:module";
import { beforeAll, describe, expect, it } from "vitest";
import { toViewRecord } from "../../src/confederation/from-as.ts";
import { entryActivities, entryToArticle, entryToNote } from "../../src/memory/to-as.ts";
import { memoryIri, memoryNoteIri } from "../../src/publishing/iris.ts";
import { converterContext, type ConverterContext } from "../support/converter-context.ts";
import { memoryEntry } from "../support/memory-entry.ts";

type Node = Record<string, { "@id"?: string; "@value"?: unknown }[]> & { "@id"?: string; "@type"?: string[] };
const jsonld = createRequire(import.meta.url)("jsonld") as {
  expand(
    input: unknown,
    options: { documentLoader: (url: string) => Promise<unknown>; safe: boolean },
  ): Promise<Node[]>;
};
const AS = "https://www.w3.org/ns/activitystreams#";
const SCHEMA = "http://schema.org#";

async function expand(json: unknown): Promise<Node> {
  const documentLoader = async (url: string) => {
    if (!Object.hasOwn(preloadedContexts, url)) throw new Error(`refusing to fetch a remote context: ${url}`);
    return { contextUrl: null, document: preloadedContexts[url], documentUrl: url };
  };
  const expanded = await jsonld.expand(json, { documentLoader, safe: true });
  expect(expanded).toHaveLength(1);
  // An undefined term would expand to a blank-node property ("_:…"), meaningless to other servers.
  expect(JSON.stringify(expanded)).not.toContain('"_:');
  return expanded[0]!;
}
const value = (node: Node, iri: string) => node[iri]?.[0]?.["@value"];
const id = (node: Node, iri: string) => node[iri]?.[0]?.["@id"];

let env: ConverterContext;
beforeAll(async () => {
  env = await converterContext();
});

describe("memory entries in JSON-LD", () => {
  it("a decision's Article expands to as:Article with name, summary, content and its kind as a PropertyValue", async () => {
    const row = memoryEntry();
    const node = await expand(await entryToArticle(env.ctx, env.config, row).toJsonLd());
    expect(node["@id"]).toBe(memoryIri(env.config, row.publicationId).href);
    expect(node["@type"]).toEqual([`${AS}Article`]);
    expect(value(node, `${AS}name`)).toBe("Close the pantry on Sundays");
    expect(String(value(node, `${AS}content`))).toContain("<em>burned out</em>");
    expect(String(value(node, `${AS}content`))).toContain("The assembly");
    const attachments = node[`${AS}attachment`] as unknown as Node[];
    const fields = attachments.map((a) => [value(a, `${AS}name`), value(a, `${SCHEMA}value`)]);
    expect(fields).toEqual([
      ["entry", "decision"],
      ["decidedBy", "The assembly"],
      ["reviewOn", "2026-03-01"],
    ]);
  });

  it("the companion Note expands to as:Note with a Link tag to the Article, and no name or summary", async () => {
    const row = memoryEntry({ kind: "workflow", revision: 3 });
    const node = await expand(await entryToNote(env.ctx, env.config, row).toJsonLd());
    expect(node["@id"]).toBe(memoryNoteIri(env.config, row.publicationId).href);
    expect(node["@type"]).toEqual([`${AS}Note`]);
    expect(node[`${AS}name`]).toBeUndefined();
    expect(node[`${AS}summary`]).toBeUndefined();
    expect(String(value(node, `${AS}content`))).toContain("<strong>Workflow: Close the pantry on Sundays</strong>");
    const link = (node[`${AS}tag`] as unknown as Node[])[0]!;
    expect(link["@type"]).toEqual([`${AS}Link`]);
    expect(id(link, `${AS}href`)).toBe(memoryIri(env.config, row.publicationId).href);
  });

  it("Create, Update and Delete expand, the Delete carrying a Tombstone of the Article and of the Note", async () => {
    const row = memoryEntry({ kind: "lesson", learned: "Heat is the enemy.", changed: "Ice boxes." });
    for (const verb of ["create", "update", "delete"] as const) {
      const deliveries = entryActivities(env.ctx, env.config, row, verb, new Date("2025-09-02T00:00:00Z"));
      for (const d of deliveries) await expand(await d.activity.toJsonLd());
    }
    const deletes = entryActivities(env.ctx, env.config, row, "delete", new Date());
    const objects = await Promise.all(deletes.map(async (d) => ((await d.activity.toJsonLd()) as any).object));
    expect(objects.map((o) => [o.type, o.id])).toEqual([
      ["Tombstone", memoryIri(env.config, row.publicationId).href],
      ["Tombstone", memoryNoteIri(env.config, row.publicationId).href],
    ]);
  });

  it("a neighbor pod reads the Article back as a memory entry of its kind, with its provenance link", async () => {
    const origin = "https://other.example/memory/0190f3a2-7c1e-7000-8000-00000000a001";
    const row = memoryEntry({ kind: "workflow", revision: 2, adaptedFrom: origin });
    const json = await entryToArticle(env.ctx, env.config, row).toJsonLd();
    const record = await toViewRecord(await Article.fromJsonLd(json), "https://pod.example/users/pod");
    expect(record.kind).toBe("memory");
    expect(record.extra).toEqual({ entry: "workflow", revision: "2" });
    expect(record.adaptedFrom).toBe(origin);
    expect(record.name).toBe("Close the pantry on Sundays");
  });
});
