import type { Category } from "../categories/service.ts";
import type { Config } from "../config/schema.ts";
import { formatDate } from "../publishing/text.ts";
import type { Response } from "../publishing/response.ts";
import { html, page, raw } from "../web/html.ts";
import { SAFE_HREF } from "../web/sanitize.ts";
import { offerQuantityLine } from "./quantity.ts";
import type { Offer } from "./model.ts";

const STATUS_LABELS: Record<Offer["status"], string> = {
  open: "Open",
  partly_claimed: "Partly claimed",
  claimed: "Claimed",
  expired: "Expired",
  withdrawn: "Withdrawn",
};

/** A link to somewhere remote, only when it is http(s) (a second wall behind the converter). */
const link = (href: string, text: string) =>
  SAFE_HREF.test(href) && !href.startsWith("mailto:")
    ? html`<a href="${href}" rel="nofollow noopener">${text}</a>`
    : html`${text}`;

/**
 * The public page of an offer or need, with public replies (stored sanitised). Claims (who took what) are never shown.
 */
export function offerPage(config: Config, row: Offer, category: Category, responses: Response[]): string {
  const heading = row.kind === "offer" ? "Surplus offer" : "Need";
  const replies = responses.map((r) => {
    const byline = html`<p>${link(r.authorUrl, r.author)} · ${link(r.url, formatDate(r.published))}</p>`;
    return html`<article>${byline}${raw(r.content)}</article>`;
  });
  return page(
    `${row.name} — ${config.name}`,
    html`<p><a href="/@${config.handle}">${config.name}</a> · ${heading}</p>
<article lang="${row.language}">
<h1>${row.name}</h1>
<p><strong>${STATUS_LABELS[row.status]}</strong> · ${offerQuantityLine(row)} · ${category.label}</p>
<p>Area: ${row.areaName}</p>
${row.availableFrom ? html`<p>From ${formatDate(row.availableFrom)}</p>` : ""}
${row.availableUntil ? html`<p>Until ${formatDate(row.availableUntil)}</p>` : ""}
${row.description.split(/\n{2,}/).map((p) => html`<p>${p}</p>`)}
${row.conditions ? html`<p>Conditions: ${row.conditions}</p>` : ""}
</article>
${
  responses.length
    ? html`<section><h2>Responses (${responses.length})</h2>
${replies}
</section>`
    : ""
}`,
  );
}
