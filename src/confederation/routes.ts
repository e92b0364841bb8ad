import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { PodDeps } from "../federation/deps.ts";
import { viewStore } from "./store.ts";
import type { ConfederationService } from "./service.ts";

/** Operator routes for the confederal view: what arrived, re-sharing, and a manual resync. */
export const adminConfederationRoutes: FastifyPluginAsyncZod<{
  deps: PodDeps;
  confederation: ConfederationService;
}> = async (app, { deps, confederation }) => {
  const tags = ["view"];
  const store = viewStore(deps.rooms);
  app.post(
    "/view/reshare",
    { schema: { tags, body: z.object({ object: z.url({ protocol: /^https?$/ }) }).strict() } },
    async (request, reply) => reply.code(202).send(await confederation.relay.reshare(request.body.object)),
  );
  app.post("/view/resync", { schema: { tags } }, async () => ({ neighbors: await confederation.resyncAll() }));

  app.get(
    "/received",
    {
      schema: {
        tags,
        querystring: z.object({
          cursor: z.coerce.number().int().positive().optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
      },
    },
    async (request) => {
      const { cursor, limit } = request.query;
      const items = await store.receivedPage(cursor, limit);
      return { items, nextCursor: items.length === limit ? items.at(-1)!.seq : null };
    },
  );
};
