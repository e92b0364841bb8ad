import { cell, csvText } from "../http/csv-cell.ts";
import type { Context } from "@fedify/fedify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { roomsOf } from "../db/room-db.ts";
import type { PodDeps } from "../federation/deps.ts";
import { badRequest, notFound } from "../http/problem.ts";
import { actorIri } from "../publishing/iris.ts";
import { sendNegotiated } from "../publishing/negotiate.ts";
import { publicContext, renderPublic, sendPublic } from "../web/layout.ts";

import { formatMilli, type MetricType, parseMilli } from "./model.ts";
import { addMonths, MONTH } from "./months.ts";
import { reportPublicPage, totalsPage } from "./pages.ts";
import type { SovereigntyService } from "./service.ts";
import { reportToArticle, reportToNote } from "./to-as.ts";
import { confederalTotals, type TotalCell } from "./totals.ts";
import { type TotalsStore, totalsStore } from "./totals-store.ts";
import { INSTITUTIONS, METRIC_SLUG, METRIC_UNIT } from "./taxonomy.ts";

/** How many months one request of the totals may span. */
const MAX_MONTHS = 36;

const idParams = z.object({ id: z.string().uuid() });
const tags = ["sovereignty"];
/** How many months the totals show by default (two years). */
const DEFAULT_MONTHS = 24;

const entryBody = z
  .object({
    metric: z.string().max(40),
    date: z.string().max(10),
    quantity: z.union([z.string().max(20), z.number().min(0)]).transform(String),
    hours: z
      .union([z.string().max(20), z.number().min(0)])
      .transform(String)
      .optional(),
    service: z.string().max(40).optional(),
    note: z.string().max(500).optional(),
  })
  .strict();

/** Operator routes: ledger entries (one, or CSV all-or-nothing), corrections, reports; token required. */
export const adminSovereigntyRoutes: FastifyPluginAsyncZod<{ sovereignty: SovereigntyService; deps: PodDeps }> = async (
  app,
  { sovereignty, deps },
) => {
  const meta = { source: "api" as const, enteredBy: "operator" };
  const problem = (problems: { row?: number; column: string; message: string }[]) => {
    const first = problems[0]!;
    const where = first.row === undefined ? first.column : `row ${first.row}, ${first.column}`;
    const error = badRequest(`${where}: ${first.message}`, first.column);
    (error as unknown as { problems: unknown }).problems = problems;
    return error;
  };
  app.get("/sovereignty/metric-types", { schema: { tags } }, async () => ({ items: await sovereignty.metricTypes() }));
  app.post(
    "/sovereignty/metric-types",
    {
      schema: {
        tags,
        body: z
          .object({
            slug: z.string().regex(METRIC_SLUG),
            labelEn: z.string().trim().min(1).max(80),
            labelEs: z.string().trim().min(1).max(80),
            unit: z.string().trim().regex(METRIC_UNIT),
            category: z.string().max(40),
            replaces: z.enum(INSTITUTIONS),
            /** Hours of life liberated per unit, such as "0.5" (default 0). */
            defaultWeight: z
              .string()
              .regex(/^\d{1,9}(\.\d{1,3})?$/)
              .optional(),
          })
          .strict(),
      },
    },
    async (request, reply) => {
      const { defaultWeight, ...type } = request.body;
      const defaultWeightMilli = defaultWeight === undefined ? 0 : (parseMilli(defaultWeight) ?? 0);
      return reply.code(201).send(await sovereignty.addMetricType({ ...type, defaultWeightMilli }));
    },
  );
  app.get(
    "/sovereignty/entries",
    { schema: { tags, querystring: z.object({ month: z.string().regex(MONTH).optional() }) } },
    async (request) => {
      const month = request.query.month;
      return {
        items: await sovereignty.entries(
          month ? { from: `${month}-01`, to: `${addMonths(month, 1)}-01` } : { limit: 500 },
        ),
      };
    },
  );
  app.post("/sovereignty/entries", { schema: { tags, body: entryBody } }, async (request, reply) => {
    const result = await sovereignty.addEntry(request.body as Record<string, string>, meta);
    if (!result.entry) throw problem(result.problems);
    return reply.code(201).send(result.entry);
  });
  app.post(
    "/sovereignty/entries.csv",
    { schema: { tags, body: z.object({ csv: z.string().max(200_000) }).strict() } },
    async (request, reply) => {
      const result = await sovereignty.importCsv(request.body.csv, { source: "csv", enteredBy: "operator" });
      if (result.problems.length > 0) throw problem(result.problems);
      return reply.code(201).send({ imported: result.entries.length });
    },
  );
  app.post(
    "/sovereignty/entries/:id/correction",
    { schema: { tags, params: idParams, body: entryBody } },
    async (request, reply) => {
      const result = await sovereignty.correct(request.params.id, request.body as Record<string, string>, meta);
      if (!result.entry) throw problem(result.problems);
      return reply.code(201).send(result.entry);
    },
  );
  app.get("/sovereignty/entries/:id/history", { schema: { tags, params: idParams } }, async (request) => ({
    items: await sovereignty.history(request.params.id),
  }));
  app.get("/sovereignty/reports", { schema: { tags } }, async () => ({ items: await sovereignty.list() }));
  // A month before last may be given: a report the pod did not write at the time (default: last month). The body
  // is read here, not declared: a route with a body schema refuses a request without one.
  const draftBody = z
    .object({ month: z.string().regex(MONTH).optional() })
    .strict()
    .optional();
  app.post("/sovereignty/reports/draft", { schema: { tags } }, async (request, reply) => {
    const body = draftBody.safeParse(request.body ?? undefined);
    if (!body.success) throw badRequest('"month" is a month such as 2026-10', "month");
    return reply.code(201).send(await sovereignty.draftFor(deps.now(), "en", body.data?.month));
  });
  app.post("/sovereignty/reports/:id/publish", { schema: { tags, params: idParams } }, async (request) =>
    sovereignty.publish(request.params.id),
  );
};

/**
 * The totals the view shows, of one metric type or all: months [from, to], or the 24 up to the latest reported.
 * Each stored row is already a pod's latest report for its month (totals-store.ts).
 */
export async function viewTotals(
  store: TotalsStore,
  types: MetricType[],
  query: { metricIri?: string; from?: string; to?: string },
): Promise<TotalCell[]> {
  const weights = new Map(types.map((type) => [type.iri, type.weightMilli]));
  let { from, to } = query;
  if (!from || !to) {
    const latest = await store.latestMonth(query.metricIri);
    if (!latest) return [];
    to = latest;
    from = addMonths(latest, 1 - DEFAULT_MONTHS);
  }
  return confederalTotals(store, { metricIri: query.metricIri, from, to }, weights);
}

/** Public: published reports (Article / Note / page at one URL), custom metric IRIs, the confederal totals. */
export const publicSovereigntyRoutes: FastifyPluginAsyncZod<{
  deps: PodDeps;
  sovereignty: SovereigntyService;
  contextFor: () => Context<null>;
  neighborPods: () => Promise<{ actorIri: string; name: string; handle: string | null }[]>;
}> = async (app, { deps, sovereignty, contextFor, neighborPods }) => {
  const figures = totalsStore(roomsOf(deps));
  const published = async (id: string) => {
    const row = await sovereignty.get(id);
    if (row.status !== "published") throw notFound(`no report ${id}`);
    return row;
  };
  app.get("/reports/:id", { schema: { params: idParams, hide: true } }, async (request, reply) => {
    const row = await published(request.params.id);
    const ctx = publicContext(request, reply, deps.config);
    return sendNegotiated(request, reply, reportToArticle(contextFor(), deps.config, row), () =>
      renderPublic(ctx, reply, reportPublicPage(ctx, row)),
    );
  });
  app.get("/reports/:id/note", { schema: { params: idParams, hide: true } }, async (request, reply) => {
    const row = await published(request.params.id);
    const ctx = publicContext(request, reply, deps.config);
    return sendNegotiated(request, reply, reportToNote(contextFor(), deps.config, row), () =>
      renderPublic(ctx, reply, reportPublicPage(ctx, row)),
    );
  });
  app.get("/metrics", { schema: { hide: true } }, async () => ({ items: await sovereignty.metricTypes() }));
  app.get(
    "/metrics/:slug",
    { schema: { params: z.object({ slug: z.string().max(40) }), hide: true } },
    async (request) => {
      const type = (await sovereignty.metricTypes()).find((x) => x.slug === request.params.slug && !x.shared);
      if (!type) throw notFound(`no metric type "${request.params.slug}"`);
      return type;
    },
  );

  const monthsQuery = z.object({
    metric: z.string().max(40).optional(),
    from: z.string().regex(MONTH).optional(),
    to: z.string().regex(MONTH).optional(),
    lang: z.string().max(5).optional(),
  });
  async function totals(query: z.infer<typeof monthsQuery>) {
    const types = await sovereignty.metricTypes();
    const chosen = types.find((x) => x.slug === query.metric);
    if (query.metric && !chosen) throw badRequest(`unknown metric type "${query.metric}"`, "metric");
    // A bounded read per request: at most three years of months.
    if (query.from && query.to && query.to > addMonths(query.from, MAX_MONTHS - 1))
      throw badRequest(`at most ${MAX_MONTHS} months at once`, "to");
    return {
      types,
      chosen,
      cells: await viewTotals(figures, types, { metricIri: chosen?.iri, from: query.from, to: query.to }),
    };
  }
  // Read only when there are cells to name.
  const podNames = async (cells: unknown[]) => {
    const names = new Map<string, string>();
    if (cells.length > 0) {
      for (const pod of await neighborPods()) names.set(pod.actorIri, pod.handle ?? pod.name);
      names.set(actorIri(deps.config).href, deps.config.name);
    }
    return (iri: string) => names.get(iri) ?? new URL(iri).host;
  };

  app.get(
    "/confederation/sovereignty",
    { schema: { querystring: monthsQuery, hide: true } },
    async (request, reply) => {
      const { types, cells } = await totals(request.query);
      const withData = new Set(cells.map((c) => c.metricIri));
      const chosen =
        types.find((x) => x.slug === request.query.metric) ?? types.find((x) => withData.has(x.iri)) ?? types[0]!;
      const ctx = publicContext(request, reply, deps.config);
      return sendPublic(
        ctx,
        reply,
        totalsPage(ctx, {
          types,
          metricIri: chosen.iri,
          cells,
          podName: await podNames(cells),
        }),
      );
    },
  );

  app.get("/view/sovereignty", { schema: { querystring: monthsQuery, hide: true } }, async (request) => {
    const { cells } = await totals(request.query);
    return {
      items: cells.map((c) => ({
        ...c,
        quantity: formatMilli(c.quantityMilli),
        hoursLiberated: c.liberatedMilli === null ? null : formatMilli(c.liberatedMilli),
        hoursPerUnit: c.weightMilli === null ? null : formatMilli(c.weightMilli),
      })),
    };
  });

  app.get("/view/sovereignty.csv", { schema: { querystring: monthsQuery, hide: true } }, async (request, reply) => {
    const { cells } = await totals(request.query);
    const csv = csvText(
      cells.map((c) => [
        c.month,
        cell(c.metricIri),
        cell(c.unit),
        formatMilli(c.quantityMilli),
        c.weightMilli === null ? "" : formatMilli(c.weightMilli),
        c.liberatedMilli === null ? "" : formatMilli(c.liberatedMilli),
        c.podCount,
        c.pods?.join(" ") ?? "",
        c.fewerThanCount,
        c.fewerThan ?? "",
        c.fewerThanPods?.join(" ") ?? "",
      ]),
      {
        header: true,
        columns: [
          "month",
          "metric",
          "unit",
          "total",
          "hours_per_unit",
          "hours_liberated",
          "pods_reporting",
          "pods",
          "pods_fewer_than",
          "fewer_than",
          "pods_with_fewer_than",
        ],
        record_delimiter: "windows",
      },
    );
    return reply
      .type("text/csv; charset=utf-8")
      .header("content-disposition", 'inline; filename="sovereignty.csv"')
      .send(csv);
  });
};
