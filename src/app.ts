import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { roomsOf } from "./db/room-db.ts";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import { PodRequestLog } from "./http/request-log.ts";
import { registerSharedRateLimit } from "./http/shared-rate-limit.ts";
import { SOFTWARE_NAME, SOFTWARE_VERSION } from "./version.ts";
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { mountFederation } from "./federation/fastify-adapter.ts";
import { inboxConcern } from "./federation/inbox-concern.ts";
import { followsOf } from "./follows/room.ts";
import { followRoutes } from "./follows/routes.ts";
import { installProblemHandlers } from "./http/problem.ts";
import { requireOperator } from "./operators/auth.ts";
import { operatorRoutes } from "./operators/routes.ts";
import { webRoutes } from "./web/routes.ts";
import { publicErrorPage } from "./web/errors.ts";
import { publicContext, sendPublic } from "./web/layout.ts";
import { publicRequestRoutes } from "./requests/routes.ts";
import type { Pod } from "./pod.ts";
import { adminCategoryRoutes, publicCategoryRoutes } from "./categories/routes.ts";
import { categoriesOf } from "./categories/service.ts";
import { charterCopyOf } from "./charters/copy.ts";
import { adminConfederationRoutes } from "./confederation/routes.ts";
import { viewPageRoutes } from "./confederation/view-page-routes.ts";
import { viewRoutes } from "./confederation/view-routes.ts";
import { installGoneHandler } from "./publishing/gone.ts";
import { roomRoutes } from "./publishing/kinds.ts";
import { installEmptyPageItems } from "./publishing/outbox.ts";
import { mastodonApi } from "./mastodon/api.ts";
import { adminAppRoutes } from "./mastodon/admin-routes.ts";
import { oauthStore } from "./mastodon/oauth.ts";
import { publicNoteRoutes } from "./social/routes.ts";
import { squarePng } from "./web/avatar.ts";
import { PAGE_CSP } from "./web/html.ts";
import { webApp } from "./webapp/routes.ts";
import { adminBarterRoutes } from "./assemblies/barter-routes.ts";
import { adminAssemblyRoutes, publicAssemblyRoutes } from "./assemblies/routes.ts";
import { adminOutcomeRoutes, publicAssemblyHtml, publicOutcomeRoutes } from "./assemblies/outcome-routes.ts";
import { mediaRoutes } from "./settings/routes.ts";
import { avatarUrl, profileFields } from "./federation/actor.ts";
import { actorFacts } from "./federation/federation.ts";

/**
 * Fastify loads its ajv validator and fast-json-stringify serializer factories when it is made (about 100
 * modules), though every route here validates and serializes with zod (set just below). These load them only if
 * something ever asks, which nothing does today.
 */
const UNUSED_AJV_COMPILERS = (() => {
  const fromFastify = createRequire(createRequire(import.meta.url).resolve("fastify"));
  let validators: ((...args: unknown[]) => unknown) | undefined;
  let serializers: ((...args: unknown[]) => unknown) | undefined;
  return {
    buildValidator: (...args: unknown[]) => (validators ??= fromFastify("@fastify/ajv-compiler")())(...args),
    buildSerializer: (...args: unknown[]) =>
      (serializers ??= fromFastify("@fastify/fast-json-stringify-compiler")())(...args),
  };
})();

/** The admin API's prefix: clear of /api/v1, /api/v2 and /oauth, which belong to the Mastodon API. */
export const ADMIN_PREFIX = "/admin/api";

/** The pod's Fastify instance, ready to listen (used by main and by tests). */
export async function buildApp(pod: Pod): Promise<FastifyInstance> {
  const { deps, federation, queue, follows, contextFor } = pod;
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    logController: new PodRequestLog(),
    bodyLimit: deps.config.maxBodyBytes,
    genReqId: (request) => {
      const given = request.headers["x-request-id"];
      return typeof given === "string" && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
    },
    // Only the reverse proxy named in POD_TRUST_PROXY may say who the client is (X-Forwarded-For); by
    // default nobody may, so a client cannot pick its own address and dodge the per-address limits.
    trustProxy: deps.config.trustProxy,
    // Fastify's defaults, pinned: a JSON body with __proto__ or constructor.prototype keys is a 400.
    onProtoPoisoning: "error",
    onConstructorPoisoning: "error",
    schemaController: { compilersFactory: UNUSED_AJV_COMPILERS },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installProblemHandlers(app, (request, reply, problem) => {
    const ctx = publicContext(request, reply, deps.config);
    return sendPublic(ctx, reply, publicErrorPage(ctx, problem.status));
  });

  await app.register(fastifySwagger, {
    openapi: {
      info: { title: `${SOFTWARE_NAME} admin API`, version: SOFTWARE_VERSION },
      servers: [{ url: deps.config.url.origin }],
      components: { securitySchemes: { operatorToken: { type: "http", scheme: "bearer" } } },
      security: [{ operatorToken: [] }],
    },
    transform: jsonSchemaTransform,
  });
  // Browsable docs at /admin/docs, the OpenAPI document at /admin/docs/json.
  await app.register(fastifySwaggerUi, { routePrefix: "/admin/docs" });

  // Another process (a second web process, the CLI) may have saved new settings, changed the pod's categories,
  // published a charter, changed a guide link or a block (in-memory copies, read synchronously): every request
  // sees them.
  // A callback hook, not an async one: it runs on every request, and an async hook costs a promise per request
  // (refresh() makes one only when there is something to read).
  const categories = categoriesOf(pod.deps);
  const charter = charterCopyOf(pod.deps);
  const followsCopy = followsOf(pod.deps);
  const refreshCopies = (done: (error?: Error) => void) => {
    const settings = pod.settings.refresh();
    const categoriesChanged = categories.refresh();
    const charterChanged = charter.refresh();
    const followsChanged = followsCopy.refresh();
    const guidesChanged = pod.memory.refreshGuides();
    const blocksChanged = pod.moderation.refresh();
    if (settings || categoriesChanged || charterChanged || followsChanged || guidesChanged || blocksChanged) {
      Promise.all([settings, categoriesChanged, charterChanged, followsChanged, guidesChanged, blocksChanged]).then(
        () => done(),
        done,
      );
    } else done();
  };
  app.addHook("onRequest", (_request, _reply, done) => {
    // On PostgreSQL the counters are read in the background: a request waits for a read that is due.
    const counters = deps.rooms.countersDue();
    if (counters) counters.then(() => refreshCopies(done), done);
    else refreshCopies(done);
  });
  // Every HTML page the pod renders gets a no-script policy (the API docs UI, which needs its scripts, excepted).
  // Callback hooks on every response, like the one above: no promise each.
  app.addHook("onSend", (request, reply, payload, done) => {
    const ownPolicy = reply.hasHeader("content-security-policy") || request.url.startsWith("/admin/docs");
    if (String(reply.getHeader("content-type") ?? "").startsWith("text/html") && !ownPolicy) {
      reply.header("content-security-policy", PAGE_CSP);
    }
    done(null, payload);
  });
  installGoneHandler(app, deps);
  installEmptyPageItems(app);
  const { signedRequester: requester } = mountFederation(app, federation, deps, {
    kv: pod.kv,
    concernsPod: inboxConcern(deps, {
      followsAccepted: followsCopy.followsAccepted,
      viewObjectOrigin: pod.confederation.viewObjectOrigin,
      knowsStatus: pod.social.knowsStatus,
      knowsAccount: pod.social.knowsAccount,
    }),
    recordUnconcerned: pod.confederation.inbox.recordUnconcerned,
    fastPath: pod.inboxFastPath,
    refusesSender: pod.moderation.refuses,
  });
  await app.register(webRoutes, { deps, services: pod });
  await app.register(publicRequestRoutes, {
    config: deps.config,
    offers: pod.offers,
    charters: pod.charters,
    requests: pod.requests,
  });
  await app.register(publicCategoryRoutes, { deps });
  for (const { plugin, options } of roomRoutes(pod, "public")) await app.register(plugin, options);
  await app.register(viewRoutes, { deps });
  await app.register(viewPageRoutes, { deps });
  await app.register(publicNoteRoutes, { deps, contextFor });
  const outcomeOptions = {
    requester,
    assemblies: pod.assemblies,
    outcomes: pod.assemblyOutcomes,
    config: deps.config,
    rooms: deps.rooms,
  };
  await app.register(publicAssemblyRoutes, {
    assemblies: pod.assemblies,
    publicPage: (request, row) => publicAssemblyHtml(outcomeOptions, request, row),
    requester,
  });
  await app.register(publicOutcomeRoutes, outcomeOptions);
  await app.register(webApp, { prefix: "/app", pod, members: pod.members });
  await app.register(mediaRoutes, { config: deps.config });
  for (const [path, image] of [
    ["/avatar.png", squarePng(96, [0x2e, 0x7d, 0x32])],
    ["/header.png", squarePng(96, [0xe8, 0xf5, 0xe9])],
    // Browsers ask every page for it: the pod's colour instead of a 404 on each.
    ["/favicon.ico", squarePng(32, [0x2e, 0x7d, 0x32])],
  ] as const) {
    app.get(path, { schema: { hide: true } }, async (_request, reply) =>
      reply.type("image/png").header("cache-control", "public, max-age=86400").send(image),
    );
  }
  const oauth = oauthStore(roomsOf(deps), deps.now);
  await app.register(mastodonApi, {
    oauth,
    isCoordinator: pod.members.isActiveCoordinator,
    moderation: pod.moderation,
    deps,
    social: pod.social,
    follows,
    contextFor,
    localProfile: () => ({
      avatar: avatarUrl(deps.config).href,
      fields: profileFields(deps.config.url.origin, actorFacts(pod.publishedAt, pod)),
    }),
  });
  await app.register(
    async (admin) => {
      // Counts wrong operator tokens per client address (see requireOperator).
      await registerSharedRateLimit(admin, roomsOf(deps), "admin");
      // Before body parsing and validation: a caller without a token learns nothing about the input rules.
      admin.addHook("onRequest", requireOperator(admin, roomsOf(deps), pod.members.isActiveCoordinator));
      await admin.register(operatorRoutes, { deps, queue });
      await admin.register(followRoutes, { deps, actions: follows });
      await admin.register(adminCategoryRoutes, { deps });
      for (const { plugin, options } of roomRoutes(pod, "admin")) await admin.register(plugin, options);
      await admin.register(adminAssemblyRoutes, { assemblies: pod.assemblies });
      await admin.register(adminOutcomeRoutes, outcomeOptions);
      await admin.register(adminBarterRoutes, { assemblies: pod.assemblies, barter: pod.assemblyBarter });
      await admin.register(adminConfederationRoutes, { deps, confederation: pod.confederation });
      await admin.register(adminAppRoutes, { oauth });
    },
    { prefix: ADMIN_PREFIX },
  );
  return app;
}
