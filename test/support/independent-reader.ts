/**
 * Reading the pod's documents as an independent server does: raw JSON over HTTP, meaning taken from the
 * independent `jsonld` package's expansion (only contexts Fedify preloads; nothing fetched), no Fedify.
 */
import { preloadedContexts } from "@fedify/vocab-runtime";
import { createRequire } from "node:module";

type DocumentLoader = (url: string) => Promise<{ contextUrl: string | null; document: unknown; documentUrl: string }>;
// `jsonld` ships no types; this is the small part of its API used here.
const jsonld = createRequire(import.meta.url)("jsonld") as {
  expand(input: unknown, options: { documentLoader: DocumentLoader; safe?: boolean }): Promise<ExpandedNode[]>;
};

export const AS = "https://www.w3.org/ns/activitystreams#";
export const AS_PUBLIC = `${AS}Public`;

/** An expanded JSON-LD node: IRIs as keys, arrays of values. */
export type ExpandedNode = Record<string, unknown[]> & { "@id"?: string; "@type"?: string[] };

const documentLoader: DocumentLoader = async (url) => {
  if (!Object.hasOwn(preloadedContexts, url)) throw new Error(`refusing to fetch a remote context: ${url}`);
  return { contextUrl: null, document: preloadedContexts[url], documentUrl: url };
};

export async function expandOne(json: unknown): Promise<ExpandedNode> {
  const expanded = await jsonld.expand(json, { documentLoader, safe: true });
  if (expanded.length !== 1) throw new Error(`expected one node, got ${expanded.length}`);
  return expanded[0]!;
}

/** The IRIs an expanded node gives for a property (e.g. `${AS}to`). */
export function iris(node: ExpandedNode, property: string): string[] {
  return (node[property] ?? []).map((value) => (value as { "@id"?: string })["@id"] ?? "").filter(Boolean);
}

/** Who an activity is addressed to (to, cc, bto, bcc), as expanded IRIs. */
export function recipients(node: ExpandedNode): string[] {
  return ["to", "cc", "bto", "bcc"].flatMap((key) => iris(node, `${AS}${key}`));
}

async function getJson(url: string): Promise<any> {
  const response = await fetch(url, { headers: { accept: "application/activity+json" } });
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  return response.json();
}

/** An outbox as a server reads it on follow or profile view: each page's raw JSON and its expansion (bounded). */
export async function readOutbox(outboxUrl: string): Promise<{ raw: any[]; expanded: ExpandedNode[] }> {
  const collection = await getJson(outboxUrl);
  const raw: any[] = [collection];
  const expanded: ExpandedNode[] = [await expandOne(collection)];
  let next: string | undefined = typeof collection.first === "string" ? collection.first : collection.first?.id;
  for (let pages = 0; next && pages < 50; pages++) {
    const page = await getJson(next);
    raw.push(page);
    expanded.push(await expandOne(page));
    next = page.next;
  }
  return { raw, expanded };
}
