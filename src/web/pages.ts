import type { Category } from "../categories/service.ts";
import type { Charter } from "../charters/model.ts";
import { charterSections } from "../charters/pages.ts";
import type { Offer } from "../offers/model.ts";
import { offerList } from "../offers/pages.ts";
import type { Practice } from "../practices/model.ts";
import { practiceList } from "../practices/pages.ts";
import { html } from "../webapp/html.ts";
import type { PublicContext, PublicPage } from "./layout.ts";
import { SAFE_HREF } from "./sanitize.ts";

export interface HomeFacts {
  charter: Charter | null;
  categoryOf: (slug: string) => Category;
  offers: Offer[];
  needs: Offer[];
  practices: Practice[];
  followers: number;
  following: number;
}

/** The pod's home: its charter (services now and next), its surplus and needs, its practices. */
export function homePage(ctx: PublicContext, facts: HomeFacts): PublicPage {
  const { t, config } = ctx;
  return {
    title: config.name,
    body: html`<p>${config.summary}</p>
      <p>
        <a href="/neighbors#followers">${t("site.home.followers", { count: facts.followers })}</a>${" · "}<a
          href="/neighbors#following"
          >${t("site.home.following", { count: facts.following })}</a
        >
      </p>
      <section aria-labelledby="charter">
        <h2 id="charter">${t("site.charter.title")}</h2>
        ${
          facts.charter
            ? html`<p><a href="/charter">${t("site.home.charterLink", { number: facts.charter.number })}</a></p>
                ${charterSections(ctx, facts.charter, facts.categoryOf)}`
            : html`<p>${t("site.home.noCharter")}</p>`
        }
      </section>
      <section aria-labelledby="surplus">
        <h2 id="surplus">${t("site.offers.title")}</h2>
        ${offerList(ctx, facts.offers)}
      </section>
      <section aria-labelledby="needs">
        <h2 id="needs">${t("site.needs.title")}</h2>
        ${offerList(ctx, facts.needs)}
      </section>
      <section aria-labelledby="practices">
        <h2 id="practices">${t("site.practices.title")}</h2>
        ${practiceList(ctx, facts.practices)}
      </section>
      <p>
        ${t("site.home.view")} <a href="/confederation">${t("site.home.viewSurplus")}</a>${" · "}<a
          href="/confederation/needs"
          >${t("site.home.viewNeeds")}</a
        >
      </p>`,
  };
}

/** A neighbor pod as the page lists it: its name, handle and the address of its page. */
export interface Neighbor {
  name: string;
  handle: string | null;
  url: string;
}

const NeighborList = ({ ctx, rows }: { ctx: PublicContext; rows: Neighbor[] }) =>
  rows.length
    ? html`<ul class="cards">
        ${rows.map(
          (n) =>
            html`<li>
              <p>
                ${
                  SAFE_HREF.test(n.url) && !n.url.startsWith("mailto:")
                    ? html`<a href=${n.url} rel="nofollow noopener">${n.name}</a>`
                    : n.name
                }
              </p>
              ${n.handle && html`<p class="meta">${n.handle}</p>`}
            </li>`,
        )}
      </ul>`
    : html`<p>${ctx.t("site.nothing")}</p>`;

/** The pods this pod follows and the pods that follow it, each linking to its own page. */
export function neighborsPage(
  ctx: PublicContext,
  facts: { following: Neighbor[]; followers: Neighbor[]; people: number },
): PublicPage {
  const { t } = ctx;
  return {
    title: t("site.neighbors.title"),
    body: html`<p>${t("site.neighbors.intro")}</p>
      <h2 id="following">${t("site.neighbors.following")}</h2>
      <${NeighborList} ctx=${ctx} rows=${facts.following} />
      <h2 id="followers">${t("site.neighbors.followers")}</h2>
      <${NeighborList} ctx=${ctx} rows=${facts.followers} />
      <p>${t("site.neighbors.people", { count: facts.people })}</p>`,
  };
}

/** Who runs the pod and how to reach it (from the settings, when the pod has them). */
export interface AboutFacts {
  runBy: string;
  contact: string;
  rules: string;
}

/** Who runs the pod, how to reach it, its rules, and what it keeps and publishes about people. */
export function aboutPage(ctx: PublicContext, facts: AboutFacts): PublicPage {
  const { t, config } = ctx;
  const handle = `@${config.handle}@${config.url.host}`;
  const paragraphs = (text: string) =>
    text
      .split(/\n{2,}/)
      .filter((p) => p.trim())
      .map((p) => html`<p>${p}</p>`);
  return {
    title: t("site.about.title", { pod: config.name }),
    body: html`<p>${config.summary}</p>
      <h2>${t("site.about.runBy")}</h2>
      ${facts.runBy ? paragraphs(facts.runBy) : html`<p>${t("site.about.runByDefault")}</p>`}
      <h2>${t("site.about.reach")}</h2>
      ${facts.contact && paragraphs(facts.contact)}
      <p>${t("site.about.reachFediverse", { handle })}</p>
      <p>${t("site.about.reachForms")}</p>
      <h2>${t("site.about.rules")}</h2>
      ${facts.rules ? paragraphs(facts.rules) : html`<p>${t("site.about.rulesDefault")}</p>`}
      <p><a href="/charter">${t("site.about.charterLink")}</a></p>
      <h2>${t("site.about.publishes")}</h2>
      <ul>
        <li>${t("site.about.publishesItems")}</li>
        <li>${t("site.about.publishesCharter")}</li>
        <li>${t("site.about.publishesTotals")}</li>
      </ul>
      <p><strong>${t("site.about.helpedNever")}</strong></p>
      <h2>${t("site.about.keeps")}</h2>
      <ul>
        <li>${t("site.about.keepsMembers")}</li>
        <li>${t("site.about.keepsRequests")}</li>
        <li>${t("site.about.keepsClaims")}</li>
        <li>${t("site.about.keepsLogs")}</li>
      </ul>`,
  };
}
