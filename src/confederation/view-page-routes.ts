import { categoryName } from "../categories/names.ts";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import type { PodDeps } from "../federation/deps.ts";
import { amountsOf } from "../offers/quantity.ts";
import { publicContext, sendPublic } from "../web/layout.ts";
import { html } from "../webapp/html.ts";
import { MAX_LIMIT, toFilters, viewFilterSchema, type ViewFilters, type ViewQuery } from "./filters.ts";
import { barterTable } from "./matching.ts";
import { serviceMap } from "./service-map.ts";
import { adoptionCounts, practiceSpread } from "./spread.ts";
import { memoryViewPage } from "./view-memory-page.ts";
import {
  chartersPage,
  Tabs,
  matchesPage,
  practicesPage,
  servicesPage,
  viewListPage,
  type ViewNav,
} from "./view-pages.ts";
import { type CategoryRef, categoryIndex, neighborPodChoices, viewPage, type ViewItem } from "./view-present.ts";
import { knownPlaces, listRows, viewOf, type ViewSource } from "./view-query.ts";

/** Form fields the filter schema does not take: the own-items switch and the barter table's side. */
const PAGE_ONLY = new Set(["own", "side", "lang"]);
/** How long the filter form's list of named places is kept. */
const PLACES_KEPT_MS = 60_000;
/** Totals add up at most this many objects (a thousand took 11 ms at 100,000 objects; the page says so). */
const TOTALS_OBJECTS = MAX_LIMIT;

/**
 * The confederal view as pages for people: surplus and needs with a filter form and totals, the barter table,
 * the service map, charters and practices across pods. The JSON API, feeds and CSV stay under /view.
 */
export const viewPageRoutes: FastifyPluginAsync<{ deps: PodDeps }> = async (app, { deps }) => {
  const schema = viewFilterSchema(deps);
  const view = viewOf(deps);
  // The form's named places sum the coordinates of every object in the view (73 ms at 100,000 objects): read at
  // most once a minute, so a place first seen may take that long to be offered.
  let placesRead: { at: number; list: ReturnType<typeof knownPlaces> } | undefined;
  const places = () => {
    const now = performance.now();
    if (!placesRead || now - placesRead.at > PLACES_KEPT_MS) {
      const list = knownPlaces(view);
      placesRead = { at: now, list };
      list.catch(() => {
        if (placesRead?.list === list) placesRead = undefined;
      });
    }
    return placesRead.list;
  };

  /** The form's query: empty fields dropped, parsed by the API's own schema; errors as "field: message" lines. */
  async function parse(request: FastifyRequest) {
    const raw = (request.query ?? {}) as Record<string, unknown>;
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(raw)) {
      if (typeof value === "string" && value.trim() !== "" && !Object.hasOwn(Object.prototype, key))
        query.set(key, value);
    }
    const filterInput = Object.fromEntries([...query].filter(([key]) => !PAGE_ONLY.has(key)));
    const parsed = schema.safeParse(filterInput);
    const own = query.get("own") === "1";
    query.delete("cursor");
    query.delete("lang");
    const nav: ViewNav = {
      query,
      categories: view.categories().map((c) => ({ iri: c.iri, slug: c.slug, label: c.label })),
      pods: await neighborPodChoices(view),
      places: await places(),
    };
    if (parsed.success) return { nav, own, query: parsed.data, errors: undefined };
    const errors = parsed.error.issues.map((issue) => `${issue.path.join(".") || "query"}: ${issue.message}`);
    return { nav, own, query: schema.parse({}), errors };
  }

  const send = (request: FastifyRequest, reply: FastifyReply, page: Parameters<typeof sendPublic>[2]) =>
    sendPublic(publicContext(request, reply, deps.config), reply, page);

  for (const [path, kind] of [
    ["/confederation", "offer"],
    ["/confederation/needs", "need"],
  ] as const) {
    app.get(path, { schema: { hide: true } }, async (request, reply) => {
      const { nav, own, query, errors } = await parse(request);
      const filters = toFilters(query, kind);
      const source = own ? "view+own" : "view";
      const page = await viewPage(view, filters, source, { content: false });
      const ctx = publicContext(request, reply, deps.config);
      return send(
        request,
        reply,
        viewListPage(ctx, nav, {
          kind,
          ...page,
          ...(await totalsOf(filters, source, (c) => categoryName(ctx.t, c))),
          errors,
        }),
      );
    });
  }

  /**
   * Available amounts per category and unit over the objects the filters select, the first TOTALS_OBJECTS in the
   * page's order: their rows in one read, not presented (pod names, paths) as a page's items are. Whether the
   * bound was reached, for the page to say.
   */
  async function totalsOf(filters: ViewFilters, source: ViewSource, name: (category: CategoryRef) => string) {
    const sums = new Map<string, { category: string; unit: string; amount: number; count: number }>();
    const { rows, next } = await listRows(view, { ...filters, cursor: undefined, limit: TOTALS_OBJECTS }, source, {
      content: false,
    });
    const category = categoryIndex(view);
    for (const row of rows) add(sums, { category: category(row.categoryIri), ...amountsOf(row) }, name);
    return {
      totals: [...sums.values()].sort((a, b) => a.category.localeCompare(b.category) || a.unit.localeCompare(b.unit)),
      totalsOfFirst: next ? TOTALS_OBJECTS : undefined,
    };
  }

  app.get("/confederation/matches", { schema: { hide: true } }, async (request, reply) => {
    const { nav, query, errors } = await parse(request);
    const side = nav.query.get("side") === "offer" ? "offer" : "need";
    const filters = toFilters(query as ViewQuery, side) as ViewFilters & { kind: "need" | "offer" };
    const table = await barterTable(view, { ...filters, limit: Math.min(filters.limit, 50) });
    const ctx = publicContext(request, reply, deps.config);
    return send(request, reply, matchesPage(ctx, nav, { side, items: table.items, errors }));
  });

  app.get("/confederation/services", { schema: { hide: true } }, async (request, reply) =>
    send(request, reply, servicesPage(publicContext(request, reply, deps.config), await serviceMap(view))),
  );

  app.get("/confederation/charters", { schema: { hide: true } }, async (request, reply) => {
    const { query } = await parse(request);
    const { items } = await viewPage(view, { ...toFilters(query, "charter"), limit: 200 }, "view+own", {
      content: false,
    });
    return send(request, reply, chartersPage(publicContext(request, reply, deps.config), items));
  });

  app.get("/confederation/practices", { schema: { hide: true } }, async (request, reply) => {
    const { nav, query } = await parse(request);
    const spread = await practiceSpread(view, toFilters(query, "practice") as ViewFilters & { kind: "practice" });
    const ctx = publicContext(request, reply, deps.config);
    return send(request, reply, practicesPage(ctx, nav, spread.items, spread.nextCursor));
  });

  app.get("/confederation/memory", { schema: { hide: true } }, async (request, reply) => {
    const { query, nav } = await parse(request);
    const { items } = await viewPage(view, { ...toFilters(query, "memory"), limit: 200 }, "view+own", {
      content: false,
    });
    const adopted = await adoptionCounts(
      view,
      items.map((item) => item.iri),
    );
    const ctx = publicContext(request, reply, deps.config);
    const tabs = html`<${Tabs} ctx=${ctx} here="/confederation/memory" />`;
    const rows = items.map((item) => ({ item, adaptedBy: adopted.get(item.iri) ?? 0 }));
    const feedQuery = new URLSearchParams([...nav.query].filter(([key]) => !PAGE_ONLY.has(key)));
    const search = feedQuery.toString();
    return send(request, reply, memoryViewPage(ctx, tabs, rows, search ? `?${search}` : ""));
  });
};

function add(
  sums: Map<string, { category: string; unit: string; amount: number; count: number }>,
  item: Pick<ViewItem, "category" | "unit" | "available" | "quantity">,
  name: (category: CategoryRef) => string,
) {
  const category = item.category ? name(item.category) : "—";
  const unit = item.unit ?? "";
  const key = `${category}\u0000${unit}`;
  const row = sums.get(key) ?? { category, unit, amount: 0, count: 0 };
  row.amount = Math.round((row.amount + Number(item.available ?? item.quantity ?? 0)) * 1000) / 1000;
  row.count += 1;
  sums.set(key, row);
}
