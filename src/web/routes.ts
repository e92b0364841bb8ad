import type { FastifyPluginAsync } from "fastify";
import type { PodDeps } from "../federation/deps.ts";
import { offerQuantityLine } from "../offers/quantity.ts";
import type { PodServices } from "../services.ts";
import { countFollowers, countFollowing } from "../follows/service.ts";
import { html, page, raw } from "./html.ts";

/** Human pages, health and host-meta. ActivityPub clients get JSON at the same URLs from Fedify. */
export const webRoutes: FastifyPluginAsync<{
  deps: PodDeps;
  services: Pick<PodServices, "offers" | "charters" | "practices">;
}> = async (app, { deps, services }) => {
  const { config, db } = deps;
  const profile = `/@${config.handle}`;

  const VIEW_LINKS = raw(
    "<p>Neighbors' surplus and needs, as seen from here: " +
      '<a href="/view/surplus.html">surplus</a> · <a href="/view/needs.html">needs</a> · ' +
      '<a href="/view/surplus.atom">Atom</a> · <a href="/view/surplus.csv">CSV</a></p>',
  );

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

  const renderProfile = async (_request: unknown, reply: import("fastify").FastifyReply) => {
    const handle = `@${config.handle}@${config.url.host}`;
    const charter = services.charters.current();
    const live = (kind: "offer" | "need") => [
      ...services.offers.list(kind, { status: "open", limit: 50 }),
      ...services.offers.list(kind, { status: "partly_claimed", limit: 50 }),
    ];
    const offers = live("offer");
    const needs = live("need");
    const practices = services.practices.list({ status: "published", limit: 20 });
    const path = (kind: "offer" | "need", id: string) => `/${kind === "offer" ? "offers" : "needs"}/${id}`;
    const offerLink = (kind: "offer" | "need", o: (typeof offers)[number]) =>
      html`<a href="${path(kind, o.id)}">${o.name}</a>`;
    const offerItem = (kind: "offer" | "need", o: (typeof offers)[number]) =>
      html`<li>${offerLink(kind, o)} — ${offerQuantityLine(o)}, ${o.areaName}</li>`;
    const offerList = (kind: "offer" | "need", rows: typeof offers) =>
      rows.length ? html`<ul>${rows.map((o) => offerItem(kind, o))}</ul>` : html`<p>Nothing at the moment.</p>`;
    const practiceItems = practices.map(
      (p) => html`<li><a href="/practices/${p.id}">${p.title}</a> — ${p.summary}</li>`,
    );
    return reply.type("text/html; charset=utf-8").send(
      page(
        config.name,
        html`<header><h1>${config.name}</h1><p><strong>${handle}</strong></p></header>
<p>${config.summary}</p>
<p>${countFollowers(db)} followers · following ${countFollowing(db)} pods</p>
<p>Follow this pod from any Mastodon-compatible app by searching for <code>${handle}</code>.</p>
<h2>People's Service Charter</h2>
${
  charter
    ? html`<p><a href="/charter">Revision ${charter.number}</a>: ${
        charter.services
          .filter((s) => s.status === "active")
          .map((s) => s.name)
          .join(", ") || "no active services"
      }.</p>`
    : html`<p>Not published yet.</p>`
}
<h2>Surplus to share</h2>
${offerList("offer", offers)}
<h2>Needs</h2>
${offerList("need", needs)}
<h2>Practices</h2>
${practices.length ? html`<ul>${practiceItems}</ul>` : html`<p>None shared yet.</p>`}
${VIEW_LINKS}`,
      ),
    );
  };
  for (const url of ["/", profile, `/users/${config.handle}`]) app.get(url, { schema: { hide: true } }, renderProfile);
};
