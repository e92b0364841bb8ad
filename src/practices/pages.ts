import type { Config } from "../config/schema.ts";
import { formatDate } from "../publishing/text.ts";
import { html, page, raw } from "../web/html.ts";
import { tagIri } from "../publishing/iris.ts";
import { renderMarkdown } from "./markdown.ts";
import type { Practice } from "./model.ts";

/** Escaped plain-text paragraphs, under a heading; nothing when empty. */
const section = (heading: string, text: string) =>
  text.trim()
    ? html`<h2>${heading}</h2>
${text
  .split(/\n{2,}/)
  .map((p) => p.trim())
  .filter(Boolean)
  .map((p) => html`<p>${p}</p>`)}`
    : "";

/** The public page of a practice. All user text is escaped; the Markdown body is inserted only once sanitised. */
export function practicePage(config: Config, row: Practice): string {
  const updated = row.updatedAt === row.createdAt ? "" : html` · updated ${formatDate(row.updatedAt)}`;
  const tagLinks = row.tags.map(
    (tag, i) => html`${i ? " " : ""}<a href="${tagIri(config, tag).href}" rel="tag">#${tag}</a>`,
  );
  const adaptedFrom = row.adaptedFrom
    ? html`<p>Adapted from <a href="${row.adaptedFrom}" rel="nofollow noopener">${row.adaptedFrom}</a></p>`
    : "";
  return page(
    `${row.title} — ${config.name}`,
    html`<p><a href="/@${config.handle}">${config.name}</a> · Successful practice</p>
<article lang="${row.language}">
<h1>${row.title}</h1>
<p><strong>${row.summary}</strong></p>
<p>Published ${formatDate(row.createdAt)}${updated}</p>
${raw(renderMarkdown(row.body))}
${section("Problem", row.problem)}
${section("Outcomes", row.outcomes)}
${row.tags.length ? html`<p>${tagLinks}</p>` : ""}
${adaptedFrom}
</article>`,
  );
}
