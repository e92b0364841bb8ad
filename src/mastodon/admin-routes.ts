import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { notFound } from "../http/problem.ts";
import type { OAuthStore } from "./oauth.ts";

/** Operator routes (admin API): the Mastodon apps signed in to the pod, and taking an app's access away. */
export const adminAppRoutes: FastifyPluginAsyncZod<{ oauth: OAuthStore }> = async (app, { oauth }) => {
  const tags = ["apps"];
  app.get("/apps", { schema: { tags } }, async () => ({ items: await oauth.apps() }));
  app.delete(
    "/apps/:id",
    { schema: { tags, params: z.object({ id: z.string().regex(/^\d{1,20}$/) }) } },
    async (request, reply) => {
      if (!(await oauth.removeApp(request.params.id))) throw notFound(`no app ${request.params.id}`);
      return reply.code(204).send();
    },
  );
};
