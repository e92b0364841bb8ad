import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { requireCategory } from "../categories/service.ts";
import type { PodDeps } from "../federation/deps.ts";
import { followsOf } from "../follows/room.ts";
import { isOpen } from "../offers/pages.ts";
import type { PodServices } from "../services.ts";
import { publicContext, sendPublic, SITE_STYLE } from "./layout.ts";
import { aboutPage, homePage, neighborsPage, type AboutFacts, type Neighbor } from "./pages.ts";

const ALL = { limit: 1000 };

/** Human pages, health and host-meta. ActivityPub clients get JSON at the same URLs from Fedify. */
export const webRoutes: FastifyPluginAsync<{
  deps: PodDeps;
  services: Pick<PodServices, "offers" | "charters" | "practices" | "confederation">;
  /** Who runs the pod, how to reach it, its rules (the settings; empty parts get a plain default). */
  about?: () => AboutFacts;
}> = async (app, { deps, services, about }) => {
  const { config, rooms } = deps;
  const { store: follows } = followsOf(deps);
  const profile = `/@${config.handle}`;
  const categoryOf = (slug: string) => requireCategory(rooms, config, slug, "category");

  app.get("/healthz", { schema: { hide: true } }, async () => ({ status: "ok" }));

  app.get("/.well-known/host-meta", { schema: { hide: true } }, async (_request, reply) => {
    const template = new URL("/.well-known/webfinger?resource={uri}", config.url).href;
    return reply
      .type("application/xrd+xml; charset=utf-8")
      .send(
        `<?xml version="1.0" encoding="UTF-8"?>\n<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n` +
          `  <Link rel="lrdd" template="${template}"/>\n</XRD>\n`,
      );
  });

  app.get("/site.css", { schema: { hide: true } }, async (_request, reply) =>
    reply.type("text/css; charset=utf-8").header("cache-control", "public, max-age=3600").send(SITE_STYLE),
  );

  const renderHome = async (request: FastifyRequest, reply: FastifyReply) => {
    const ctx = publicContext(request, reply, config);
    const open = async (kind: "offer" | "need") => (await services.offers.list(kind, { limit: 100 })).filter(isOpen);
    return sendPublic(
      ctx,
      reply,
      homePage(ctx, {
        charter: services.charters.current(),
        categoryOf,
        offers: await open("offer"),
        needs: await open("need"),
        practices: await services.practices.list({ status: "published", limit: 20 }),
        followers: await follows.countFollowers(),
        following: await follows.countFollowing(),
      }),
    );
  };
  for (const url of ["/", profile, `/users/${config.handle}`]) app.get(url, { schema: { hide: true } }, renderHome);

  app.get("/neighbors", { schema: { hide: true } }, async (request, reply) => {
    const ctx = publicContext(request, reply, config);
    const known = new Map((await services.confederation.neighborPods()).map((pod) => [pod.actorIri, pod]));
    const asNeighbor = (row: { actorIri: string; handle: string | null }): Neighbor => {
      const pod = known.get(row.actorIri);
      return {
        name: pod?.name ?? row.handle ?? new URL(row.actorIri).host,
        handle: row.handle ?? pod?.handle ?? null,
        url: pod?.url ?? row.actorIri,
      };
    };
    const followers = await follows.listFollowers("accepted", ALL);
    return sendPublic(
      ctx,
      reply,
      neighborsPage(ctx, {
        following: (await follows.listFollowing(ALL, "accepted")).map(asNeighbor),
        followers: followers.filter((f) => f.kind === "pod").map(asNeighbor),
        people: followers.filter((f) => f.kind !== "pod").length,
      }),
    );
  });

  app.get("/about", { schema: { hide: true } }, async (request, reply) => {
    const ctx = publicContext(request, reply, config);
    return sendPublic(ctx, reply, aboutPage(ctx, about?.() ?? { runBy: "", contact: "", rules: "" }));
  });
};
