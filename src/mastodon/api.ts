import type { Context } from "@fedify/fedify";
import fastifyCors from "@fastify/cors";
import { roomsOf } from "../db/room-db.ts";
import fastifyFormbody from "@fastify/formbody";
import fastifyMultipart from "@fastify/multipart";
import type { FastifyPluginAsync } from "fastify";
import { registerSharedRateLimit } from "../http/shared-rate-limit.ts";
import type { PodDeps } from "../federation/deps.ts";
import type { FollowActions } from "../follows/federation.ts";
import type { ModerationService } from "../moderation/service.ts";
import type { SocialService } from "../social/service.ts";
import { blockRoutes } from "./routes/blocks.ts";
import { mastodonAuth } from "./auth.ts";
import type { LocalProfile } from "./entities/account.ts";
import { installMastodonErrors, sendError } from "./errors.ts";
import { nestFormKeys } from "./form.ts";
import type { OAuthStore } from "./oauth.ts";
import { presenter } from "./present.ts";
import { accountRoutes } from "./routes/accounts.ts";
import { emptyRoutes } from "./routes/empty.ts";
import { instanceRoutes } from "./routes/instance.ts";
import { oauthRoutes } from "./routes/oauth.ts";
import { searchRoutes } from "./routes/search.ts";
import { statusRoutes } from "./routes/statuses.ts";
import { timelineRoutes } from "./routes/timelines.ts";
import { grantStillStands, type IsCoordinator } from "../operators/service.ts";

export interface MastodonApiOptions {
  deps: PodDeps;
  social: SocialService;
  follows: FollowActions;
  contextFor: () => Context<null>;
  localProfile: () => LocalProfile;
  oauth: OAuthStore;
  /** Whether a member's operator token still works (the consent page takes operator tokens). */
  isCoordinator: IsCoordinator;
  moderation: ModerationService;
}

/**
 * The subset of Mastodon's client API that apps need to sign in to a pod, follow neighbors and read
 * and write posts. Encapsulated: its own body parsers, CORS (browser apps), auth and error shape.
 */
export const mastodonApi: FastifyPluginAsync<MastodonApiOptions> = async (
  app,
  { deps, social, follows, contextFor, localProfile, oauth, isCoordinator, moderation },
) => {
  const present = presenter(deps, localProfile, moderation);
  await app.register(fastifyCors, { origin: true, exposedHeaders: ["link"] });
  await app.register(fastifyFormbody);
  await app.register(fastifyMultipart, {
    attachFieldsToBody: "keyValues",
    limits: { fileSize: 0, files: 0, fields: 50 },
  });
  // Only the sign-in endpoints are limited (per client address): a guessing loop is slowed and logged, apps are not.
  await registerSharedRateLimit(app, roomsOf(deps), "mastodon");
  installMastodonErrors(app);
  app.decorateRequest("oauthToken", null);
  app.addHook("preValidation", async (request) => {
    if (request.body && typeof request.body === "object" && !Array.isArray(request.body))
      request.body = nestFormKeys(request.body as Record<string, unknown>);
  });
  app.addHook(
    "onRequest",
    mastodonAuth(oauth, (id) => grantStillStands(roomsOf(deps), id, isCoordinator)),
  );

  await app.register(oauthRoutes, { deps, oauth, isCoordinator });
  await app.register(instanceRoutes, { deps, social, present });
  await app.register(accountRoutes, { deps, social, follows, present });
  await app.register(blockRoutes, { deps, moderation, present });
  await app.register(statusRoutes, { deps, social, present });
  await app.register(timelineRoutes, { deps, social, present });
  await app.register(searchRoutes, { deps, social, present, contextFor });
  await app.register(emptyRoutes);
  // Unknown Mastodon API paths answer in the API's own shape.
  app.all("/api/*", async (_request, reply) => sendError(reply, 404, "Not found"));
};
