import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { desc, lt } from "drizzle-orm";
import { z } from "zod";
import type { PodDeps } from "../federation/deps.ts";
import { receivedActivities } from "./schema.ts";

/** Operator: what the inbox received from other pods, newest first. */
export const adminReceivedRoutes: FastifyPluginAsyncZod<{ deps: PodDeps }> = async (app, { deps }) => {
  app.get(
    "/received",
    {
      schema: {
        querystring: z.object({ cursor: z.coerce.number().int().positive().optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }),
      },
    },
    async (request) => {
      const { cursor, limit } = request.query;
      const items = deps.db
        .select()
        .from(receivedActivities)
        .where(cursor ? lt(receivedActivities.seq, cursor) : undefined)
        .orderBy(desc(receivedActivities.seq))
        .limit(limit)
        .all();
      return { items, nextCursor: items.length === limit ? items.at(-1)!.seq : null };
    },
  );
};
