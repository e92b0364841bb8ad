import type { Context } from "@fedify/fedify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { PodDeps } from "../federation/deps.ts";
import { notFound } from "../http/problem.ts";
import { sendNegotiated } from "../publishing/negotiate.ts";
import { publicContext, renderPublic, sendPublic } from "../web/layout.ts";
import { entryInputSchema, entryPatchSchema } from "./model.ts";
import { entryPage, memoryListPage, memorySearchPage } from "./pages.ts";
import type { MemoryService } from "./service.ts";
import { entryToArticle, entryToNote, type PublicEntry } from "./to-as.ts";
import { memoryAtom, memoryJsonFeed } from "./to-feed.ts";
import { sendGuideFile } from "./guide-file.ts";

const idParams = z.object({ id: z.string().uuid() });
const tags = ["memory"];

/** Operator routes for the pod's memory (under the admin prefix, token required). */
export const adminMemoryRoutes: FastifyPluginAsyncZod<{ memory: MemoryService }> = async (app, { memory }) => {
  app.post("/memory", { schema: { tags, body: entryInputSchema } }, async (request, reply) =>
    reply.code(201).send(await memory.create(request.body)),
  );
  app.get("/memory", { schema: { tags } }, async () => ({ items: await memory.list() }));
  app.get("/memory/:id", { schema: { tags, params: idParams } }, async (request) => memory.get(request.params.id));
  app.patch("/memory/:id", { schema: { tags, params: idParams, body: entryPatchSchema } }, async (request) =>
    memory.update(request.params.id, request.body),
  );
  app.post(
    "/memory/:id/visibility",
    { schema: { tags, params: idParams, body: z.object({ visibility: z.enum(["internal", "public"]) }).strict() } },
    async (request) => memory.setVisibility(request.params.id, request.body.visibility),
  );
  app.post("/memory/:id/withdraw", { schema: { tags, params: idParams } }, async (request) =>
    memory.withdraw(request.params.id),
  );
  app.post(
    "/memory/:id/supersede",
    { schema: { tags, params: idParams, body: z.object({ by: z.string().uuid() }).strict() } },
    async (request) => memory.supersede(request.params.id, request.body.by),
  );
};

/**
 * Public: the list, a search over public entries, the feeds, and each public entry at its IRI (ActivityPub
 * Article or HTML) with its companion Note. Internal and withdrawn entries are not found here; a withdrawn
 * or unpublished one answers 410 from the tombstone hook before this route runs.
 */
export const publicMemoryRoutes: FastifyPluginAsyncZod<{
  deps: PodDeps;
  memory: MemoryService;
  contextFor: () => Context<null>;
}> = async (app, { deps, memory, contextFor }) => {
  const { config } = deps;
  const entry = async (publicationId: string): Promise<PublicEntry> => {
    const row = await memory.publishedByPublicationId(publicationId);
    if (!row) throw notFound(`no public entry ${publicationId}`);
    return row;
  };

  app.get("/memory", { schema: { hide: true } }, async (request, reply) => {
    const ctx = publicContext(request, reply, config);
    return sendPublic(ctx, reply, memoryListPage(ctx, await memory.published(200)));
  });
  app.get(
    "/memory/search",
    { schema: { hide: true, querystring: z.object({ q: z.string().max(200).default("") }) } },
    async (request, reply) => {
      const ctx = publicContext(request, reply, config);
      const found = (await memory.search(request.query.q, true)).filter((row) => row.publicationId);
      const rows = await Promise.all(found.map((row) => memory.withLinks(row as PublicEntry)));
      return sendPublic(ctx, reply, memorySearchPage(ctx, request.query.q, rows));
    },
  );
  app.get("/memory.atom", { schema: { hide: true } }, async (_request, reply) =>
    reply.type("application/atom+xml; charset=utf-8").send(memoryAtom(config, await memory.published(50), deps.now())),
  );
  app.get("/memory.json", { schema: { hide: true } }, async (_request, reply) =>
    reply
      .type("application/feed+json; charset=utf-8")
      .send(memoryJsonFeed(config, await memory.published(50), deps.now())),
  );
  // Uploaded guides: public ones only, as PDF and nothing else (see guide-file.ts).
  app.get(
    "/memory/guides/:file",
    { schema: { params: z.object({ file: z.string().max(80) }), hide: true } },
    async (request, reply) => {
      const id = /^([0-9a-f-]{36})\.pdf$/.exec(request.params.file)?.[1];
      const upload = id ? await memory.uploads.get(id) : undefined;
      const file = upload?.visibility === "public" ? memory.uploads.open(upload.id) : null;
      if (!upload || !file) throw notFound(`no public guide ${request.params.file}`);
      return sendGuideFile(reply, upload, file);
    },
  );
  app.get("/memory/:id", { schema: { params: idParams, hide: true } }, async (request, reply) => {
    const row = await entry(request.params.id);
    const ctx = publicContext(request, reply, config);
    return sendNegotiated(request, reply, entryToArticle(contextFor(), config, row), () =>
      renderPublic(ctx, reply, entryPage(ctx, row)),
    );
  });
  app.get("/memory/:id/note", { schema: { params: idParams, hide: true } }, async (request, reply) => {
    const row = await entry(request.params.id);
    const ctx = publicContext(request, reply, config);
    return sendNegotiated(request, reply, entryToNote(contextFor(), config, row), () =>
      renderPublic(ctx, reply, entryPage(ctx, row)),
    );
  });
};
