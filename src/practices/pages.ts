import type { PublicContext, PublicPage } from "../web/layout.ts";
import { html } from "../webapp/html.ts";
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
    : null;

export const tagPath = (tag: string) => `/tags/${encodeURIComponent(tag)}`;

/** The public page of a practice. All user text is escaped; the Markdown body is inserted only once sanitised. */
export function practicePage(ctx: PublicContext, row: Practice, lesson?: { name: string; url: string }): PublicPage {
  const { t } = ctx;
  return {
    title: row.title,
    body: html`<article lang=${row.language}>
      <p><strong>${row.summary}</strong></p>
      <p class="meta">
        ${t("site.practice.published", { at: ctx.date(row.createdAt) })}
        ${row.updatedAt !== row.createdAt && ` · ${t("site.practice.updated", { at: ctx.date(row.updatedAt) })}`}
      </p>
      <div dangerouslySetInnerHTML=${{ __html: renderMarkdown(row.body) }}></div>
      ${section(t("site.practice.problem"), row.problem)}
      ${section(t("site.practice.outcomes"), row.outcomes)}
      ${
        row.tags.length > 0 &&
        html`<p>${row.tags.map((tag) => html`<a href=${tagPath(tag)} rel="tag">#${tag}</a> `)}</p>`
      }
      ${
        row.adaptedFrom &&
        /^https?:\/\//i.test(row.adaptedFrom) &&
        html`<p>
          ${t("site.practice.adaptedFrom")} <a href=${row.adaptedFrom} rel="nofollow noopener">${row.adaptedFrom}</a>
        </p>`
      }
      ${lesson && html`<p class="lesson-of">${t("memory.lessonOf")} <a href=${lesson.url}>${lesson.name}</a></p>`}
    </article>`,
  };
}

export function practiceList(ctx: PublicContext, rows: Practice[]) {
  return rows.length
    ? html`<ul class="cards">
        ${rows.map(
          (p) =>
            html`<li>
              <p><a href=${`/practices/${p.id}`}>${p.title}</a></p>
              <p>${p.summary}</p>
            </li>`,
        )}
      </ul>`
    : html`<p>${ctx.t("site.nothing")}</p>`;
}

export function practicesListPage(ctx: PublicContext, rows: Practice[]): PublicPage {
  return { title: ctx.t("site.practices.title"), body: practiceList(ctx, rows) };
}

/** Practices with a tag (the tag links of practice pages and of the Articles point here). */
export function tagPage(ctx: PublicContext, tag: string, rows: Practice[]): PublicPage {
  return {
    title: ctx.t("site.tag.title", { tag }),
    body: html`<p><a href="/practices">${ctx.t("site.tag.all")}</a></p>
      ${practiceList(ctx, rows)}`,
  };
}
