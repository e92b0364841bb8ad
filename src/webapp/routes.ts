import { readFileSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import { consentPages } from "../mastodon/app-consent.ts";
import { oauthStore } from "../mastodon/oauth.ts";
import { codesService } from "../members/codes.ts";
import { passkeysService } from "../members/passkeys.ts";
import { memberPages } from "../members/routes.ts";
import { moderationPages } from "../moderation/app-routes.ts";
import { directMessenger } from "../social/direct-message.ts";
import type { MembersService } from "../members/service.ts";
import { offerPages } from "../offers/app-routes.ts";
import { appRows, tokenPages } from "../operators/app-routes.ts";
import { recentResponses } from "../offers/responses.ts";
import { reviewsBlock } from "../memory/app-pages.ts";
import { memoryPages } from "../memory/app-routes.ts";
import { podToday } from "../memory/calendar.ts";
import { practicePages } from "../practices/app-routes.ts";
import { assemblyPages } from "../assemblies/app-routes.ts";
import { neighborPages } from "../follows/app-routes.ts";
import { requestsBlock } from "../requests/app-pages.ts";
import { requestPages } from "../requests/app-routes.ts";
import { rotaBlock } from "../rotation/app-pages.ts";
import { rotaPages } from "../rotation/app-routes.ts";
import { carePages } from "../care/app-routes.ts";
import { careService } from "../care/service.ts";
import { followsOf } from "../follows/room.ts";
import type { Pod } from "../pod.ts";
import { dashboardPage } from "./pages/dashboard.ts";
import { menuPage } from "./pages/menu.ts";
import { settingsPages, setupStep } from "../settings/app-routes.ts";
import { charterPages } from "../charters/app-routes.ts";
import { categoryPages } from "../categories/app-routes.ts";
import { sovereigntyPages } from "../sovereignty/app-routes.ts";
import { installWebApp } from "./plugin.ts";

const STYLE = readFileSync(new URL("./style.css", import.meta.url), "utf8");

/** The members' web app under /app: server-rendered pages that work without JavaScript. */
export async function webApp(app: FastifyInstance, { pod, members }: { pod: Pod; members: MembersService }) {
  const { config, rooms } = pod.deps;
  const kit = await installWebApp(app, { config, members, rooms });
  const rota = pod.rotation;

  app.get("/style.css", async (_request, reply) =>
    reply.type("text/css; charset=utf-8").header("cache-control", "public, max-age=3600").send(STYLE),
  );

  app.get("/", { preHandler: kit.guard("member") }, async (request, reply) => {
    const open = await Promise.all(
      (["offer", "need"] as const).map(async (kind) =>
        (await pod.offers.list(kind, { limit: 200 })).filter(
          (r) => r.status === "open" || r.status === "partly_claimed",
        ),
      ),
    );
    const now = pod.deps.now();
    const soon = new Date(now.getTime() + 3 * 86_400_000).toISOString();
    const ctx = kit.context(request, reply);
    const everyone = await members.list();
    const page = dashboardPage(ctx, {
      openOffers: open[0]!.length,
      openNeeds: open[1]!.length,
      followRequests: await followsOf(pod.deps).store.countFollowers("pending"),
      endingSoon: open
        .flat()
        .filter((row) => row.availableUntil && row.availableUntil <= soon)
        .map((row) => row.name),
      charterReviewDue: pod.charters.current()?.reviewDue ?? null,
      now: now.toISOString(),
      members: everyone.filter((m) => !m.disabledAt).length,
      invitations: (await members.openInvitations()).length,
      responses: (
        await recentResponses(pod.offers, pod.social.responsesTo, config, new Date(now.getTime() - 14 * 86_400_000), 10)
      ).map(({ offer, response }) => ({
        offerName: offer.name,
        appPath: `/app/offers/${offer.kind}/${offer.id}`,
        author: response.author,
        published: response.published,
      })),
      apps: [...new Set((await appRows(rooms, everyone, now)).map((app) => app.appName))],
      requests: requestsBlock(
        ctx,
        await pod.requests.count("new"),
        await pod.requests.list({ status: "new", limit: 3 }),
      ),
      rota: rotaBlock(ctx, (await rota.unfilled()).length),
      memory: reviewsBlock(ctx, await pod.memory.reviewsDue(podToday(now, config.timeZone))),
    });
    return kit.send(request, reply, page);
  });

  app.get("/menu", { preHandler: kit.guard("member") }, async (request, reply) =>
    kit.send(request, reply, menuPage(kit.context(request, reply))),
  );

  const rp = { id: config.url.hostname, origin: config.url.origin, name: config.name };
  const passkeys = passkeysService(rooms, pod.deps.now, rp, members);
  const messenger = directMessenger(pod.deps, pod.contextFor);
  const codes = codesService(rooms, pod.deps.now, members, messenger, pod.deps.log);
  const { audit } = members;
  const { responsesTo } = pod.social;
  await app.register(memberPages, { kit, members, passkeys, codes, setup: setupStep(pod.settings) });
  await app.register(offerPages, {
    kit,
    audit,
    offers: pod.offers,
    rooms,
    config,
    responsesTo,
    countFollowers: () => followsOf(pod.deps).store.countFollowers(),
  });
  await app.register(tokenPages, { kit, rooms, audit, members: () => members.list(), now: pod.deps.now });
  await app.register(practicePages, {
    kit,
    audit,
    practices: pod.practices,
    deps: pod.deps,
    lessonOf: pod.memory.lessonOfPractice,
  });
  await app.register(memoryPages, {
    kit,
    audit,
    memory: pod.memory,
    offers: pod.offers,
    charters: pod.charters,
    deps: pod.deps,
  });
  await app.register(neighborPages, {
    kit,
    audit,
    deps: pod.deps,
    actions: pod.follows,
    relay: pod.confederation.relay,
  });
  await app.register(moderationPages, {
    kit,
    moderation: pod.moderation,
    social: pod.social,
    confederation: pod.confederation,
    members,
  });
  await app.register(settingsPages, { kit, settings: pod.settings });
  await app.register(charterPages, { kit, charters: pod.charters, audit, rooms, config });
  await app.register(categoryPages, { kit, audit, rooms, config, now: pod.deps.now });
  await app.register(consentPages, { kit, rooms, oauth: oauthStore(rooms, pod.deps.now), audit });
  await app.register(requestPages, { kit, audit, requests: pod.requests });
  // The charter names the rotated roles: followers get an Update of it when that line changes.
  const publicRolesChanged = async (before: string) => {
    if (JSON.stringify(rota.publicRoles()) !== before) await pod.charters.republish();
  };
  const workflows = async () => (await pod.memory.list("workflow")).map((w) => ({ id: w.id, title: w.title }));
  await app.register(rotaPages, { kit, audit, rota, members, config, publicRolesChanged, workflows });
  const care = careService(rooms, pod.deps.now, () => config.timeZone);
  await app.register(carePages, { kit, audit, care, rota, members, config, now: pod.deps.now });
  await app.register(sovereigntyPages, {
    kit,
    audit,
    sovereignty: pod.sovereignty,
    charterServices: () => {
      const charter = pod.charters.current();
      return [...(charter?.services ?? []), ...(charter?.planned ?? [])].map((s) => ({ key: s.key, name: s.name }));
    },
    config,
    now: pod.deps.now,
  });
  await app.register(assemblyPages, {
    kit,
    audit,
    assemblies: pod.assemblies,
    outcomes: pod.assemblyOutcomes,
    barter: pod.assemblyBarter,
    deps: pod.deps,
  });
}
