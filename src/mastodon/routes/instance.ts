import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { PodDeps } from "../../federation/deps.ts";
import type { SocialService } from "../../social/service.ts";
import { toInstanceV1, toInstanceV2 } from "../entities/instance.ts";
import type { Presenter } from "../present.ts";

/** What apps read about the server before anything else. */
export const instanceRoutes: FastifyPluginAsyncZod<{
  deps: PodDeps;
  social: SocialService;
  present: Presenter;
}> = async (app, { deps, social, present }) => {
  const { config } = deps;
  const { countKnownDomains, countStatusesOf } = social.queries;
  app.get("/api/v1/instance", async () => {
    const me = await social.me();
    const counts = { statuses: await countStatusesOf(me.id), domains: await countKnownDomains() };
    return toInstanceV1(config, await present.account(me), counts);
  });
  app.get("/api/v2/instance", async () => toInstanceV2(config, await present.account(await social.me())));
};
