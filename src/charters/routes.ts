import type { Context } from "@fedify/fedify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireCategory } from "../categories/service.ts";
import type { PodDeps } from "../federation/deps.ts";
import { notFound } from "../http/problem.ts";
import { sendNegotiated, wantsActivityPub } from "../publishing/negotiate.ts";
import { charterIri, revisionIri } from "../publishing/iris.ts";
import { charterToArticle, charterToNote, serviceToProposal } from "./to-as.ts";
import { charterInputSchema } from "./model.ts";
import { charterPage, historyPage, noCharterPage, type MonthlyProgress } from "./pages.ts";
import type { FastifyReply, FastifyRequest } from "fastify";
import { publicContext, renderPublic, sendPublic, type PublicPage } from "../web/layout.ts";
import type { ChartersService } from "./service.ts";
import { withCirclesHeld } from "../care/public.ts";
import { careService } from "../care/service.ts";
import { roomsOf } from "../db/room-db.ts";

/** Operator routes for the charter (mounted under the admin prefix, token required). */
export const adminCharterRoutes: FastifyPluginAsyncZod<{ charters: ChartersService }> = async (app, { charters }) => {
  const tags = ["charter"];
  app.put("/charter", { schema: { tags, body: charterInputSchema } }, async (request, reply) =>
    reply.code(201).send(await charters.publish(request.body)),
  );
  app.get("/charter", { schema: { tags } }, async () => {
    const charter = charters.current();
    if (!charter) throw notFound("this pod has not published a charter yet");
    return charter;
  });
  app.get("/charter/revisions", { schema: { tags } }, async () => ({ items: await charters.history() }));
  app.get(
    "/charter/revisions/:number",
    { schema: { tags, params: z.object({ number: z.coerce.number().int().positive() }) } },
    async (request) => charters.revision(request.params.number),
  );
  app.post("/charter/review", { schema: { tags } }, async () => charters.review());
};

interface PublicOptions {
  deps: PodDeps;
  charters: ChartersService;
  contextFor: () => Context<null>;
  /** The latest monthly report's progress toward the next service (the sovereignty room), if any. */
  monthlyProgress?: () => Promise<MonthlyProgress | null>;
}

/** Public: the charter, its companion Note, its services and its history, each as AP JSON or HTML. */
export const publicCharterRoutes: FastifyPluginAsyncZod<PublicOptions> = async (
  app,
  { deps, charters, contextFor, monthlyProgress },
) => {
  const { config, rooms } = deps;
  const categoryOf = (slug: string) => requireCategory(rooms, config, slug, "category");
  const currentCharter = () => {
    const charter = charters.current();
    if (!charter) throw notFound("this pod has not published a charter yet");
    return charter;
  };
  const hide = true;

  const page =
    (request: FastifyRequest, reply: FastifyReply, make: (ctx: ReturnType<typeof publicContext>) => PublicPage) =>
    () => {
      const ctx = publicContext(request, reply, config);
      return renderPublic(ctx, reply, make(ctx));
    };

  const care = careService(roomsOf(deps), deps.now, () => config.timeZone);
  app.get("/charter", { schema: { hide } }, async (request, reply) => {
    // Every page links the charter: before the first one, people read that it is coming (pods get a 404).
    if (!charters.current() && !wantsActivityPub(request)) {
      const ctx = publicContext(request, reply, config);
      return renderPublic(ctx, reply, noCharterPage(ctx));
    }
    const charter = currentCharter();
    const rotated = charters.rotatedRoles();
    const article = charterToArticle(contextFor(), config, charter, categoryOf, charterIri(config), rotated);
    const progress = wantsActivityPub(request) ? null : await monthlyProgress?.();
    const circlesHeld = wantsActivityPub(request) ? [] : await care.circlesHeldPerMonth();
    return sendNegotiated(
      request,
      reply,
      article,
      page(request, reply, (ctx) =>
        withCirclesHeld(ctx, charterPage(ctx, charter, categoryOf, undefined, rotated, progress), circlesHeld),
      ),
    );
  });
  app.get("/charter/note", { schema: { hide } }, async (request, reply) => {
    const charter = currentCharter();
    const rotated = charters.rotatedRoles();
    return sendNegotiated(
      request,
      reply,
      charterToNote(contextFor(), config, charter, rotated),
      page(request, reply, (ctx) => charterPage(ctx, charter, categoryOf, undefined, rotated)),
    );
  });
  app.get("/charter/history", { schema: { hide } }, async (request, reply) =>
    sendPublic(
      publicContext(request, reply, config),
      reply,
      historyPage(publicContext(request, reply, config), await charters.history()),
    ),
  );
  app.get(
    "/charter/revisions/:number",
    { schema: { hide, params: z.object({ number: z.coerce.number().int().positive() }) } },
    async (request, reply) => {
      const charter = await charters.revision(request.params.number);
      const article = charterToArticle(contextFor(), config, charter, categoryOf, revisionIri(config, charter.number));
      return sendNegotiated(
        request,
        reply,
        article,
        page(request, reply, (ctx) => charterPage(ctx, charter, categoryOf, charter.number)),
      );
    },
  );
  app.get(
    "/charter/services/:key",
    { schema: { hide, params: z.object({ key: z.string().max(40) }) } },
    async (request, reply) => {
      const charter = currentCharter();
      const proposal = serviceToProposal(contextFor(), config, charter, request.params.key, categoryOf);
      if (!proposal) throw notFound(`no service ${request.params.key} in the charter`);
      return sendNegotiated(
        request,
        reply,
        proposal,
        page(request, reply, (ctx) => charterPage(ctx, charter, categoryOf, undefined, charters.rotatedRoles())),
      );
    },
  );
};
