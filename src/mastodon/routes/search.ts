import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { isActor } from "@fedify/vocab";
import type { Context } from "@fedify/fedify";
import { z } from "zod";
import type { PodDeps } from "../../federation/deps.ts";
import { resolveActor } from "../../follows/resolve.ts";
import type { Account, Status } from "../../social/activitypub.ts";
import type { SocialService } from "../../social/service.ts";
import type { Presenter } from "../present.ts";
import { readsAsPod } from "../auth.ts";

const HANDLE = /^@?([^@\s/]+)@([^@\s/]+)$/;

/** Search: known accounts by name or handle; with `resolve=true`, WebFinger and fetching remote actors and posts. */
export const searchRoutes: FastifyPluginAsyncZod<{
  deps: PodDeps;
  social: SocialService;
  present: Presenter;
  contextFor: () => Context<null>;
}> = async (app, { deps, social, present, contextFor }) => {
  const { config } = deps;
  const { accountByAcct, searchAccounts, statusByIri } = social.queries;

  async function resolve(q: string): Promise<{ accounts: Account[]; statuses: Status[] }> {
    const ctx = contextFor();
    const handle = HANDLE.exec(q);
    if (handle) {
      if (handle[2] === config.url.host && handle[1] === config.handle)
        return { accounts: [await social.me()], statuses: [] };
      const actor = await resolveActor(ctx, config, q).catch(() => null);
      const account = actor ? await social.inbox.rememberActor(ctx, actor) : null;
      return { accounts: account ? [account] : [], statuses: [] };
    }
    const local = await statusByIri(q);
    if (local) return { accounts: [], statuses: [local] };
    const object = await ctx.lookupObject(q).catch(() => null);
    if (!object) return { accounts: [], statuses: [] };
    if (isActor(object)) {
      const account = await social.inbox.rememberActor(ctx, object);
      return { accounts: account ? [account] : [], statuses: [] };
    }
    const status = await social.inbox.rememberPost(ctx, object);
    return { accounts: [], statuses: status ? [status] : [] };
  }

  app.get(
    "/api/v2/search",
    {
      config: { scope: "read:search" },
      schema: {
        querystring: z.object({
          q: z.string().trim().min(1).max(500),
          type: z.enum(["accounts", "statuses", "hashtags"]).optional(),
          resolve: z.stringbool().optional(),
          limit: z.coerce
            .number()
            .int()
            .optional()
            .transform((n) => Math.min(Math.max(n ?? 20, 1), 40)),
          offset: z.coerce.number().int().min(0).optional(),
        }),
      },
    },
    async (request) => {
      const { q, type, limit, offset } = request.query;
      const isPod = readsAsPod(request);
      const looksRemote = HANDLE.test(q) || /^https?:\/\//i.test(q);
      let found: { accounts: Account[]; statuses: Status[] } = { accounts: [], statuses: [] };
      // Fetching from other servers is for the pod itself (a token the operator granted), as in Mastodon.
      if (looksRemote && request.query.resolve && request.oauthToken?.operator && !offset) {
        found = await resolve(q);
      } else if (looksRemote) {
        const handle = HANDLE.exec(q);
        const known = handle ? await accountByAcct(handle[1]!, handle[2]!) : undefined;
        const local = await statusByIri(q);
        found = {
          accounts: known ? [known] : [],
          statuses: local && (isPod || local.visibility === "public") ? [local] : [],
        };
      } else {
        found.accounts = await searchAccounts(q, limit, offset ?? 0);
      }
      return {
        accounts:
          type && type !== "accounts"
            ? []
            : await Promise.all(found.accounts.slice(0, limit).map((row) => present.account(row))),
        statuses: type && type !== "statuses" ? [] : await present.statuses(found.statuses.slice(0, limit), isPod),
        hashtags: [],
      };
    },
  );
};
