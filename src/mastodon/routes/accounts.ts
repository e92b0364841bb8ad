import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { FollowActions } from "../../follows/federation.ts";
import { followsOf } from "../../follows/room.ts";
import type { PodDeps } from "../../federation/deps.ts";
import type { SocialService } from "../../social/service.ts";
import { toCredentialAccount } from "../entities/account.ts";
import { MastodonError, recordNotFound } from "../errors.ts";
import { pageQuery, setLinkHeader, toPage } from "../paging.ts";
import type { Presenter } from "../present.ts";
import { readsAsPod } from "../auth.ts";

const idParams = z.object({ id: z.string().max(40) });
const idsQuery = z.object({
  id: z.union([z.string(), z.array(z.string()).max(40)]).optional(),
  "id[]": z.union([z.string(), z.array(z.string()).max(40)]).optional(),
});
const asList = (value: string | string[] | undefined) =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Accounts: the pod's own, lookups, relationships, follow and unfollow, follow requests. */
export const accountRoutes: FastifyPluginAsyncZod<{
  deps: PodDeps;
  social: SocialService;
  follows: FollowActions;
  present: Presenter;
}> = async (app, { deps, social, follows, present }) => {
  const { config } = deps;
  const { store } = followsOf(deps);
  const { accountById, accountByAcct, accountByIri } = social.queries;
  const find = async (id: string) => {
    const row = await accountById(id);
    if (!row) throw recordNotFound();
    return row;
  };

  app.get(
    "/api/v1/accounts/verify_credentials",
    { config: { scope: ["read:accounts", "profile"], user: true } },
    async () => {
      const pending = (await store.listFollowers("pending", { limit: 1000 })).length;
      return toCredentialAccount(config, await present.account(await social.me(), true), pending);
    },
  );

  app.get(
    "/api/v1/accounts/lookup",
    { schema: { querystring: z.object({ acct: z.string().min(1).max(300) }) } },
    async (request) => {
      const acct = request.query.acct.replace(/^@/, "");
      const [username, host] = acct.split("@");
      const row =
        !host || host === config.url.host
          ? username === config.handle
            ? await social.me()
            : undefined
          : await accountByAcct(username!, host);
      if (!row) throw recordNotFound();
      return present.account(row);
    },
  );

  app.get(
    "/api/v1/accounts/relationships",
    { config: { scope: "read:follows", user: true }, schema: { querystring: idsQuery } },
    async (request) => {
      const ids = [...asList(request.query.id), ...asList(request.query["id[]"])];
      return (await Promise.all(ids.map(accountById)))
        .filter((row) => row !== undefined)
        .map((row) => present.relationship(row));
    },
  );

  app.get("/api/v1/accounts/:id", { schema: { params: idParams } }, async (request) =>
    present.account(await find(request.params.id)),
  );

  app.get(
    "/api/v1/accounts/:id/statuses",
    {
      schema: {
        params: idParams,
        querystring: pageQuery().extend({
          exclude_replies: z.stringbool().optional(),
          pinned: z.stringbool().optional(),
          only_media: z.stringbool().optional(),
        }),
      },
    },
    async (request, reply) => {
      const row = await find(request.params.id);
      if (request.query.pinned || request.query.only_media) return [];
      const isPod = readsAsPod(request);
      const canSeePrivate = isPod && (row.local || (await store.getFollowing(row.iri))?.state === "accepted");
      const rows = await social.timelines.ofAccount(row.id, toPage(request.query), {
        canSeePrivate,
        excludeReplies: request.query.exclude_replies ?? false,
      });
      setLinkHeader(request, reply, config.url, rows);
      return present.statuses(rows, isPod);
    },
  );

  /** The pod's own followers and follows (other servers' lists are theirs to show). */
  for (const list of ["followers", "following"] as const) {
    app.get(
      `/api/v1/accounts/:id/${list}`,
      { schema: { params: idParams, querystring: pageQuery(40, 80) } },
      async (request) => {
        const row = await find(request.params.id);
        if (!row.local) return [];
        const iris =
          list === "followers"
            ? await store.listFollowers("accepted", { limit: request.query.limit })
            : await store.listFollowing({ limit: request.query.limit }, "accepted");
        const rows = await Promise.all(iris.map((entry) => accountByIri(entry.actorIri)));
        return Promise.all(rows.filter((account) => account !== undefined).map((account) => present.account(account)));
      },
    );
  }

  app.post(
    "/api/v1/accounts/:id/follow",
    { config: { scope: "write:follows", user: true }, schema: { params: idParams } },
    async (request) => {
      const row = await find(request.params.id);
      if (row.local) throw new MastodonError(403, "This pod cannot follow itself");
      await follows.follow(row.iri);
      return present.relationship(row);
    },
  );

  app.post(
    "/api/v1/accounts/:id/unfollow",
    { config: { scope: "write:follows", user: true }, schema: { params: idParams } },
    async (request) => {
      const row = await find(request.params.id);
      if (await store.getFollowing(row.iri)) await follows.unfollow(row.iri);
      return present.relationship(row);
    },
  );

  app.get(
    "/api/v1/follow_requests",
    { config: { scope: "read:follows", user: true }, schema: { querystring: pageQuery(40, 80) } },
    async (request) => {
      const pending = await store.listFollowers("pending", { limit: request.query.limit });
      const rows = await Promise.all(pending.map((follower) => accountByIri(follower.actorIri)));
      return Promise.all(rows.filter((row) => row !== undefined).map((row) => present.account(row)));
    },
  );

  for (const action of ["authorize", "reject"] as const) {
    app.post(
      `/api/v1/follow_requests/:id/${action}`,
      { config: { scope: "write:follows", user: true }, schema: { params: idParams } },
      async (request) => {
        const row = await find(request.params.id);
        await (action === "authorize" ? follows.approve(row.iri) : follows.reject(row.iri));
        return present.relationship(row);
      },
    );
  }
};
