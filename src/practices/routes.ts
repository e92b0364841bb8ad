import type { Context } from "@fedify/fedify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { PodDeps } from "../federation/deps.ts";
import { notFound } from "../http/problem.ts";
import { sendNegotiated } from "../publishing/negotiate.ts";
import { practiceToArticle, practiceToNote } from "./to-as.ts";
import { practiceInputSchema, practiceListQuery, practicePatchSchema } from "./model.ts";
import { practicePage, practicesListPage, tagPage } from "./pages.ts";
import { publicContext, renderPublic, sendPublic } from "../web/layout.ts";
import type { PracticesService } from "./service.ts";
import type { GuideLink } from "../publishing/guides.ts";

const idParams = z.object({ id: z.string().uuid() });
const tags = ["practices"];

/** Operator routes for practices (mounted under the admin prefix, token required). */
export const adminPracticeRoutes: FastifyPluginAsyncZod<{ practices: PracticesService }> = async (
  app,
  { practices },
) => {
  app.post("/practices", { schema: { tags, body: practiceInputSchema } }, async (request, reply) =>
    reply.code(201).send(await practices.create(request.body)),
  );
  app.get("/practices", { schema: { tags, querystring: practiceListQuery } }, async (request) => {
    const rows = await practices.list(request.query);
    return { items: rows, nextCursor: rows.length === request.query.limit ? rows.at(-1)!.id : null };
  });
  app.get("/practices/:id", { schema: { tags, params: idParams } }, async (request) =>
    practices.get(request.params.id),
  );
  app.patch("/practices/:id", { schema: { tags, params: idParams, body: practicePatchSchema } }, async (request) =>
    practices.update(request.params.id, request.body),
  );
  app.post("/practices/:id/withdraw", { schema: { tags, params: idParams } }, async (request) =>
    practices.withdraw(request.params.id),
  );
};

/**
 * Public: each practice at its id, ActivityPub Article JSON or HTML; its companion Note beside it. A withdrawn practice
 * answers 410 from the tombstone hook before this route runs; the 404 here only covers a row whose tombstone is
 * missing.
 */
export const publicPracticeRoutes: FastifyPluginAsyncZod<{
  deps: PodDeps;
  practices: PracticesService;
  contextFor: () => Context<null>;
  /** The public lesson learned a practice grew from (the memory room keeps that link). */
  lessonOf?: (practiceId: string) => Promise<GuideLink | undefined>;
}> = async (app, { deps, practices, contextFor, lessonOf }) => {
  const published = () => practices.list({ status: "published", limit: 200 });
  app.get("/practices", { schema: { hide: true } }, async (request, reply) => {
    const ctx = publicContext(request, reply, deps.config);
    return sendPublic(ctx, reply, practicesListPage(ctx, await published()));
  });
  app.get(
    "/tags/:tag",
    { schema: { params: z.object({ tag: z.string().max(100) }), hide: true } },
    async (request, reply) => {
      const ctx = publicContext(request, reply, deps.config);
      const tag = request.params.tag.toLowerCase();
      const rows = (await published()).filter((p) => p.tags.some((t) => t.toLowerCase() === tag));
      return sendPublic(ctx, reply, tagPage(ctx, request.params.tag, rows));
    },
  );
  app.get("/practices/:id", { schema: { params: idParams, hide: true } }, async (request, reply) => {
    const row = await practices.get(request.params.id);
    if (row.status === "withdrawn") throw notFound(`no practice ${request.params.id}`);
    const article = practiceToArticle(contextFor(), deps.config, row);
    const ctx = publicContext(request, reply, deps.config);
    const lesson = await lessonOf?.(row.id);
    return sendNegotiated(request, reply, article, () => renderPublic(ctx, reply, practicePage(ctx, row, lesson)));
  });
  app.get("/practices/:id/note", { schema: { params: idParams, hide: true } }, async (request, reply) => {
    const row = await practices.get(request.params.id);
    if (row.status === "withdrawn") throw notFound(`no practice ${request.params.id}`);
    const note = practiceToNote(contextFor(), deps.config, row);
    const ctx = publicContext(request, reply, deps.config);
    const lesson = await lessonOf?.(row.id);
    return sendNegotiated(request, reply, note, () => renderPublic(ctx, reply, practicePage(ctx, row, lesson)));
  });
};
