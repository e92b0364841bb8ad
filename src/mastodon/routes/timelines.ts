import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { PodDeps } from "../../federation/deps.ts";
import type { SocialService } from "../../social/service.ts";
import { MastodonError, recordNotFound } from "../errors.ts";
import { pageQuery, setLinkHeader, toPage } from "../paging.ts";
import type { Presenter } from "../present.ts";
import { readsAsPod } from "../auth.ts";

const notificationTypes = z.union([z.string(), z.array(z.string()).max(20)]).optional();
const list = (value: string | string[] | undefined) =>
  value === undefined ? undefined : Array.isArray(value) ? value : [value];

/** Home and public timelines, notifications and markers. */
export const timelineRoutes: FastifyPluginAsyncZod<{
  deps: PodDeps;
  social: SocialService;
  present: Presenter;
}> = async (app, { deps, social, present }) => {
  const { timelines } = social;

  app.get(
    "/api/v1/timelines/home",
    { config: { scope: "read:statuses", user: true }, schema: { querystring: pageQuery() } },
    async (request, reply) => {
      const rows = await timelines.home(toPage(request.query));
      setLinkHeader(request, reply, deps.config.url, rows);
      return present.statuses(rows);
    },
  );

  app.get(
    "/api/v1/timelines/public",
    {
      schema: {
        querystring: pageQuery().extend({
          local: z.stringbool().optional(),
          remote: z.stringbool().optional(),
          only_media: z.stringbool().optional(),
        }),
      },
    },
    async (request, reply) => {
      if (request.query.only_media || (request.query.remote && request.query.local)) return [];
      const rows = request.query.remote
        ? []
        : await timelines.public(toPage(request.query), request.query.local ?? false);
      setLinkHeader(request, reply, deps.config.url, rows);
      return present.statuses(rows, readsAsPod(request));
    },
  );

  app.get("/api/v1/timelines/tag/:tag", async () => []);

  app.get(
    "/api/v1/notifications",
    {
      config: { scope: "read:notifications", user: true },
      schema: {
        querystring: pageQuery(40, 80).extend({
          types: notificationTypes,
          "types[]": notificationTypes,
          exclude_types: notificationTypes,
          "exclude_types[]": notificationTypes,
        }),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const rows = await timelines.notifications(
        toPage(q),
        list(q["types[]"] ?? q.types),
        list(q["exclude_types[]"] ?? q.exclude_types),
      );
      setLinkHeader(request, reply, deps.config.url, rows);
      return present.notifications(rows);
    },
  );

  app.get(
    "/api/v1/notifications/:id",
    { config: { scope: "read:notifications", user: true }, schema: { params: z.object({ id: z.string().max(40) }) } },
    async (request) => {
      const row = await timelines.notification(request.params.id);
      const [entity] = row ? await present.notifications([row]) : [];
      if (!entity) throw recordNotFound();
      return entity;
    },
  );

  app.post("/api/v1/notifications/clear", { config: { scope: "write:notifications", user: true } }, async () => {
    await timelines.clearNotifications();
    return {};
  });

  app.post(
    "/api/v1/notifications/:id/dismiss",
    { config: { scope: "write:notifications", user: true }, schema: { params: z.object({ id: z.string().max(40) }) } },
    async (request) => {
      if (!(await timelines.dismiss(request.params.id))) throw recordNotFound();
      return {};
    },
  );

  const markerNames = z
    .union([z.enum(["home", "notifications"]), z.array(z.enum(["home", "notifications"])).max(2)])
    .optional();
  app.get(
    "/api/v1/markers",
    {
      config: { scope: "read:statuses", user: true },
      schema: { querystring: z.object({ timeline: markerNames, "timeline[]": markerNames }) },
    },
    async (request) => {
      const names = list(request.query["timeline[]"] ?? request.query.timeline) ?? [];
      return Object.fromEntries(
        (await timelines.markers(names)).map((m) => [
          m.timeline,
          { last_read_id: m.lastReadId, version: m.version, updated_at: new Date(m.updatedAt).toISOString() },
        ]),
      );
    },
  );

  const markerInput = z.object({ last_read_id: z.string().regex(/^\d{1,20}$/) }).optional();
  app.post(
    "/api/v1/markers",
    {
      config: { scope: "write:statuses", user: true },
      schema: { body: z.object({ home: markerInput, notifications: markerInput }) },
    },
    async (request) => {
      const entries = (["home", "notifications"] as const).filter((name) => request.body[name]);
      if (entries.length === 0) throw new MastodonError(422, "Validation failed: home or notifications is required");
      const set = [];
      for (const name of entries) {
        const m = await timelines.setMarker(name, request.body[name]!.last_read_id, deps.now());
        set.push([
          name,
          { last_read_id: m.lastReadId, version: m.version, updated_at: new Date(m.updatedAt).toISOString() },
        ]);
      }
      return Object.fromEntries(set);
    },
  );
};
