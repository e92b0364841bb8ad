import { SHARED_CATEGORY_BASE } from "../categories/taxonomy.ts";
import type { Config } from "../config/schema.ts";
import { cell, csvText } from "../http/csv-cell.ts";
import { quantityLine } from "../offers/quantity.ts";
import { atomDocument, type FeedEntry, type FeedHead, jsonFeedDocument } from "../web/feed-documents.ts";
import { formatDate } from "../publishing/text.ts";
import type { ViewItem } from "./view-present.ts";
import type { ViewDeps, ViewRow } from "./view-query.ts";

/**
 * The aggregated surplus and needs for people and tools outside the pod: Atom, JSON Feed 1.1, CSV, a
 * printable HTML page and an ActivityStreams OrderedCollection. Every format renders the page the JSON
 * API returns for the same filters (viewPage), so they list the same objects in the same order.
 */

export type FeedKind = "offer" | "need" | "memory";

export interface FeedPage {
  items: ViewItem[];
  rows: ViewRow[];
  nextCursor: string | null;
}

export interface FeedRequest {
  deps: Pick<ViewDeps, "config" | "now">;
  kind: FeedKind;
  page: FeedPage;
  /** The URL asked for, on the pod's public origin (with its query, cursor included). */
  url: URL;
}

export const FEED_CONTENT_TYPES = {
  atom: "application/atom+xml; charset=utf-8",
  json: "application/feed+json; charset=utf-8",
  csv: "text/csv; charset=utf-8; header=present",
  collection: "application/activity+json; charset=utf-8",
} as const;

const NOUN: Record<FeedKind, { title: string; path: string }> = {
  offer: { title: "Surplus", path: "surplus" },
  need: { title: "Needs", path: "needs" },
  memory: { title: "Decisions and workflows", path: "memory" },
};

/** The view's page for people, per kind. */
const PAGE: Record<FeedKind, string> = {
  offer: "/confederation",
  need: "/confederation/needs",
  memory: "/confederation/memory",
};

export function feedTitle(config: Config, kind: FeedKind): string {
  return `${NOUN[kind].title} across the confederation, as seen from ${config.name}`;
}

/** The same URL with another cursor (null: none, i.e. the first page). */
export function withCursor(url: URL, cursor: string | null): URL {
  const out = new URL(url);
  if (cursor) out.searchParams.set("cursor", cursor);
  else out.searchParams.delete("cursor");
  return out;
}

/** The same filters in another format: /view/surplus.atom?… → /view/surplus.csv?… (first page). */
export function sibling(url: URL, kind: FeedKind, suffix: ".atom" | ".json" | ".csv" | "" | "/collection"): URL {
  const out = withCursor(url, null);
  out.pathname = `/view/${NOUN[kind].path}${suffix}`;
  return out;
}

/** The same filters on the view's page for people (readable, printable, in the reader's language). */
export function pageFor(url: URL, kind: FeedKind): URL {
  const out = withCursor(url, null);
  out.pathname = PAGE[kind];
  return out;
}

const HTTP = /^https?:\/\//i;
const linkOf = (item: ViewItem) => {
  const href = item.url && HTTP.test(item.url) && URL.canParse(item.url) ? item.url : item.iri;
  return new URL(href).href;
};

const podName = (item: ViewItem) => item.pod.name ?? item.pod.iri;
const categoryName = (item: ViewItem) => item.category?.label ?? item.category?.slug ?? item.category?.iri ?? "";

/**
 * One line saying what, how much, where, when and from whom:
 * "12 of 20 kg available · Riverside · until 1 December 2026 · Pod B".
 */
export function describe(item: ViewItem): string {
  const parts: string[] = [];
  const verb = item.kind === "need" ? "needed" : "available";
  const amount = quantityLine(item, { partly: verb, whole: verb });
  if (amount) parts.push(amount);
  if (item.category) parts.push(categoryName(item));
  if (item.area) parts.push(item.area);
  if (item.startsAt && item.endsAt) parts.push(`${formatDate(item.startsAt)} – ${formatDate(item.endsAt)}`);
  else if (item.startsAt) parts.push(`from ${formatDate(item.startsAt)}`);
  else if (item.endsAt) parts.push(`until ${formatDate(item.endsAt)}`);
  parts.push(podName(item));
  return parts.join(" · ");
}

const fullText = (item: ViewItem) => (item.summary ? `${describe(item)}\n\n${item.summary}` : describe(item));

function head(request: FeedRequest, self: URL): FeedHead {
  const { deps, kind, page: p } = request;
  const newest = p.rows.reduce<string | null>((max, r) => (max === null || r.version > max ? r.version : max), null);
  return {
    id: withCursor(request.url, null).href,
    title: feedTitle(deps.config, kind),
    subtitle: `${NOUN[kind].title} published by the pods ${deps.config.name} follows.`,
    updated: new Date(newest ?? deps.now()).toISOString(),
    alternate: pageFor(request.url, kind).href,
    self: self.href,
    author: { name: deps.config.name, uri: deps.config.url.href },
    ...(p.nextCursor ? { next: withCursor(request.url, p.nextCursor).href } : {}),
  };
}

function entries(request: FeedRequest): FeedEntry[] {
  return request.page.items.map((item, i) => {
    const row = request.page.rows[i]!;
    const category = item.category;
    return {
      id: new URL(item.iri).href,
      title: item.name,
      link: linkOf(item),
      updated: new Date(row.version).toISOString(),
      published: new Date(item.published).toISOString(),
      summaryText: fullText(item),
      jsonText: fullText(item),
      ...(row.content ? { contentHtml: row.content } : {}),
      author: { name: podName(item), uri: new URL(item.pod.iri).href },
      ...(category
        ? {
            category: {
              term: category.slug ?? new URL(category.iri).href,
              ...(category.iri.startsWith(SHARED_CATEGORY_BASE) ? { scheme: SHARED_CATEGORY_BASE } : {}),
              label: categoryName(item),
            },
          }
        : {}),
      ...(item.summary ? { jsonSummary: item.summary } : {}),
      jsonExtensions: {
        _pods: {
          about: "https://w3id.org/pods/ns",
          kind: item.kind,
          status: item.status,
          category: item.category,
          quantity: item.quantity,
          available: item.available,
          unit: item.unit,
          area: item.area,
          latitude: item.latitude,
          longitude: item.longitude,
          startsAt: item.startsAt,
          endsAt: item.endsAt,
          ...(item.distanceKm === undefined ? {} : { distanceKm: item.distanceKm }),
        },
      },
    };
  });
}

export const atomFeed = (request: FeedRequest): string => atomDocument(head(request, request.url), entries(request));

/** JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/). */
export const jsonFeed = (request: FeedRequest): Record<string, unknown> =>
  jsonFeedDocument(head(request, withCursor(request.url, null)), entries(request));

export const CSV_COLUMNS = [
  "kind",
  "name",
  "pod",
  "category",
  "quantity",
  "available",
  "unit",
  "area",
  "latitude",
  "longitude",
  "starts_at",
  "ends_at",
  "url",
  "summary",
] as const;

export function csvRows(items: readonly ViewItem[]): Record<(typeof CSV_COLUMNS)[number], string>[] {
  return items.map((item) => ({
    kind: item.kind,
    name: cell(item.name),
    pod: cell(podName(item)),
    category: item.category ? (item.category.slug ?? item.category.iri) : "",
    quantity: item.quantity ?? "",
    available: item.available ?? "",
    unit: cell(item.unit),
    area: cell(item.area),
    latitude: item.latitude === null ? "" : String(item.latitude),
    longitude: item.longitude === null ? "" : String(item.longitude),
    starts_at: item.startsAt ?? "",
    ends_at: item.endsAt ?? "",
    url: linkOf(item),
    summary: cell(item.summary),
  }));
}

export function csvFeed(items: readonly ViewItem[]): string {
  return csvText(csvRows(items), { header: true, columns: [...CSV_COLUMNS], record_delimiter: "windows" });
}

/** An ActivityStreams OrderedCollection of the objects' IRIs, in the page's order; `next` carries the cursor. */
export function orderedCollection(request: FeedRequest, totalItems: number): Record<string, unknown> {
  const { page: p, url } = request;
  return {
    "@context": "https://www.w3.org/ns/activitystreams",
    type: "OrderedCollection",
    id: url.href,
    name: feedTitle(request.deps.config, request.kind),
    totalItems,
    orderedItems: p.items.map((item) => item.iri),
    ...(p.nextCursor ? { next: withCursor(url, p.nextCursor).href } : {}),
  };
}
