import { categoryName } from "../categories/names.ts";
import type { Category } from "../categories/service.ts";
import type { GuideLink } from "../publishing/guides.ts";
import { offerPath } from "../publishing/iris.ts";
import type { Response } from "../publishing/response.ts";
import type { PublicContext, PublicPage } from "../web/layout.ts";
import { SAFE_HREF } from "../web/sanitize.ts";
import { html } from "../webapp/html.ts";
import type { MessageKey } from "../webapp/i18n/index.ts";
import type { Offer } from "./model.ts";
import { amountsOf } from "./quantity.ts";

const STATUS: Record<Offer["status"], MessageKey> = {
  open: "site.status.open",
  partly_claimed: "site.status.partly_claimed",
  claimed: "site.status.claimed",
  expired: "site.status.expired",
  withdrawn: "site.status.withdrawn",
};

/** True while neighbors may still ask for it (offers) or help with it (needs). */
export const isOpen = (row: Pick<Offer, "status">) => row.status === "open" || row.status === "partly_claimed";

/** "7 of 12 loaves left" / "12 loaves", in the reader's language. */
export function quantityText(ctx: PublicContext, row: Offer): string {
  const { quantity, available, unit } = amountsOf(row);
  const params = { quantity: quantity ?? "", available: available ?? "", unit: unit ?? "" };
  if (available !== quantity) return ctx.t(row.kind === "need" ? "site.offer.stillNeeded" : "site.offer.left", params);
  return ctx.t("site.offer.whole", params);
}

/** Where a neighbor without an account asks for an offer or offers help with a need. */
export const askPath = (row: Pick<Offer, "kind" | "id">) =>
  row.kind === "offer" ? `/offers/${row.id}/ask` : `/needs/${row.id}/help`;
export { offerPath };

/** A link to somewhere remote, only when it is http(s) (a second wall behind the converter). */
const link = (href: string, text: string) =>
  SAFE_HREF.test(href) && !href.startsWith("mailto:")
    ? html`<a href=${href} rel="nofollow noopener">${text}</a>`
    : html`${text}`;

/** The button under an open offer or need. */
export const AskButton = ({ ctx, row }: { ctx: PublicContext; row: Offer }) =>
  isOpen(row)
    ? html`<a class="button" href=${askPath(row)}>
        ${ctx.t(row.kind === "offer" ? "site.offer.ask" : "site.offer.help")}
        <span class="visually-hidden">: ${row.name}</span>
      </a>`
    : null;

/** One offer or need in a list: its name, what is left, where, and the button. */
export const OfferCard = ({ ctx, row }: { ctx: PublicContext; row: Offer }) =>
  html`<li>
    <p><a href=${offerPath(row)}>${row.name}</a></p>
    <p class="meta">${quantityText(ctx, row)} · ${row.areaName}</p>
    ${
      row.availableUntil && html`<p class="meta">${ctx.t("site.offer.until", { at: ctx.time(row.availableUntil) })}</p>`
    }
    <p><${AskButton} ctx=${ctx} row=${row} /></p>
  </li>`;

export function offerList(ctx: PublicContext, rows: Offer[]) {
  return rows.length
    ? html`<ul class="cards">
        ${rows.map((row) => html`<${OfferCard} ctx=${ctx} row=${row} />`)}
      </ul>`
    : html`<p>${ctx.t("site.nothing")}</p>`;
}

/** The surplus or needs list page. */
export function offersListPage(ctx: PublicContext, kind: Offer["kind"], rows: Offer[]): PublicPage {
  const title = ctx.t(kind === "offer" ? "site.offers.title" : "site.needs.title");
  return {
    title,
    body: html`<p>${ctx.t(kind === "offer" ? "site.offers.intro" : "site.needs.intro")}</p>
      ${offerList(ctx, rows)}`,
  };
}

/**
 * The public page of an offer or need, with public replies (stored sanitised). Claims (who took what) are never shown.
 */
export function offerPage(
  ctx: PublicContext,
  row: Offer,
  category: Category,
  responses: Response[],
  guides: GuideLink[] = [],
): PublicPage {
  const { t } = ctx;
  const replies = responses.map(
    (r) =>
      html`<article class="reply">
        <p class="meta">${link(r.authorUrl, r.author)} · ${link(r.url, ctx.time(r.published))}</p>
        <div dangerouslySetInnerHTML=${{ __html: r.content }}></div>
      </article>`,
  );
  return {
    title: row.name,
    body: html`<article lang=${row.language}>
        <p class="meta">
          ${t(row.kind === "offer" ? "site.offer.kind" : "site.need.kind")} · <strong>${t(STATUS[row.status])}</strong
          >${` · ${categoryName(t, category)}`}
        </p>
        <p>${quantityText(ctx, row)}</p>
        <p>${t("site.offer.area", { area: row.areaName })}</p>
        ${row.availableFrom && html`<p>${t("site.offer.from", { at: ctx.time(row.availableFrom) })}</p>`}
        ${row.availableUntil && html`<p>${t("site.offer.until", { at: ctx.time(row.availableUntil) })}</p>`}
        ${row.description.split(/\n{2,}/).map((p) => html`<p>${p}</p>`)}
        ${row.conditions && html`<p>${t("site.offer.conditions", { conditions: row.conditions })}</p>`}
        ${
          guides.length > 0 &&
          html`<h2>${t("memory.guides.title")}</h2>
            <ul>
              ${guides.map((g) => html`<li><a href=${g.url}>${g.name}</a></li>`)}
            </ul>`
        }
      </article>
      <p class="actions"><${AskButton} ctx=${ctx} row=${row} /></p>
      ${
        responses.length > 0 &&
        html`<section aria-labelledby="replies">
          <h2 id="replies">${t("site.offer.replies", { count: responses.length })}</h2>
          ${replies}
        </section>`
      }`,
  };
}
