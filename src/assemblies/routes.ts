import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { notFound } from "../http/problem.ts";
import { wantsActivityPub } from "../publishing/negotiate.ts";
import { answerSchema, contributeSchema, conveneSchema } from "./model.ts";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Assembly } from "./model.ts";
import { withFullPublicIri } from "./outcomes-as.ts";
import type { AssembliesRoom } from "./room.ts";

const idParams = z.object({ id: z.string().uuid() });
/** What only a signed participant reads is kept by no shared cache (a proxy would hand it to the next reader). */
export const PARTICIPANTS_ONLY = "private, no-store";
const tags = ["assemblies"];

/**
 * The assembly's Event and this pod's contributions at their IRIs (ActivityPub JSON; people are sent to the
 * app page, where members sign in: an assembly is for its participants).
 */
export const publicAssemblyRoutes: FastifyPluginAsyncZod<{
  assemblies: AssembliesRoom;
  publicPage: (request: FastifyRequest, row: Assembly) => Promise<(reply: FastifyReply) => string>;
  /** The actor that signed the request (an authorized fetch), or null. */
  requester: (request: FastifyRequest) => Promise<string | null>;
}> = async (app, { assemblies, publicPage, requester }) => {
  app.get("/assemblies/:id", { schema: { params: idParams, hide: true } }, async (request, reply) => {
    const row = await assemblies.get(request.params.id);
    reply.header("vary", "Accept");
    // People read a public assembly's page; a participants-only one has none.
    if (!wantsActivityPub(request)) {
      const page = await publicPage(request, row);
      return reply.type("text/html; charset=utf-8").send(page(reply));
    }
    if (row.role !== "convener") throw notFound(`no assembly ${request.params.id}`);
    // A participants-only assembly's Event (its agenda) is read by its participants only, with a signed fetch.
    if (row.visibility !== "public" && !(await assemblies.mayRead(row.id, await requester(request)))) {
      throw notFound(`no assembly ${request.params.id}`);
    }
    const json = withFullPublicIri(await (await assemblies.eventOf(row)).toJsonLd());
    if (row.visibility !== "public") reply.header("cache-control", PARTICIPANTS_ONLY);
    return reply.type("application/activity+json").send(JSON.stringify(json));
  });
  app.get("/assemblies/contributions/:id", { schema: { params: idParams, hide: true } }, async (request, reply) => {
    const row = await assemblies.ownContribution(assemblies.contributionIri(request.params.id));
    if (!row) throw notFound(`no contribution ${request.params.id}`);
    reply.header("vary", "Accept");
    if (!wantsActivityPub(request)) return reply.redirect(`/app/assemblies/${row.assemblyId}`, 303);
    // What a pod says in an assembly is for its participants (public minutes carry outcomes only): each of them
    // fetches it signed, to verify it at its origin.
    if (!(await assemblies.mayRead(row.assemblyId, await requester(request)))) {
      throw notFound(`no contribution ${request.params.id}`);
    }
    const json = await (await assemblies.noteOf(row)).toJsonLd();
    return reply
      .type("application/activity+json")
      .header("cache-control", PARTICIPANTS_ONLY)
      .send(JSON.stringify(json));
  });
};

/** Operator routes (admin token): convene, answer, contribute, read an assembly with its record. */
export const adminAssemblyRoutes: FastifyPluginAsyncZod<{ assemblies: AssembliesRoom }> = async (
  app,
  { assemblies },
) => {
  app.get("/assemblies", { schema: { tags } }, async () => ({ items: await assemblies.list() }));
  app.post("/assemblies", { schema: { tags, body: conveneSchema } }, async (request, reply) =>
    reply.code(201).send(await assemblies.convene(request.body)),
  );
  app.get("/assemblies/:id", { schema: { tags, params: idParams } }, async (request) => ({
    ...(await assemblies.get(request.params.id)),
    participants: await assemblies.participants(request.params.id),
    record: await assemblies.record(request.params.id),
  }));
  app.post("/assemblies/:id/answer", { schema: { tags, params: idParams, body: answerSchema } }, async (request) =>
    assemblies.answer(request.params.id, request.body.answer),
  );
  app.post(
    "/assemblies/:id/contributions",
    { schema: { tags, params: idParams, body: contributeSchema } },
    async (request, reply) =>
      reply.code(201).send({ iri: await assemblies.contribute(request.params.id, request.body) }),
  );
};
