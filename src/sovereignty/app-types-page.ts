import { SHARED_CATEGORIES } from "../categories/taxonomy.ts";
import { Csrf, Field, html, Notice, type FieldErrors, type Page, type PageContext } from "../webapp/html.ts";
import type { MessageKey } from "../webapp/i18n/index.ts";
import type { MetricFormValues } from "./metric-form.ts";
import { formatMilli, type MetricType } from "./model.ts";
import { INSTITUTIONS } from "./taxonomy.ts";

function Select(props: {
  ctx: PageContext;
  name: "category" | "replaces";
  label: string;
  value: string | undefined;
  errors?: FieldErrors;
  options: { value: string; label: string }[];
}) {
  const { ctx, name, errors } = props;
  const error = errors?.[name];
  return html`<div class=${error ? "field invalid" : "field"}>
    <label for=${`f-${name}`}>${props.label}</label>
    <select
      id=${`f-${name}`} name=${name} required aria-invalid=${error ? "true" : undefined}
      aria-describedby=${error ? `f-${name}-error` : undefined}
    >
      <option value="">${ctx.t("sov.type.choose")}</option>
      ${props.options.map((o) => html`<option value=${o.value} selected=${props.value === o.value}>${o.label}</option>`)}
    </select>
    ${error && html`<p class="error" id=${`f-${name}-error`}>${ctx.t(error)}</p>`}
  </div>`;
}

/** The pod's own metric types, and for coordinators the form that adds one (it then appears in the ledger). */
export function metricTypesPage(
  ctx: PageContext,
  state: { types: MetricType[]; coordinator: boolean; values: MetricFormValues; errors?: FieldErrors; notice?: string },
): Page {
  const { t } = ctx;
  const { values, errors } = state;
  const own = state.types.filter((type) => !type.shared);
  const institution = (name: string) => t(`sov.institution.${name}` as MessageKey);
  return {
    title: t("sov.type.title"),
    status: errors ? 400 : 200,
    body: html`${state.notice && html`<${Notice} kind="ok">${state.notice}<//>`}
      ${errors && html`<${Notice} kind="error">${t("error.form")}<//>`}
      <p>${t("sov.type.intro")}</p>
      <section aria-labelledby="own">
        <h2 id="own">${t("sov.type.own")}</h2>
        ${own.length === 0 && html`<p>${t("sov.type.none")}</p>`}
        <ul class="cards">
          ${own.map(
            (type) => html`<li>
              <p><strong>${type.labels[ctx.locale]}</strong> (${type.unit})</p>
              <p class="hint">
                ${[
                  t(`category.${type.category}` as MessageKey),
                  t("sov.weights.replaces", { institution: institution(type.replaces) }),
                  t("sov.weights.default", { weight: formatMilli(type.defaultWeightMilli) }),
                ].join(" · ")}
              </p>
            </li>`,
          )}
        </ul>
      </section>
      ${
        state.coordinator &&
        html`<section aria-labelledby="add-type">
          <h2 id="add-type">${t("sov.type.add")}</h2>
          <form method="post" action="/app/sovereignty/types" class="stack">
            <${Csrf} ctx=${ctx} />
            <${Field} ctx=${ctx} name="labelEn" label=${t("sov.type.labelEn")} hint=${t("sov.type.labelEnHint")}
              value=${values.labelEn} errors=${errors} max=${80} required />
            <${Field} ctx=${ctx} name="labelEs" label=${t("sov.type.labelEs")} value=${values.labelEs}
              errors=${errors} max=${80} required />
            <${Field} ctx=${ctx} name="unit" label=${t("sov.type.unit")} hint=${t("sov.type.unitHint")}
              value=${values.unit} errors=${errors} max=${40} required />
            <${Select} ctx=${ctx} name="category" label=${t("sov.type.category")} value=${values.category}
              errors=${errors}
              options=${SHARED_CATEGORIES.map((c) => ({ value: c.slug, label: t(`category.${c.slug}`) }))} />
            <${Select} ctx=${ctx} name="replaces" label=${t("sov.type.replaces")} value=${values.replaces}
              errors=${errors} options=${INSTITUTIONS.map((name) => ({ value: name, label: institution(name) }))} />
            <${Field} ctx=${ctx} name="weight" label=${t("sov.type.weight")} hint=${t("sov.type.weightHint")}
              value=${values.weight} errors=${errors} inputmode="decimal" required />
            <button type="submit">${t("sov.type.submit")}</button>
          </form>
        </section>`
      }`,
  };
}
