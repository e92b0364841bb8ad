import { renderMarkdown } from "../practices/markdown.ts";
import type { PublicContext, PublicPage } from "../web/layout.ts";
import { html } from "../webapp/html.ts";
import type { MessageKey } from "../webapp/i18n/index.ts";
import type { Entry } from "./model.ts";
import type { PublicEntry } from "./to-as.ts";

export const KIND_LABEL: Record<Entry["kind"], MessageKey> = {
  decision: "memory.kind.decision",
  workflow: "memory.kind.workflow",
  lesson: "memory.kind.lesson",
};

/** Escaped plain-text paragraphs under a heading; nothing when empty. */
export const textSection = (heading: string, text: string) =>
  text.trim()
    ? html`<h2>${heading}</h2>
        ${text
          .split(/\n{2,}/)
          .map((p) => p.trim())
          .filter(Boolean)
          .map((p) => html`<p>${p}</p>`)}`
    : null;

function SearchForm({ ctx, q }: { ctx: PublicContext; q: string }) {
  return html`<form method="get" action="/memory/search" role="search" class="stack">
    <div class="field">
      <label for="memory-q">${ctx.t("memory.search.label")}</label>
      <input id="memory-q" name="q" type="search" value=${q} maxlength="200" />
    </div>
    <button type="submit">${ctx.t("memory.search.button")}</button>
  </form>`;
}

function EntryList({ ctx, rows }: { ctx: PublicContext; rows: PublicEntry[] }) {
  return rows.length
    ? html`<ul class="cards">
        ${rows.map(
          (row) =>
            html`<li>
              <p>
                <span class="meta">${ctx.t(KIND_LABEL[row.kind])}</span>${" · "}
                <a href=${`/memory/${row.publicationId}`}>${row.title}</a>
              </p>
              <p>${row.summary}</p>
            </li>`,
        )}
      </ul>`
    : html`<p>${ctx.t("site.nothing")}</p>`;
}

/** The pod's public memory: what it decided, how it works, what it learned. */
export function memoryListPage(ctx: PublicContext, rows: PublicEntry[]): PublicPage {
  return {
    title: ctx.t("memory.site.title"),
    body: html`<p>${ctx.t("memory.site.intro")}</p>
      <p>
        <a href="/memory.atom" type="application/atom+xml">${ctx.t("memory.site.atom")}</a> ·
        <a href="/memory.json" type="application/feed+json">${ctx.t("memory.site.json")}</a>
      </p>
      <${SearchForm} ctx=${ctx} q="" />
      <${EntryList} ctx=${ctx} rows=${rows} />`,
  };
}

export function memorySearchPage(ctx: PublicContext, q: string, rows: PublicEntry[]): PublicPage {
  return {
    title: ctx.t("memory.search.title"),
    body: html`<${SearchForm} ctx=${ctx} q=${q} />
      ${q && html`<${EntryList} ctx=${ctx} rows=${rows} />`}
      <p><a href="/memory">${ctx.t("memory.site.all")}</a></p>`,
  };
}

/** One public entry. User text is escaped; the Markdown body is inserted only once sanitised. */
export function entryPage(ctx: PublicContext, row: PublicEntry): PublicPage {
  const { t } = ctx;
  return {
    title: row.title,
    body: html`<article lang=${row.language}>
      <p class="meta">
        ${t(KIND_LABEL[row.kind])} · ${t("site.practice.published", { at: ctx.date(row.createdAt) })}
        ${row.kind === "workflow" && ` · ${t("memory.revision", { number: row.revision })}`}
      </p>
      <p><strong>${row.summary}</strong></p>
      <div dangerouslySetInnerHTML=${{ __html: renderMarkdown(row.body) }}></div>
      ${row.kind === "decision" && textSection(t("memory.field.decidedBy"), row.decidedBy)}
      ${row.kind === "decision" && textSection(t("memory.field.alternatives"), row.alternatives)}
      ${row.kind === "decision" && row.reviewOn && textSection(t("memory.field.reviewOn"), row.reviewOn)}
      ${
        row.supersededByPid &&
        html`<p>${t("memory.supersededBy")} <a href=${`/memory/${row.supersededByPid}`}>${t("memory.newer")}</a></p>`
      }
      ${row.kind === "lesson" && textSection(t("memory.field.learned"), row.learned)}
      ${row.kind === "lesson" && textSection(t("memory.field.changed"), row.changed)}
      ${
        row.adaptedFrom &&
        /^https?:\/\//i.test(row.adaptedFrom) &&
        html`<p>
          ${t("site.practice.adaptedFrom")} <a href=${row.adaptedFrom} rel="nofollow noopener">${row.adaptedFrom}</a>
        </p>`
      }
    </article>`,
  };
}
