import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { PodDeps } from "../../federation/deps.ts";
import type { ModerationService } from "../../moderation/service.ts";
import { roomsOf } from "../../db/room-db.ts";
import { socialQueries } from "../../social/queries.ts";
import { MastodonError, recordNotFound } from "../errors.ts";
import type { Presenter } from "../present.ts";

const idParams = z.object({ id: z.string().max(40) });
const domainBody = z.object({ domain: z.string().min(1).max(253) });
const limitQuery = z.object({ limit: z.coerce.number().int().min(1).max(80).default(40) });

/** Blocks and domain blocks, backed by the pod's moderation (a block refuses and forgets, as the web app's does). */
export const blockRoutes: FastifyPluginAsyncZod<{
  deps: PodDeps;
  moderation: ModerationService;
  present: Presenter;
}> = async (app, { deps, moderation, present }) => {
  const { accountById, accountsByIris } = socialQueries(roomsOf(deps));
  const remoteAccount = async (id: string) => {
    const row = await accountById(id);
    if (!row) throw recordNotFound();
    if (row.local) throw new MastodonError(403, "This pod cannot block itself");
    return row;
  };

  app.get(
    "/api/v1/blocks",
    { config: { scope: "read:blocks", user: true }, schema: { querystring: limitQuery } },
    async (request) => {
      const iris = (await moderation.accounts()).slice(0, request.query.limit).map((row) => row.actorIri);
      return Promise.all((await accountsByIris(iris)).map((row) => present.account(row)));
    },
  );

  app.post(
    "/api/v1/accounts/:id/block",
    { config: { scope: "write:blocks", user: true }, schema: { params: idParams } },
    async (request) => {
      const row = await remoteAccount(request.params.id);
      await moderation.blockAccount(row.iri, "", `@${row.username}@${row.host}`);
      return present.relationship(row);
    },
  );

  app.post(
    "/api/v1/accounts/:id/unblock",
    { config: { scope: "write:blocks", user: true }, schema: { params: idParams } },
    async (request) => {
      const row = await remoteAccount(request.params.id);
      await moderation.unblockAccount(row.iri);
      return present.relationship(row);
    },
  );

  app.get(
    "/api/v1/domain_blocks",
    { config: { scope: "read:blocks", user: true }, schema: { querystring: limitQuery } },
    async (request) => (await moderation.domains()).slice(0, request.query.limit).map((row) => row.domain),
  );

  app.post(
    "/api/v1/domain_blocks",
    { config: { scope: "write:blocks", user: true }, schema: { body: domainBody } },
    async (request) => {
      await moderation.blockDomain(request.body.domain);
      return {};
    },
  );

  app.delete(
    "/api/v1/domain_blocks",
    {
      config: { scope: "write:blocks", user: true },
      schema: { querystring: domainBody.partial(), body: domainBody.partial().optional() },
    },
    async (request) => {
      const domain = request.body?.domain ?? request.query.domain;
      if (!domain) throw new MastodonError(422, "domain is missing");
      await moderation.unblockDomain(domain);
      return {};
    },
  );
};
