import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { count, eq, countDistinct } from "drizzle-orm";
import type { PodDeps } from "../../federation/deps.ts";
import { accounts, statuses } from "../../social/schema.ts";
import type { SocialService } from "../../social/service.ts";
import { toInstanceV1, toInstanceV2 } from "../entities/instance.ts";
import type { Presenter } from "../present.ts";

/** What apps read about the server before anything else. */
export const instanceRoutes: FastifyPluginAsyncZod<{ deps: PodDeps; social: SocialService; present: Presenter }> = async (app, { deps, social, present }) => {
  const { db, config } = deps;
  app.get("/api/v1/instance", async () => {
    const me = social.me();
    const posts = db.select({ n: count() }).from(statuses).where(eq(statuses.accountId, me.id)).get()?.n ?? 0;
    const domains = db.select({ n: countDistinct(accounts.host) }).from(accounts).where(eq(accounts.local, false)).get()?.n ?? 0;
    return toInstanceV1(config, present.account(me), { statuses: posts, domains });
  });
  app.get("/api/v2/instance", async () => toInstanceV2(config, present.account(social.me())));
};
