import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { PodDeps } from "../../federation/deps.ts";
import { countKnownDomains, countStatusesOf } from "../../social/queries.ts";
import type { SocialService } from "../../social/service.ts";
import { toInstanceV1, toInstanceV2 } from "../entities/instance.ts";
import type { Presenter } from "../present.ts";

/** What apps read about the server before anything else. */
export const instanceRoutes: FastifyPluginAsyncZod<{
  deps: PodDeps;
  social: SocialService;
  present: Presenter;
}> = async (app, { deps, social, present }) => {
  const { db, config } = deps;
  app.get("/api/v1/instance", async () => {
    const me = social.me();
    const counts = { statuses: countStatusesOf(db, me.id), domains: countKnownDomains(db) };
    return toInstanceV1(config, present.account(me), counts);
  });
  app.get("/api/v2/instance", async () => toInstanceV2(config, present.account(social.me())));
};
