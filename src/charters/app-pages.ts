import { categoryName } from "../categories/names.ts";
import type { Category } from "../categories/service.ts";
import { Csrf, Field, html, Notice, type FieldErrors, type Page, type PageContext } from "../webapp/html.ts";
import type { MessageKey } from "../webapp/i18n/index.ts";
import type { Charter } from "./model.ts";

/** Blank rows under the charter's own: a browser without scripts adds services by filling them in. */
export const BLANK_ROWS = 2;

export interface CharterFormState {
  /** Field name (s0-name, p1-target...) -> value. */
  values: Record<string, string>;
  services: number;
  planned: number;
  errors?: FieldErrors;
}

export interface CharterPageState {
  charter: Charter | null;
  history: { number: number; changeNote: string; publishedAt: string }[];
  categories: Category[];
  form: CharterFormState;
  now: string;
  notice?: { key: MessageKey; params: Record<string, string | number> };
}

/** The form's values for a published charter, row by row. */
export function charterFormValues(charter: Charter | null): CharterFormState {
  const values: Record<string, string> = {};
  for (const [i, s] of (charter?.services ?? []).entries()) {
    Object.assign(values, {
      [`s${i}-key`]: s.key,
      [`s${i}-name`]: s.name,
      [`s${i}-category`]: s.category,
      [`s${i}-description`]: s.description,
      [`s${i}-schedule`]: s.schedule,
      [`s${i}-area`]: s.area,
    });
  }
  for (const [i, p] of (charter?.planned ?? []).entries()) {
    Object.assign(values, {
      [`p${i}-key`]: p.key,
      [`p${i}-name`]: p.name,
      [`p${i}-category`]: p.category,
      [`p${i}-description`]: p.description,
      [`p${i}-target`]: p.target,
      [`p${i}-people`]: String(p.needs.people),
      [`p${i}-skills`]: p.needs.skills.join(", "),
      [`p${i}-materials`]: p.needs.materials.join(", "),
    });
  }
  return {
    values,
    services: (charter?.services.length ?? 0) + BLANK_ROWS,
    planned: (charter?.planned.length ?? 0) + BLANK_ROWS,
  };
}

function CategorySelect(props: { ctx: PageContext; name: string; value?: string; categories: Category[] }) {
  const id = `f-${props.name}`;
  return html`<div class="field">
    <label for=${id}>${props.ctx.t("charter.category")}</label>
    <select id=${id} name=${props.name}>
      ${props.categories.map(
        (c) =>
          html`<option value=${c.slug} selected=${props.value === c.slug}>${categoryName(props.ctx.t, c)}</option>`,
      )}
    </select>
  </div>`;
}

interface CurrentProps {
  ctx: PageContext;
  charter: Charter;
  now: string;
  categories: Category[];
}

function CurrentCharter({ ctx, charter, now, categories }: CurrentProps) {
  const { t } = ctx;
  const overdue = charter.reviewDue < now;
  const label = (slug: string) => {
    const category = categories.find((c) => c.slug === slug);
    return category ? categoryName(t, category) : slug;
  };
  return html`<p>${t("charter.revision", { number: charter.number, at: ctx.time(charter.publishedAt) })}</p>
    <p class=${overdue ? "notice error" : ""}>
      ${t(overdue ? "charter.reviewOverdue" : "charter.reviewDue", { at: ctx.time(charter.reviewDue) })}
    </p>
    <p class="actions"><a href="/charter">${t("charter.publicPage")}</a></p>
    <h3>${t("charter.servicesNow")}</h3>
    ${charter.services.length === 0 && html`<p>${t("charter.nothing")}</p>`}
    <ul>
      ${charter.services.map((s) => html`<li><strong>${s.name}</strong> · ${label(s.category)}</li>`)}
    </ul>
    <h3>${t("charter.planned")}</h3>
    ${charter.planned.length === 0 && html`<p>${t("charter.nothing")}</p>`}
    <ul>
      ${charter.planned.map((p) => {
        const needs = [
          p.needs.people > 0 ? t("charter.needsPeople", { count: p.needs.people }) : "",
          ...p.needs.skills,
          ...p.needs.materials,
        ].filter(Boolean);
        return html`<li><strong>${p.name}</strong> · ${p.target}${needs.length > 0 && ` · ${needs.join(", ")}`}</li>`;
      })}
    </ul>`;
}

/** The charter for its coordinators: what is published, the monthly review, a new revision, the history. */
export function charterAppPage(ctx: PageContext, state: CharterPageState): Page {
  const { t } = ctx;
  const { charter, form, categories } = state;
  const { values, errors } = form;
  const field = (name: string, label: MessageKey, extra: Record<string, unknown> = {}) =>
    html`<${Field} ctx=${ctx} name=${name} label=${t(label)} value=${values[name]} errors=${errors} ...${extra} />`;
  const hidden = (name: string) => html`<input type="hidden" name=${name} value=${values[name] ?? ""} />`;
  return {
    title: t("charter.title"),
    status: errors ? 400 : 200,
    body: html`${state.notice && html`<${Notice} kind="ok">${t(state.notice.key, state.notice.params)}<//>`}
      ${errors && html`<${Notice} kind="error">${t("error.form")}<//>`}
      <p>${t("charter.intro")}</p>
      <section aria-labelledby="current">
        <h2 id="current">${t("charter.current")}</h2>
        ${
          charter
            ? html`<${CurrentCharter} ctx=${ctx} charter=${charter} now=${state.now} categories=${categories} />`
            : html`<p>${t("charter.none")}</p>`
        }
      </section>
      ${
        charter &&
        html`<section aria-labelledby="review">
          <h2 id="review">${t("charter.review")}</h2>
          <p class="hint">${t("charter.reviewHint")}</p>
          <form method="post" action="/app/charter/review">
            <${Csrf} ctx=${ctx} />
            <button type="submit" class="secondary">${t("charter.reviewSubmit")}</button>
          </form>
        </section>`
      }
      <section aria-labelledby="publish">
        <h2 id="publish">${t("charter.publish")}</h2>
        <p class="hint">${t("charter.publishHint")}</p>
        <form method="post" action="/app/charter" class="stack">
          <${Csrf} ctx=${ctx} />
          <input type="hidden" name="services" value=${form.services} />
          <input type="hidden" name="planned" value=${form.planned} />
          ${Array.from(
            { length: form.services },
            (_, i) => html`<fieldset class="stack">
              <legend>${t("charter.serviceLegend", { n: i + 1 })}</legend>
              ${hidden(`s${i}-key`)} ${field(`s${i}-name`, "charter.name")}
              <${CategorySelect}
                ctx=${ctx} name=${`s${i}-category`} value=${values[`s${i}-category`]} categories=${categories}
              />
              ${field(`s${i}-description`, "charter.description", { multiline: true })}
              ${field(`s${i}-schedule`, "charter.schedule", { hint: t("charter.scheduleHint") })}
              ${field(`s${i}-area`, "charter.area")}
            </fieldset>`,
          )}
          ${Array.from(
            { length: form.planned },
            (_, i) => html`<fieldset class="stack">
              <legend>${t("charter.plannedLegend", { n: i + 1 })}</legend>
              ${hidden(`p${i}-key`)} ${field(`p${i}-name`, "charter.name")}
              <${CategorySelect}
                ctx=${ctx} name=${`p${i}-category`} value=${values[`p${i}-category`]} categories=${categories}
              />
              ${field(`p${i}-description`, "charter.description", { multiline: true })}
              ${field(`p${i}-target`, "charter.target", { hint: t("charter.targetHint") })}
              ${field(`p${i}-people`, "charter.people", { inputmode: "numeric" })}
              ${field(`p${i}-skills`, "charter.skills", { hint: t("charter.listHint") })}
              ${field(`p${i}-materials`, "charter.materials", { hint: t("charter.listHint") })}
            </fieldset>`,
          )}
          ${field("changeNote", "charter.changeNote", { hint: t("charter.changeNoteHint"), required: true })}
          <button type="submit">${t("charter.publishSubmit")}</button>
        </form>
      </section>
      <section aria-labelledby="history">
        <h2 id="history">${t("charter.history")}</h2>
        ${state.history.length === 0 && html`<p>${t("charter.none")}</p>`}
        <ol reversed>
          ${state.history.map(
            (r) => html`<li>
              <a href=${`/charter/revisions/${r.number}`}>
                ${t("charter.historyItem", { number: r.number, at: ctx.time(r.publishedAt), note: r.changeNote })}
              </a>
            </li>`,
          )}
        </ol>
      </section>`,
  };
}
