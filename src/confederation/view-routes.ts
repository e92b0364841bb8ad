import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { PodDeps } from "../federation/deps.ts";
import { badRequest } from "../http/problem.ts";
import {
  FEED_CONTENT_TYPES,
  atomFeed,
  csvFeed,
  pageFor,
  jsonFeed,
  orderedCollection,
  withCursor,
  type FeedKind,
  type FeedRequest,
} from "./feeds.ts";
import { toFilters, viewFilterSchema, type ViewFilters, type ViewKind, type ViewQuery } from "./filters.ts";
import { PUBLISHED_KINDS } from "../publishing/kinds.ts";
import { barterTable } from "./matching.ts";
import { serviceMap } from "./service-map.ts";
import { practiceSpread } from "./spread.ts";
import { viewPage } from "./view-present.ts";
import { countRows, viewOf } from "./view-query.ts";

const LISTS: { path: string; kind: ViewKind }[] = PUBLISHED_KINDS.map((k) => ({ path: k.view.list, kind: k.name }));

const FEEDS = PUBLISHED_KINDS.filter((k) => k.view.feeds).map((k) => ({ path: k.view.list, kind: k.name as FeedKind }));

/** The query's filters for a route that serves one kind; a different `kind` is refused by name. */
function filtersFor(query: ViewQuery, kind: ViewKind, allowed: readonly ViewKind[] = [kind]): ViewFilters {
  if (query.kind && !allowed.includes(query.kind)) {
    throw badRequest(`kind must be ${allowed.join(" or ")} here`, "querystring.kind");
  }
  return toFilters(query, query.kind ?? kind);
}

/**
 * The confederal view, public and read-only: lists, the barter table, the service map, practice spread,
 * and feeds of surplus and needs. All take the same filters (see filters.ts).
 */
export const viewRoutes: FastifyPluginAsyncZod<{ deps: PodDeps }> = async (app, { deps }) => {
  const querystring = viewFilterSchema(deps);
  const view = viewOf(deps);
  const tags = ["view"];
  // Public: no operator token (the OpenAPI document's default security names one).
  const security: [] = [];
  const schema = { querystring, tags, security };

  /** The URL asked for, on the pod's configured public origin (never the Host header). */
  const urlOf = (request: FastifyRequest) => new URL(`${deps.config.url.origin}${request.url}`);

  for (const { path, kind } of LISTS) {
    app.get(`/view/${path}`, { schema }, async (request) => {
      const { items, nextCursor } = await viewPage(view, filtersFor(request.query, kind), "view", { content: false });
      return { items, nextCursor };
    });
  }

  for (const { path, kind } of FEEDS) {
    const feedRequest = async (request: FastifyRequest<{ Querystring: ViewQuery }>): Promise<FeedRequest> => ({
      deps,
      kind,
      page: await viewPage(view, filtersFor(request.query, kind)),
      url: urlOf(request),
    });
    const send = (reply: FastifyReply, feed: FeedRequest, type: string, body: string) => {
      if (feed.page.nextCursor)
        reply.header("link", `<${withCursor(feed.url, feed.page.nextCursor).href}>; rel="next"`);
      return reply.type(type).send(body);
    };

    app.get(`/view/${path}.atom`, { schema }, async (request, reply) => {
      const feed = await feedRequest(request);
      return send(reply, feed, FEED_CONTENT_TYPES.atom, atomFeed(feed));
    });
    app.get(`/view/${path}.json`, { schema }, async (request, reply) => {
      const feed = await feedRequest(request);
      return send(reply, feed, FEED_CONTENT_TYPES.json, JSON.stringify(jsonFeed(feed)));
    });
    app.get(`/view/${path}.csv`, { schema }, async (request, reply) => {
      const feed = await feedRequest(request);
      reply.header("content-disposition", `inline; filename="${path}.csv"`);
      return send(reply, feed, FEED_CONTENT_TYPES.csv, csvFeed(feed.page.items));
    });
    // The printable page became the view's page for people; old links and bookmarks keep working.
    app.get(`/view/${path}.html`, { schema: { hide: true } }, async (request, reply) => {
      const target = pageFor(urlOf(request), kind);
      return reply.redirect(`${target.pathname}${target.search}`, 301);
    });
    app.get(`/view/${path}/collection`, { schema }, async (request, reply) => {
      const feed = await feedRequest(request);
      const total = await countRows(view, filtersFor(request.query, kind));
      return send(reply, feed, FEED_CONTENT_TYPES.collection, JSON.stringify(orderedCollection(feed, total)));
    });
  }

  // kind=need (default): each need with the offers that could meet it; kind=offer: the mirror.
  app.get("/view/matches", { schema }, async (request) => {
    const filters = filtersFor(request.query, "need", ["need", "offer"]) as ViewFilters & { kind: "need" | "offer" };
    return barterTable(view, filters);
  });

  app.get("/view/service-map", { schema: { tags, security } }, async () => serviceMap(view));

  app.get("/view/practice-spread", { schema }, async (request) =>
    practiceSpread(view, filtersFor(request.query, "practice") as ViewFilters & { kind: "practice" }),
  );
};
