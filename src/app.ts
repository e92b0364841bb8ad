import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import type { MessageQueue } from "@fedify/fedify";
import { randomUUID } from "node:crypto";
import type { PodDeps, PodFederation } from "./federation/deps.ts";
import { mountFederation } from "./federation/fastify-adapter.ts";
import type { followActions } from "./follows/federation.ts";
import { followRoutes } from "./follows/routes.ts";
import { installProblemHandlers } from "./http/problem.ts";
import { requireOperator } from "./operators/auth.ts";
import { operatorRoutes } from "./operators/routes.ts";
import { webRoutes } from "./web/routes.ts";

/** The admin API's prefix: clear of /api/v1, /api/v2 and /oauth, which belong to the Mastodon API. */
export const ADMIN_PREFIX = "/admin/api";

export interface AppParts {
  deps: PodDeps;
  federation: PodFederation;
  queue: MessageQueue;
  follows: ReturnType<typeof followActions>;
}

/** The pod's Fastify instance, ready to listen (used by main and by tests). */
export async function buildApp({ deps, federation, queue, follows }: AppParts): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    bodyLimit: deps.config.maxBodyBytes,
    genReqId: (request) => {
      const given = request.headers["x-request-id"];
      return typeof given === "string" && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
    },
    trustProxy: true,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installProblemHandlers(app);

  mountFederation(app, federation, deps.config.url, deps.config.maxBodyBytes);
  await app.register(webRoutes, { deps });
  await app.register(
    async (admin) => {
      admin.addHook("preHandler", requireOperator(deps.db));
      await admin.register(operatorRoutes, { deps, queue });
      await admin.register(followRoutes, { deps, actions: follows });
    },
    { prefix: ADMIN_PREFIX },
  );
  return app;
}
