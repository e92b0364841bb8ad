import type { Config } from "../config/schema.ts";
import { html, page, raw } from "../web/html.ts";
import type { Charter } from "./model.ts";

/** The charter page: the Article's HTML (already escaped by the converter) plus the link to its history. */
export function charterPage(
  config: Config,
  _charter: Charter,
  articleHtml: string,
  heading = "People's Service Charter",
): string {
  return page(
    `${heading} — ${config.name}`,
    html`<p><a href="/@${config.handle}">${config.name}</a></p>
<h1>${heading}</h1>
${raw(articleHtml)}
<p><a href="/charter/history">Revision history</a></p>`,
  );
}

export function historyPage(
  config: Config,
  revisions: { number: number; changeNote: string; publishedAt: string }[],
): string {
  const items = revisions.map((r) => {
    const link = html`<a href="/charter/revisions/${r.number}">Revision ${r.number}</a>`;
    return html`<li>${link}, ${r.publishedAt.slice(0, 10)}: ${r.changeNote}</li>`;
  });
  return page(
    `Charter history — ${config.name}`,
    html`<p><a href="/charter">Current charter</a></p>
<h1>Charter history</h1>
<ol reversed>
${items}
</ol>`,
  );
}
