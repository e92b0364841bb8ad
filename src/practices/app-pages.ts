import type { ViewItem } from "../confederation/view-present.ts";
import { practicePath } from "../publishing/iris.ts";
import { Csrf, Field, html, Notice, type FieldErrors, type Page, type PageContext } from "../webapp/html.ts";
import type { Practice } from "./model.ts";

/** The practice fields as the form holds them (tags as one line of words). */
export const PRACTICE_FIELDS = ["title", "summary", "body", "tags", "problem", "outcomes", "adaptedFrom"] as const;
export type PracticeValues = Partial<Record<(typeof PRACTICE_FIELDS)[number], string>>;

export function practicesListPage(
  ctx: PageContext,
  own: Practice[],
  neighbors: ViewItem[],
  notice?: "published" | "withdrawn",
): Page {
  const { t } = ctx;
  return {
    title: t("content.practices.title"),
    body: html`${notice && html`<${Notice} kind="ok">${t(`content.practices.${notice}`)}<//>`}
      <p>${t("content.practices.intro")}</p>
      <p class="actions"><a class="button" href="/app/practices/new">${t("content.practices.new")}</a></p>
      <section aria-labelledby="own">
        <h2 id="own">${t("content.practices.own")}</h2>
        ${own.length === 0 && html`<p>${t("content.practices.none")}</p>`}
        <ul class="cards">
          ${own.map(
            (row) => html`<li>
              <p><a href=${`/app/practices/${row.id}`}><strong>${row.title}</strong></a></p>
              <p class="hint">
                ${[
                  t(`content.practices.status.${row.status}`),
                  ctx.time(row.updatedAt),
                  row.adaptedFrom ? t("content.practices.adapted") : "",
                ]
                  .filter(Boolean)
                  .join(" · ")}
              </p>
            </li>`,
          )}
        </ul>
      </section>
      <section aria-labelledby="neighbors">
        <h2 id="neighbors">${t("content.practices.neighbors")}</h2>
        <p class="hint">${t("content.practices.neighborsHint")}</p>
        ${neighbors.length === 0 && html`<p>${t("content.practices.noNeighbors")}</p>`}
        <ul class="cards">
          ${neighbors.map(
            (item) => html`<li>
              <p><strong>${item.name}</strong></p>
              <p class="hint">${item.pod.name ?? item.pod.iri}</p>
              <p class="actions">
                <a class="button" href=${`/app/practices/new?adapt=${encodeURIComponent(item.iri)}`}
                  >${t("content.practices.adapt")}</a
                >
                ${item.url && html`<a class="button secondary" href=${item.url}>${t("content.practices.read")}</a>`}
              </p>
            </li>`,
          )}
        </ul>
      </section>`,
  };
}

export interface PracticeFormState {
  values: PracticeValues;
  errors?: FieldErrors;
  /** The sanitised HTML of the body, when the preview button was pressed. */
  preview?: string;
  /** Editing this practice; a new one otherwise. */
  practice?: Practice;
  /** The name of the neighbor's practice being adapted. */
  adapting?: string;
  /** The lesson learned this practice was promoted from. */
  lesson?: { id: string; title: string };
}

/** Write or change a practice: Markdown with a preview the server renders (no JavaScript needed). */
export function practiceFormPage(ctx: PageContext, state: PracticeFormState): Page {
  const { t } = ctx;
  const { values, errors, practice } = state;
  const field = (name: keyof PracticeValues, label: Parameters<typeof t>[0], extra: Record<string, unknown> = {}) =>
    html`<${Field} ctx=${ctx} name=${name} label=${t(label)} value=${values[name]} errors=${errors} ...${extra} />`;
  const action = practice ? `/app/practices/${practice.id}` : "/app/practices";
  return {
    title: practice ? t("content.practice.editTitle", { title: practice.title }) : t("content.practice.newTitle"),
    status: errors ? 400 : 200,
    body: html`${errors && html`<${Notice} kind="error">${t("error.form")}<//>`}
      ${state.adapting && html`<p>${t("content.practice.adapting", { title: state.adapting })}</p>`}
      ${
        state.lesson &&
        html`<p>${t("memory.promote.from")} <a href=${`/app/memory/${state.lesson.id}`}>${state.lesson.title}</a></p>`
      }
      ${
        state.preview !== undefined &&
        html`<section aria-labelledby="preview" class="preview">
          <h2 id="preview">${t("content.practice.preview")}</h2>
          <p><strong>${values.title}</strong></p>
          <p>${values.summary}</p>
          <div class="rendered" dangerouslySetInnerHTML=${{ __html: state.preview }}></div>
        </section>`
      }
      <form method="post" action=${action} class="stack">
        <${Csrf} ctx=${ctx} />
        <input type="hidden" name="adaptedFrom" value=${values.adaptedFrom ?? ""} />
        ${field("title", "content.practice.titleField", { required: true })}
        ${field("summary", "content.practice.summary", {
          required: true,
          multiline: true,
          hint: t("content.practice.summaryHint"),
        })}
        ${field("body", "content.practice.body", { multiline: true, hint: t("content.practice.bodyHint") })}
        ${field("problem", "content.practice.problem", { multiline: true })}
        ${field("outcomes", "content.practice.outcomes", { multiline: true })}
        ${field("tags", "content.practice.tags", { hint: t("content.practice.tagsHint") })}
        ${
          values.adaptedFrom &&
          html`<p class="hint">
            ${t("content.practice.provenance")} <a href=${values.adaptedFrom}>${values.adaptedFrom}</a>
          </p>`
        }
        <p class="actions">
          <button type="submit" name="action" value="preview" class="secondary">
            ${t("content.practice.previewButton")}
          </button>
          <button type="submit" name="action" value="publish">
            ${practice ? t("content.practice.save") : t("content.practice.publish")}
          </button>
        </p>
      </form>
      ${
        practice &&
        html`<section aria-labelledby="withdraw">
          <h2 id="withdraw">${t("content.practice.withdraw")}</h2>
          <p class="hint">${t("content.practice.withdrawHint")}</p>
          <p><a href=${practicePath(practice)}>${t("offers.view")}</a></p>
          <form method="post" action=${`/app/practices/${practice.id}/withdraw`}>
            <${Csrf} ctx=${ctx} />
            <button type="submit" class="secondary">${t("content.practice.withdraw")}</button>
          </form>
        </section>`
      }`,
  };
}

/** A withdrawn practice: what it was, no form (it can no longer change). */
export function withdrawnPracticePage(ctx: PageContext, practice: Practice): Page {
  return {
    title: practice.title,
    body: html`<p>${ctx.t("content.practices.status.withdrawn")} · ${ctx.time(practice.updatedAt)}</p>`,
  };
}
