import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { PodDeps } from "../federation/deps.ts";
import type { followActions } from "./federation.ts";
import { followsOf } from "./room.ts";

const pageQuery = z.object({
  cursor: z.string().max(2048).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const actorBody = z.object({ actor: z.url({ protocol: /^https?$/ }) });

interface Options {
  deps: PodDeps;
  actions: ReturnType<typeof followActions>;
}

const page = <T extends { actorIri: string }>(rows: T[], limit: number) => ({
  items: rows,
  nextCursor: rows.length === limit ? rows.at(-1)!.actorIri : null,
});

/** Operator routes for following and followers (mounted under the admin prefix, token required). */
export const followRoutes: FastifyPluginAsyncZod<Options> = async (app, { deps, actions }) => {
  const { store } = followsOf(deps);

  app.get("/followers", { schema: { querystring: pageQuery } }, async (request) => {
    const { cursor, limit } = request.query;
    return page(await store.listFollowers("accepted", { after: cursor, limit }), limit);
  });

  app.get("/follow-requests", { schema: { querystring: pageQuery } }, async (request) => {
    const { cursor, limit } = request.query;
    return page(await store.listFollowers("pending", { after: cursor, limit }), limit);
  });

  app.post("/follow-requests/approve", { schema: { body: actorBody } }, async (request) =>
    actions.approve(request.body.actor),
  );
  app.post("/follow-requests/reject", { schema: { body: actorBody } }, async (request) =>
    actions.reject(request.body.actor),
  );

  app.get("/following", { schema: { querystring: pageQuery } }, async (request) => {
    const { cursor, limit } = request.query;
    return page(await store.listFollowing({ after: cursor, limit }), limit);
  });

  app.post(
    "/following",
    { schema: { body: z.object({ target: z.string().trim().min(3).max(2048) }) } },
    async (request, reply) => reply.code(202).send(await actions.follow(request.body.target)),
  );

  app.delete(
    "/following",
    { schema: { querystring: z.object({ target: z.string().trim().min(3).max(2048) }) } },
    async (request) => actions.unfollow(request.query.target),
  );
};
