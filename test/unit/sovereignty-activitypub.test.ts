/**
 * The monthly report on the wire: an Article (with the figures as ValueFlows EconomicEvents carrying OM 2
 * Measures and their period) for pods, a readable Note for people. Expanded with the independent `jsonld`
 * package using only preloaded contexts: every term must have a definition. Small counts travel as
 * "fewer than N", with no number anywhere.
 */
import { createRequire } from "node:module";
import { preloadedContexts } from "@fedify/vocab-runtime";
import { beforeAll, describe, expect, it } from "vitest";
import { reportActivities, reportToArticle } from "../../src/sovereignty/to-as.ts";
import { REPORT_CONTEXT } from "../../src/sovereignty/vocab.ts";
import { converterContext, type ConverterContext } from "../support/converter-context.ts";
import { reportRow as report } from "../support/report-row.ts";

type DocumentLoader = (url: string) => Promise<{ contextUrl: string | null; document: unknown; documentUrl: string }>;
const jsonld = createRequire(import.meta.url)("jsonld") as {
  expand(input: unknown, options: { documentLoader: DocumentLoader; safe?: boolean }): Promise<Node[]>;
};
type Node = Record<string, Record<string, unknown>[]> & { "@id"?: string; "@type"?: string[] };

const AS = "https://www.w3.org/ns/activitystreams#";
const VF = "https://w3id.org/valueflows/ont/vf#";
const OM2 = "http://www.ontology-of-units-of-measure.org/resource/om-2/";
const PODS = "https://w3id.org/pods/ns#";
const XSD = "http://www.w3.org/2001/XMLSchema#";

const documentLoader: DocumentLoader = async (url) => {
  if (!Object.hasOwn(preloadedContexts, url)) throw new Error(`refusing to fetch a remote context: ${url}`);
  return { contextUrl: null, document: preloadedContexts[url], documentUrl: url };
};

const blankTerms = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.flatMap(blankTerms)
    : typeof value === "object" && value !== null
      ? Object.entries(value).flatMap(([key, inner]) => [
          ...(key.startsWith("_:") ? [key] : []),
          ...(key === "@type" ? [inner].flat().filter((t) => String(t).startsWith("_:")) : []),
          ...(key === "@value" ? [] : blankTerms(inner)),
        ])
      : [];

async function expand(json: unknown): Promise<Node> {
  const expanded = await jsonld.expand(json, { documentLoader, safe: true });
  expect(blankTerms(expanded)).toEqual([]);
  return expanded[0]!;
}

let env: ConverterContext;
beforeAll(async () => {
  env = await converterContext();
});

describe("the sovereignty report on the wire", () => {
  it("the Create for pods expands to an Article whose figures are vf:EconomicEvents with om2 Measures", async () => {
    const [forPods] = reportActivities(env.ctx, env.config, report(), new Date("2026-11-02T10:00:00Z"));
    expect(forPods!.audience).toBe("pods");
    const json = (await forPods!.activity.toJsonLd()) as Record<string, unknown>;
    expect(json["@context"]).toEqual(REPORT_CONTEXT);
    const create = await expand(json);
    expect(create["@type"]).toEqual([`${AS}Create`]);
    const article = create[`${AS}object`]![0] as unknown as Node;
    expect(article["@type"]).toEqual([`${AS}Article`]);
    const attachments = article[`${AS}attachment`]! as unknown as Node[];
    const events = attachments.filter((a) => a["@type"]?.includes(`${VF}EconomicEvent`));
    expect(events).toHaveLength(2);
    const meals = events.find((e) => e[`${VF}resourceConformsTo`]![0]!["@id"]?.toString().endsWith("meals-prepared"))!;
    const quantity = meals[`${VF}resourceQuantity`]![0] as unknown as Node;
    expect(quantity["@type"]).toEqual([`${OM2}Measure`]);
    expect(quantity[`${OM2}hasNumericalValue`]).toEqual([{ "@type": `${XSD}decimal`, "@value": "120" }]);
    expect(quantity[`${OM2}hasUnit`]).toEqual([{ "@value": "meal" }]);
    const effort = meals[`${VF}effortQuantity`]![0] as unknown as Node;
    expect(effort[`${OM2}hasNumericalValue`]).toEqual([{ "@type": `${XSD}decimal`, "@value": "40" }]);
    expect(meals[`${VF}hasBeginning`]).toEqual([{ "@type": `${XSD}dateTime`, "@value": "2026-10-01T00:00:00-06:00" }]);
    expect(meals[`${VF}hasEnd`]).toEqual([{ "@type": `${XSD}dateTime`, "@value": "2026-11-01T00:00:00-06:00" }]);
    expect(meals[`${PODS}period`]).toEqual([{ "@value": "2026-10" }]);
    expect(meals[`${VF}provider`]).toEqual([{ "@id": "https://pod.example/users/pod" }]);
  });

  it("a count below the threshold travels as 'fewer than 3', with no number", async () => {
    const article = reportToArticle(env.ctx, env.config, report());
    const json = (await article.toJsonLd()) as { attachment: Record<string, unknown>[]; content: string };
    const evictions = json.attachment.find((a) => String(a.resourceConformsTo).endsWith("evictions-prevented"))!;
    expect(evictions).not.toHaveProperty("resourceQuantity");
    expect(evictions.fewerThan).toBe(3);
    expect(json.content).toContain("fewer than 3 household");
    expect(json.content).not.toMatch(/evictions-prevented: 2 /);
    const expanded = await expand(json);
    const node = (expanded[`${AS}attachment`] as unknown as Node[]).find((a) =>
      String(a[`${VF}resourceConformsTo`]?.[0]?.["@id"]).endsWith("evictions-prevented"),
    )!;
    expect(node[`${PODS}fewerThan`]).toEqual([{ "@type": `${XSD}integer`, "@value": 3 }]);
  });

  it("people get one readable Note (no name, no summary) with the lines, the weights and a link", async () => {
    const [, forPeople] = reportActivities(env.ctx, env.config, report(), new Date());
    expect(forPeople!.audience).toBe("people");
    const json = (await forPeople!.activity.toJsonLd()) as { type: string; object: Record<string, unknown> };
    expect(json.type).toBe("Create");
    expect(json.object.type).toBe("Note");
    expect(json.object).not.toHaveProperty("name");
    expect(json.object).not.toHaveProperty("summary");
    const content = String(json.object.content);
    expect(content).toContain("meals-prepared: 120 meal");
    expect(content).toContain("Hours of life liberated: 120 (weights: meals-prepared 1 h/meal");
    expect(content).toContain("https://pod.example/reports/0190f3a2-7c1e-7000-8000-00000000aaaa");
    await expand(json);
  });

  it("a corrected report is an Update of the same Article id", async () => {
    const [forPods] = reportActivities(env.ctx, env.config, report({ revision: 2 }), new Date("2026-11-05T00:00:00Z"));
    const json = (await forPods!.activity.toJsonLd()) as { type: string; object: { id: string; updated: string } };
    expect(json.type).toBe("Update");
    expect(json.object.id).toBe("https://pod.example/reports/0190f3a2-7c1e-7000-8000-00000000aaaa");
    expect(json.object.updated).toBe("2026-11-02T10:00:00Z");
  });
});
