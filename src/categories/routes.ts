import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { PodDeps } from "../federation/deps.ts";
import { notFound } from "../http/problem.ts";
import { categoriesOf } from "./service.ts";
import { CATEGORY_SLUG } from "./taxonomy.ts";

/** Public: the taxonomy this pod understands, so custom category IRIs dereference. */
export const publicCategoryRoutes: FastifyPluginAsyncZod<{ deps: PodDeps }> = async (app, { deps }) => {
  app.get("/categories", async () => ({ items: categoriesOf(deps).list() }));
  app.get("/categories/:slug", { schema: { params: z.object({ slug: z.string().max(40) }) } }, async (request) => {
    const category = categoriesOf(deps).find(request.params.slug);
    if (!category) throw notFound(`no category "${request.params.slug}"`);
    return category;
  });
};

/** Operator: extend the taxonomy with the pod's own categories. */
export const adminCategoryRoutes: FastifyPluginAsyncZod<{ deps: PodDeps }> = async (app, { deps }) => {
  app.post(
    "/categories",
    {
      schema: {
        body: z.object({
          slug: z.string().regex(CATEGORY_SLUG, "lowercase letters, digits and dashes, at most 40"),
          label: z.string().trim().min(1).max(80),
          description: z.string().max(1000).optional(),
        }),
      },
    },
    async (request, reply) => reply.code(201).send(await categoriesOf(deps).add(request.body, deps.now())),
  );
};
