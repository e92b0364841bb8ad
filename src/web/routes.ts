import type { FastifyPluginAsync } from "fastify";
import type { PodDeps } from "../federation/deps.ts";
import { countFollowers, countFollowing } from "../follows/service.ts";
import { html, page } from "./html.ts";

/** Human pages, health and host-meta. ActivityPub clients get JSON at the same URLs from Fedify. */
export const webRoutes: FastifyPluginAsync<{ deps: PodDeps }> = async (app, { deps }) => {
  const { config, db } = deps;
  const profile = `/@${config.handle}`;

  app.get("/healthz", { schema: { hide: true } }, async () => ({ status: "ok" }));

  app.get("/.well-known/host-meta", { schema: { hide: true } }, async (_request, reply) => {
    const template = new URL("/.well-known/webfinger?resource={uri}", config.url).href;
    return reply
      .type("application/xrd+xml; charset=utf-8")
      .send(
        `<?xml version="1.0" encoding="UTF-8"?>\n<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n  <Link rel="lrdd" template="${template}"/>\n</XRD>\n`,
      );
  });

  const renderProfile = async (_request: unknown, reply: import("fastify").FastifyReply) => {
    const handle = `@${config.handle}@${config.url.host}`;
    return reply.type("text/html; charset=utf-8").send(
      page(
        config.name,
        html`<header><h1>${config.name}</h1><p><strong>${handle}</strong></p></header>
<p>${config.summary}</p>
<p>${countFollowers(db)} followers · following ${countFollowing(db)} pods</p>
<p>Follow this pod from any Mastodon-compatible app by searching for <code>${handle}</code>.</p>`,
      ),
    );
  };
  for (const url of ["/", profile, `/users/${config.handle}`]) app.get(url, { schema: { hide: true } }, renderProfile);
};
