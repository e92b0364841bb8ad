import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { notFound } from "../http/problem.ts";
import { sendNegotiated, wantsActivityPub } from "../publishing/negotiate.ts";
import { publicContext, renderPublic } from "../web/layout.ts";
import type { Config } from "../config/schema.ts";
import type { RoomDb } from "../db/room-db.ts";
import { nextConvenerOf } from "./convener.ts";
import type { Assembly } from "./model.ts";
import type { AssemblyOutcomes } from "./outcomes.ts";
import { podName, proposeSchema, ratifySchema } from "./proposals.ts";
import { minutesSchema } from "./minutes.ts";
import { publicAssemblyPage } from "./public-pages.ts";
import type { AssembliesRoom } from "./room.ts";
import { PARTICIPANTS_ONLY } from "./routes.ts";

const idParams = z.object({ id: z.string().uuid() });
const tags = ["assemblies"];

interface Options {
  assemblies: AssembliesRoom;
  /** The actor that signed the request (an authorized fetch), or null. */
  requester: (request: FastifyRequest) => Promise<string | null>;
  outcomes: AssemblyOutcomes;
  config: Config;
  rooms: RoomDb;
}

/** A public assembly's page for browsers; a participants-only one has none (404, nothing disclosed). */
export async function publicAssemblyHtml(
  options: Options,
  request: Parameters<typeof publicContext>[0],
  row: Assembly,
) {
  if (row.visibility !== "public") throw notFound(`no assembly ${row.id}`);
  const participants = await options.assemblies.participants(row.id);
  return (reply: Parameters<typeof publicContext>[1]) => {
    const ctx = publicContext(request, reply, options.config);
    const page = publicAssemblyPage(ctx, {
      row,
      participants,
      nameOf: (iri) => podName(options.rooms, iri, { iri: options.assemblies.self(), config: options.config }),
      next: nextConvenerOf(row, participants).iri,
    });
    return renderPublic(ctx, reply, page);
  };
}

/**
 * Ratifications and minutes at their IRIs (ActivityPub JSON; the minutes' page for people when the assembly is
 * public): every participant verifies a ratification at the origin of the pod that decided.
 */
export const publicOutcomeRoutes: FastifyPluginAsyncZod<Options> = async (app, options) => {
  const { assemblies, outcomes } = options;
  app.get("/assemblies/ratifications/:id", { schema: { params: idParams, hide: true } }, async (request, reply) => {
    const iri = new URL(`/assemblies/ratifications/${request.params.id}`, options.config.url).href;
    const own = await outcomes.ratification.ownRatification(iri);
    // Participants fetch it signed to verify it at its origin; nobody else reads it here.
    if (!own || !(await assemblies.mayRead(own.assemblyId, await options.requester(request)))) {
      throw notFound(`no ratification ${request.params.id}`);
    }
    return reply
      .type("application/activity+json")
      .header("cache-control", PARTICIPANTS_ONLY)
      .send(JSON.stringify(await own.activity.toJsonLd()));
  });
  // The minutes' Article is addressed to the participants (it quotes them) and reaches them by delivery: it is not
  // served. A public assembly's minutes are its public page (outcomes only) and the Note to followers.
  app.get("/assemblies/:id/minutes", { schema: { params: idParams, hide: true } }, async (request, reply) => {
    const row = await assemblies.get(request.params.id);
    reply.header("vary", "Accept");
    if (row.visibility !== "public" || !row.minutesPublicHtml || wantsActivityPub(request)) {
      throw notFound(`no minutes for ${request.params.id}`);
    }
    const page = await publicAssemblyHtml(options, request, row);
    return reply.type("text/html; charset=utf-8").send(page(reply));
  });
  app.get("/assemblies/:id/minutes/note", { schema: { params: idParams, hide: true } }, async (request, reply) => {
    const row = await assemblies.get(request.params.id);
    const note = await outcomes.minutes.note(row);
    if (!note) throw notFound(`no minutes for ${request.params.id}`);
    const page = await publicAssemblyHtml(options, request, row);
    return sendNegotiated(request, reply, note, () => page(reply));
  });
};

/** Operator routes (admin token): propose, ratify, publish the minutes, read the outcomes. */
export const adminOutcomeRoutes: FastifyPluginAsyncZod<Options> = async (app, { assemblies, outcomes }) => {
  app.get("/assemblies/:id/outcomes", { schema: { tags, params: idParams } }, async (request) => {
    const row = await assemblies.get(request.params.id);
    const participants = await assemblies.participants(row.id);
    return {
      visibility: row.visibility,
      minutesIri: row.minutesIri,
      minutesHtml: row.minutesHtml,
      next: nextConvenerOf(row, participants),
      proposals: (await outcomes.ratification.proposals(row)).map((p) => ({
        iri: p.row.iri,
        authorIri: p.row.authorIri,
        title: p.title,
        answers: p.answers,
      })),
    };
  });
  app.post(
    "/assemblies/:id/proposals",
    { schema: { tags, params: idParams, body: proposeSchema } },
    async (request, reply) =>
      reply.code(201).send({ iri: await outcomes.ratification.propose(request.params.id, request.body) }),
  );
  app.post(
    "/assemblies/:id/ratifications",
    { schema: { tags, params: idParams, body: ratifySchema } },
    async (request, reply) => reply.code(201).send(await outcomes.ratification.ratify(request.params.id, request.body)),
  );
  app.post("/assemblies/:id/minutes", { schema: { tags, params: idParams, body: minutesSchema } }, async (request) =>
    outcomes.minutes.publish(request.params.id, request.body),
  );
};
