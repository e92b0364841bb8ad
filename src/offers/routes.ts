import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireCategory } from "../categories/service.ts";
import type { PodDeps } from "../federation/deps.ts";
import { notFound } from "../http/problem.ts";
import { sendNegotiated } from "../publishing/negotiate.ts";
import { offerIri, offerNoteIri } from "../publishing/iris.ts";
import { offerToNote, offerToProposal } from "./to-as.ts";
import type { Response } from "../publishing/response.ts";

type ResponsesTo = (iri: string, publicOnly: boolean) => Promise<Response[]>;
import { claimInputSchema, offerInputSchema, offerListQuery, offerPatchSchema } from "./model.ts";
import { isOpen, offerPage, offersListPage } from "./pages.ts";
import { publicContext, renderPublic, sendPublic } from "../web/layout.ts";
import type { OfferKind, OffersService } from "./service.ts";
import type { Context } from "@fedify/fedify";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Category } from "../categories/service.ts";
import type { Offer } from "./model.ts";
import { formatMilli } from "./quantity.ts";

const KINDS: { kind: OfferKind; path: string }[] = [
  { kind: "offer", path: "offers" },
  { kind: "need", path: "needs" },
];

const idParams = z.object({ id: z.string().uuid() });

/** What the admin API shows of an offer: its public address, quantities as decimal strings as people wrote them. */
function presentWith(config: PodDeps["config"]) {
  return <T extends Offer>(row: T) => {
    const { quantityMilli, availableMilli, ...rest } = row;
    return {
      url: offerIri(config, row).href,
      ...rest,
      quantity: formatMilli(quantityMilli),
      available: formatMilli(availableMilli),
    };
  };
}

/** Operator routes for offers and needs (mounted under the admin prefix, token required). */
export const adminOfferRoutes: FastifyPluginAsyncZod<{
  deps: PodDeps;
  offers: OffersService;
  responsesTo: ResponsesTo;
}> = async (app, { deps, offers, responsesTo }) => {
  const present = presentWith(deps.config);
  for (const { kind, path } of KINDS) {
    const tags = [path];
    app.post(`/${path}`, { schema: { tags, body: offerInputSchema } }, async (request, reply) =>
      reply.code(201).send(present(await offers.create(kind, request.body))),
    );
    app.get(`/${path}`, { schema: { tags, querystring: offerListQuery } }, async (request) => {
      const rows = await offers.list(kind, request.query);
      const items = [];
      for (const row of rows)
        items.push({
          ...present(row),
          responseCount: (await responsesTo(offerNoteIri(deps.config, row).href, false)).length,
        });
      return {
        items,
        nextCursor: rows.length === request.query.limit ? rows.at(-1)!.id : null,
      };
    });
    app.get(`/${path}/:id`, { schema: { tags, params: idParams } }, async (request) => {
      const row = await offers.get(kind, request.params.id);
      return {
        ...present(row),
        claims: (await offers.claimsOf(kind, request.params.id)).map((c) => ({
          ...c,
          quantity: formatMilli(c.quantityMilli),
        })),
        // Replies from people on other servers: every visibility, for the operator.
        responses: await responsesTo(offerNoteIri(deps.config, row).href, false),
      };
    });
    app.patch(`/${path}/:id`, { schema: { tags, params: idParams, body: offerPatchSchema } }, async (request) =>
      present(await offers.update(kind, request.params.id, request.body)),
    );
    app.post(`/${path}/:id/withdraw`, { schema: { tags, params: idParams } }, async (request) =>
      present(await offers.withdraw(kind, request.params.id)),
    );
    app.post(
      `/${path}/:id/claims`,
      { schema: { tags, params: idParams, body: claimInputSchema } },
      async (request, reply) => {
        const { offer, claim } = await offers.claim(kind, request.params.id, request.body);
        return reply
          .code(201)
          .send({ offer: present(offer), claim: { ...claim, quantity: formatMilli(claim.quantityMilli) } });
      },
    );
  }
};

/** Public: each offer and need at its id, ActivityPub JSON or HTML; its companion Note beside it. */
export const publicOfferRoutes: FastifyPluginAsyncZod<{
  deps: PodDeps;
  offers: OffersService;
  contextFor: () => Context<null>;
  responsesTo: ResponsesTo;
}> = async (app, { deps, offers, contextFor, responsesTo }) => {
  const ctxOf = (request: FastifyRequest, reply: FastifyReply) => publicContext(request, reply, deps.config);
  for (const { kind, path } of KINDS) {
    const load = async (id: string) => {
      const row = await offers.get(kind, id);
      if (row.status === "withdrawn") throw notFound(`no ${kind} ${id}`);
      return { row, category: requireCategory(deps.rooms, deps.config, row.category, "category") };
    };
    app.get(`/${path}`, { schema: { hide: true } }, async (request, reply) => {
      const rows = (await offers.list(kind, { limit: 200 })).filter(isOpen);
      return sendPublic(ctxOf(request, reply), reply, offersListPage(ctxOf(request, reply), kind, rows));
    });
    const page = (request: FastifyRequest, reply: FastifyReply, row: Offer, category: Category) => async () =>
      renderPublic(
        ctxOf(request, reply),
        reply,
        offerPage(
          ctxOf(request, reply),
          row,
          category,
          await responsesTo(offerNoteIri(deps.config, row).href, true),
          offers.guidesOf(row.id),
        ),
      );
    app.get(`/${path}/:id`, { schema: { params: idParams, hide: true } }, async (request, reply) => {
      const { row, category } = await load(request.params.id);
      const object = offerToProposal(contextFor(), deps.config, row, category);
      return sendNegotiated(request, reply, object, page(request, reply, row, category));
    });
    app.get(`/${path}/:id/note`, { schema: { params: idParams, hide: true } }, async (request, reply) => {
      const { row, category } = await load(request.params.id);
      const note = offerToNote(contextFor(), deps.config, row, category, offers.guidesOf(row.id));
      return sendNegotiated(request, reply, note, page(request, reply, row, category));
    });
  }
};
