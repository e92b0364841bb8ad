import type { Offer } from "../offers/model.ts";
import { Csrf, html, type Page, type PageContext } from "../webapp/html.ts";

export interface OfferGuide {
  guideKind: "practice" | "workflow";
  guideId: string;
  name: string;
  url: string;
  summary: string;
}

export interface GuideChoice {
  guideKind: "practice" | "workflow";
  guideId: string;
  name: string;
}

const offerPath = (offer: Offer) => `/app/memory/guides/${offer.kind}/${offer.id}`;

/** Offers and needs with the guides that go with them. */
export function guidesListPage(ctx: PageContext, offers: { offer: Offer; guides: number }[]): Page {
  const { t } = ctx;
  return {
    title: t("memory.guides.title"),
    body: html`<p>${t("memory.guides.intro")}</p>
      ${offers.length === 0 && html`<p>${t("memory.none")}</p>`}
      <ul class="cards">
        ${offers.map(
          ({ offer, guides }) => html`<li>
            <p><a href=${offerPath(offer)}><strong>${offer.name}</strong></a></p>
            <p class="hint">${t("memory.guides.count", { count: guides })}</p>
          </li>`,
        )}
      </ul>`,
  };
}

/** One offer's guides: add one, remove one, print the hand-out. */
export function offerGuidesPage(ctx: PageContext, offer: Offer, guides: OfferGuide[], choices: GuideChoice[]): Page {
  const { t } = ctx;
  const path = offerPath(offer);
  const attached = new Set(guides.map((g) => `${g.guideKind}:${g.guideId}`));
  const open = choices.filter((c) => !attached.has(`${c.guideKind}:${c.guideId}`));
  return {
    title: t("memory.guides.for", { name: offer.name }),
    body: html`<p>${t("memory.guides.intro")}</p>
      ${guides.length === 0 && html`<p>${t("memory.guides.none")}</p>`}
      <ul class="cards">
        ${guides.map(
          (g) => html`<li>
            <p><a href=${g.url}>${g.name}</a></p>
            <form method="post" action=${`${path}/remove`}>
              <${Csrf} ctx=${ctx} />
              <input type="hidden" name="guide" value=${`${g.guideKind}:${g.guideId}`} />
              <button type="submit" class="secondary">${t("memory.guides.remove", { name: g.name })}</button>
            </form>
          </li>`,
        )}
      </ul>
      ${guides.length > 0 && html`<p><a class="button" href=${`${path}/handout`}>${t("memory.guides.handout")}</a></p>`}
      ${
        open.length > 0 &&
        html`<form method="post" action=${path} class="stack">
          <${Csrf} ctx=${ctx} />
          <div class="field">
            <label for="guide">${t("memory.guides.add")}</label>
            <select id="guide" name="guide">
              ${open.map(
                (c) =>
                  html`<option value=${`${c.guideKind}:${c.guideId}`}>
                    ${t(c.guideKind === "practice" ? "memory.guides.practice" : "memory.guides.workflow", {
                      name: c.name,
                    })}
                  </option>`,
              )}
            </select>
          </div>
          <button type="submit">${t("memory.guides.attach")}</button>
        </form>`
      }`,
  };
}

/** The printable hand-out: one page, each guide with its gist and a QR code to its address. */
export function handoutPage(ctx: PageContext, offer: Offer, guides: (OfferGuide & { qr: string })[]): Page {
  const { t } = ctx;
  return {
    title: t("memory.handout.title", { name: offer.name }),
    body: html`<div class="handout">
      <p>${t("memory.handout.intro", { pod: ctx.podName })}</p>
      ${guides.map(
        (g) => html`<section class="handout-guide" aria-label=${g.name}>
          <h2>${g.name}</h2>
          <p>${g.summary}</p>
          <div class="qr" role="img" aria-label=${t("memory.handout.qr", { url: g.url })}
            dangerouslySetInnerHTML=${{ __html: g.qr }}></div>
          <p class="url">${g.url}</p>
        </section>`,
      )}
    </div>`,
  };
}
