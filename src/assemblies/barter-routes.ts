import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { crisisAnswerSchema, crisisFormSchema, pledgeFormSchema } from "./app-barter-routes.ts";
import type { AssemblyBarter } from "./barter.ts";
import type { AssembliesRoom } from "./room.ts";

const idParams = z.object({ id: z.string().uuid() });
const tags = ["assemblies"];
const iriBody = (name: string) => z.object({ [name]: z.string().url() });

/** Operator routes (admin token): the agenda draft, the barter table and pledges, crisis threads. */
export const adminBarterRoutes: FastifyPluginAsyncZod<{ assemblies: AssembliesRoom; barter: AssemblyBarter }> = async (
  app,
  { assemblies, barter },
) => {
  app.get("/assemblies/:id/table", { schema: { tags, params: idParams } }, async (request) => {
    const row = await assemblies.get(request.params.id);
    return {
      draft: (await barter.agenda.draft(row)) ?? null,
      matches: (await barter.table(row)).matches,
      pledges: await barter.pledges.list(row.id),
      crises: await barter.crises.list(row.id),
    };
  });
  app.post("/assemblies/:id/agenda/redraft", { schema: { tags, params: idParams } }, async (request) =>
    barter.agenda.redraft(await assemblies.get(request.params.id)),
  );
  app.post(
    "/assemblies/:id/agenda",
    { schema: { tags, params: idParams, body: z.object({ markdown: z.string().max(20_000) }) } },
    async (request) => barter.agenda.publish(await assemblies.get(request.params.id), request.body.markdown),
  );
  app.post(
    "/assemblies/:id/pledges",
    { schema: { tags, params: idParams, body: pledgeFormSchema } },
    async (request, reply) => {
      const input = request.body;
      const row = await assemblies.get(request.params.id);
      const iri = await barter.pledges.propose(row, { ...input, quantityMilli: input.quantity });
      return reply.code(201).send({ iri });
    },
  );
  app.post(
    "/assemblies/:id/pledges/confirm",
    { schema: { tags, params: idParams, body: iriBody("pledge") } },
    async (request) => barter.pledges.confirm(await assemblies.get(request.params.id), String(request.body.pledge)),
  );
  app.post(
    "/assemblies/:id/crises",
    { schema: { tags, params: idParams, body: crisisFormSchema } },
    async (request, reply) =>
      reply.code(201).send({ iri: await barter.crises.open(await assemblies.get(request.params.id), request.body) }),
  );
  app.post(
    "/assemblies/:id/crises/reply",
    {
      schema: {
        tags,
        params: idParams,
        body: crisisAnswerSchema.extend({ text: z.string().trim().min(1).max(10_000) }),
      },
    },
    async (request, reply) => {
      const row = await assemblies.get(request.params.id);
      return reply.code(201).send({ iri: await barter.crises.reply(row, request.body.crisis, request.body.text) });
    },
  );
  app.post(
    "/assemblies/:id/crises/close",
    { schema: { tags, params: idParams, body: crisisAnswerSchema } },
    async (request, reply) => {
      const row = await assemblies.get(request.params.id);
      return reply.code(201).send({ iri: await barter.crises.close(row, request.body.crisis, request.body.text) });
    },
  );
};
