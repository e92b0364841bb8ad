import { Csrf, Field, html, Notice, type FieldErrors, type Page, type PageContext } from "../webapp/html.ts";
import { isMessageKey, type MessageKey } from "../webapp/i18n/index.ts";
import type { Entry, EntryProblem, MetricType } from "./model.ts";
import { formatMilli } from "./model.ts";
import type { Report } from "./model-report.ts";
import { isSmall, liberatedMilli } from "./report.ts";

export type EntryValues = Partial<Record<"metric" | "date" | "quantity" | "hours" | "service" | "note", string>>;
export interface ServiceChoice {
  key: string;
  name: string;
}

const labelOf = (ctx: PageContext, type: MetricType) => type.labels[ctx.locale];

/** The entry form: phone-first, one column, the same for a new entry and a correction. */
function EntryForm(props: {
  ctx: PageContext;
  action: string;
  values: EntryValues;
  errors?: FieldErrors;
  types: MetricType[];
  services: ServiceChoice[];
  submit: string;
}) {
  const { ctx, values, errors, types, services } = props;
  const { t } = ctx;
  const select = (name: "metric" | "service", label: string, options: { value: string; label: string }[]) => {
    const error = errors?.[name];
    return html`<div class=${error ? "field invalid" : "field"}>
      <label for=${`f-${name}`}>${label}</label>
      <select
        id=${`f-${name}`} name=${name} aria-invalid=${error ? "true" : undefined}
        aria-describedby=${error ? `f-${name}-error` : undefined}
      >
        ${options.map((o) => html`<option value=${o.value} selected=${values[name] === o.value}>${o.label}</option>`)}
      </select>
      ${error && html`<p class="error" id=${`f-${name}-error`}>${t(error)}</p>`}
    </div>`;
  };
  return html`<form method="post" action=${props.action} class="stack">
    <${Csrf} ctx=${ctx} />
    <p class="hint">${t("sov.entry.noPerson")}</p>
    ${select(
      "metric",
      t("sov.entry.metric"),
      types.map((type) => ({ value: type.slug, label: `${labelOf(ctx, type)} (${type.unit})` })),
    )}
    <${Field} ctx=${ctx} name="date" type="date" label=${t("sov.entry.date")} value=${values.date} errors=${errors}
      required />
    <${Field} ctx=${ctx} name="quantity" label=${t("sov.entry.quantity")} hint=${t("sov.entry.quantityHint")}
      value=${values.quantity} errors=${errors} inputmode="decimal" required />
    <${Field} ctx=${ctx} name="hours" label=${t("sov.entry.hours")} value=${values.hours} errors=${errors}
      inputmode="decimal" />
    ${select("service", t("sov.entry.service"), [
      { value: "", label: t("sov.entry.noService") },
      ...services.map((s) => ({ value: s.key, label: s.name })),
    ])}
    <${Field} ctx=${ctx} name="note" label=${t("sov.entry.note")} hint=${t("sov.entry.noteHint")} value=${values.note}
      errors=${errors} multiline max=${500} />
    <button type="submit">${props.submit}</button>
  </form>`;
}

export interface LedgerPageState {
  types: MetricType[];
  services: ServiceChoice[];
  entries: Entry[];
  values: EntryValues;
  errors?: FieldErrors;
  notice?: string;
  coordinator: boolean;
  /** This month's hours liberated, and the weights used. */
  liberated: { hoursMilli: number; weights: string };
}

export function ledgerPage(ctx: PageContext, state: LedgerPageState): Page {
  const { t } = ctx;
  const types = new Map(state.types.map((type) => [type.slug, type]));
  return {
    title: t("sov.title"),
    status: state.errors ? 400 : 200,
    body: html`${state.notice && html`<${Notice} kind="ok">${state.notice}<//>`}
      ${state.errors && html`<${Notice} kind="error">${t("error.form")}<//>`}
      <p>${t("sov.intro")}</p>
      <p class="liberated">
        <strong>${t("sov.liberated", { hours: formatMilli(state.liberated.hoursMilli) })}</strong><br />
        <span class="hint">${t("sov.liberatedWeights", { weights: state.liberated.weights })}</span>
      </p>
      <p class="actions">
        <a class="button secondary" href="/app/sovereignty/import">${t("sov.import.link")}</a>
        <a class="button secondary" href="/app/sovereignty/weights">${t("sov.weights.link")}</a>
        <a class="button secondary" href="/app/sovereignty/types">${t("sov.type.link")}</a>
        ${
          state.coordinator &&
          html`<a class="button secondary" href="/app/sovereignty/reports">${t("sov.reports.link")}</a>`
        }
      </p>
      <section aria-labelledby="add">
        <h2 id="add">${t("sov.entry.add")}</h2>
        <${EntryForm} ctx=${ctx} action="/app/sovereignty/entries" values=${state.values} errors=${state.errors}
          types=${state.types} services=${state.services} submit=${t("sov.entry.submit")} />
      </section>
      <section aria-labelledby="recent">
        <h2 id="recent">${t("sov.recent")}</h2>
        ${state.entries.length === 0 && html`<p>${t("sov.none")}</p>`}
        <ul class="cards">
          ${state.entries.map((entry) => {
            const type = types.get(entry.metric);
            return html`<li>
              <p><strong>${type ? labelOf(ctx, type) : entry.metric}</strong></p>
              <p class="hint">
                ${t("sov.entry.line", {
                  date: entry.date,
                  quantity: formatMilli(entry.quantityMilli),
                  unit: type?.unit ?? "",
                })}${entry.service ? ` · ${entry.service}` : ""}
              </p>
              <p><a href=${`/app/sovereignty/entries/${entry.id}`}>${t("sov.entry.correct")}<span
                class="visually-hidden"> ${entry.date}</span></a></p>
            </li>`;
          })}
        </ul>
      </section>`,
  };
}

export function correctionPage(
  ctx: PageContext,
  state: {
    entry: Entry;
    history: Entry[];
    types: MetricType[];
    services: ServiceChoice[];
    values: EntryValues;
    errors?: FieldErrors;
  },
): Page {
  const { t } = ctx;
  return {
    title: t("sov.entry.correctTitle"),
    status: state.errors ? 400 : 200,
    body: html`${state.errors && html`<${Notice} kind="error">${t("error.form")}<//>`}
      <p>${t("sov.entry.correctHint")}</p>
      <${EntryForm} ctx=${ctx} action=${`/app/sovereignty/entries/${state.entry.id}`} values=${state.values}
        errors=${state.errors} types=${state.types} services=${state.services} submit=${t("sov.entry.correctSubmit")} />
      <section aria-labelledby="history">
        <h2 id="history">${t("sov.entry.history")}</h2>
        <ol>
          ${state.history.map(
            (row, i) => html`<li>
              ${row.metric} · ${row.date} · ${formatMilli(row.quantityMilli)} ·
              ${i === 0 ? t("sov.entry.current") : t("sov.entry.replaced")} · ${ctx.time(row.createdAt)}
            </li>`,
          )}
        </ol>
      </section>`,
  };
}

/** A CSV problem in the reader's language: the file's problem, or the field's message (the value stays quoted). */
function problemText(ctx: PageContext, p: EntryProblem): string {
  if (p.code) return ctx.t(`sov.csv.${p.code}`, p.params);
  const key = `sov.error.${p.column}`;
  if (!isMessageKey(key)) return p.message;
  const value = /^"[^"]*"/.exec(p.message)?.[0];
  return value ? `${value}: ${ctx.t(key)}` : ctx.t(key);
}

export function importPage(ctx: PageContext, state: { csv: string; problems?: EntryProblem[] }): Page {
  const { t } = ctx;
  const problems = state.problems ?? [];
  return {
    title: t("sov.import.title"),
    status: problems.length ? 400 : 200,
    body: html`${
      problems.length > 0 &&
      html`<div class="notice error" role="alert">
        <p>${t("sov.import.failed")}</p>
        <ul id="csv-problems">
          ${problems.map(
            (p) =>
              html`<li>
                ${
                  p.row === undefined
                    ? t("sov.import.problemNoRow", { column: p.column, message: problemText(ctx, p) })
                    : t("sov.import.problem", { row: p.row, column: p.column, message: problemText(ctx, p) })
                }
              </li>`,
          )}
        </ul>
      </div>`
    }
      <form method="post" action="/app/sovereignty/import" class="stack">
        <${Csrf} ctx=${ctx} />
        <div class=${problems.length ? "field invalid" : "field"}>
          <label for="f-csv">${t("sov.import.field")}</label>
          <p class="hint" id="f-csv-hint">${t("sov.import.hint")}</p>
          <textarea id="f-csv" name="csv" rows="10" required aria-describedby=${
            problems.length ? "f-csv-hint csv-problems" : "f-csv-hint"
          } aria-invalid=${problems.length ? "true" : undefined}>${state.csv}</textarea>
        </div>
        <button type="submit">${t("sov.import.submit")}</button>
      </form>`,
  };
}

export function weightsPage(
  ctx: PageContext,
  state: { types: MetricType[]; threshold: number; coordinator: boolean; errors?: FieldErrors; notice?: string },
): Page {
  const { t } = ctx;
  const { errors } = state;
  const disabled = !state.coordinator;
  return {
    title: t("sov.weights.title"),
    status: errors ? 400 : 200,
    body: html`${state.notice && html`<${Notice} kind="ok">${state.notice}<//>`}
      ${errors && html`<${Notice} kind="error">${t("error.form")}<//>`}
      <p>${t("sov.weights.intro")}</p>
      <form method="post" action="/app/sovereignty/weights" class="stack">
        <${Csrf} ctx=${ctx} />
        ${state.types.map((type) => {
          const name = `w-${type.slug}`;
          const error = errors?.[name];
          return html`<fieldset>
            <legend>${labelOf(ctx, type)}</legend>
            <p class="hint">
              ${
                t(`sov.institution.${type.replaces}` as MessageKey)
                  ? t("sov.weights.replaces", { institution: t(`sov.institution.${type.replaces}` as MessageKey) })
                  : ""
              }
              · ${t("sov.weights.default", { weight: formatMilli(type.defaultWeightMilli) })}
            </p>
            <div class=${error ? "field invalid" : "field"}>
              <label for=${`f-${name}`}>${t("sov.weights.hours", { unit: type.unit })}</label>
              <input id=${`f-${name}`} name=${name} value=${formatMilli(type.weightMilli)} inputmode="decimal"
                disabled=${disabled} aria-invalid=${error ? "true" : undefined}
                aria-describedby=${error ? `f-${name}-error` : undefined} />
              ${error && html`<p class="error" id=${`f-${name}-error`}>${t(error)}</p>`}
            </div>
            <div class="field">
              <label for=${`f-r-${type.slug}`}>${t("sov.weights.reason")}</label>
              <input id=${`f-r-${type.slug}`} name=${`r-${type.slug}`} value=${type.weightReason} maxlength="300"
                disabled=${disabled} />
            </div>
          </fieldset>`;
        })}
        <${Field} ctx=${ctx} name="threshold" label=${t("sov.weights.threshold")} hint=${t("sov.weights.thresholdHint")}
          value=${String(state.threshold)} errors=${errors} inputmode="numeric" />
        ${state.coordinator && html`<button type="submit">${t("sov.weights.save")}</button>`}
      </form>`,
  };
}

const status = (ctx: PageContext, r: Report) =>
  r.status === "draft"
    ? ctx.t("sov.reports.status.draft")
    : ctx.t("sov.reports.status.published", { revision: r.revision });

export function reportsPage(ctx: PageContext, state: { reports: Report[]; notice?: string }): Page {
  const { t } = ctx;
  return {
    title: t("sov.reports.title"),
    body: html`${state.notice && html`<${Notice} kind="ok">${state.notice}<//>`}
      <p>${t("sov.reports.intro")}</p>
      <form method="post" action="/app/sovereignty/reports/draft">
        <${Csrf} ctx=${ctx} />
        <button type="submit">${t("sov.reports.draft")}</button>
      </form>
      ${state.reports.length === 0 && html`<p>${t("sov.none")}</p>`}
      <ul class="cards">
        ${state.reports.map(
          (r) => html`<li>
            <p>
              <a href=${`/app/sovereignty/reports/${r.id}`}><strong>${t("sov.report.title", { month: r.month })}</strong></a>
            </p>
            <p class="hint">
              ${status(ctx, r)}
            </p>
          </li>`,
        )}
      </ul>`,
  };
}

const change = (now: number, before: number) => {
  const delta = now - before;
  return delta === 0 ? "0" : `${delta > 0 ? "+" : "−"}${formatMilli(Math.abs(delta))}`;
};

export function reportPage(ctx: PageContext, state: { report: Report; notice?: string; path: string }): Page {
  const { t } = ctx;
  const { report } = state;
  const f = report.figures;
  const count = (milli: number) =>
    isSmall(milli, f.threshold) ? t("sov.report.fewer", { n: f.threshold }) : formatMilli(milli);
  const labels = new Map(f.metrics.map((m) => [m.slug, m.labels[ctx.locale]]));
  const counted = f.metrics.filter((m) => !isSmall(m.quantityMilli, f.threshold));
  const hours = counted.reduce((sum, m) => sum + liberatedMilli(m.quantityMilli, m.weightMilli), 0);
  const weights = counted.map((m) => `${m.labels[ctx.locale]} ${formatMilli(m.weightMilli)}`).join(", ") || "—";
  const next = f.next;
  const needs = next
    ? [
        next.needs.people > 0 ? t("sov.report.people", { n: next.needs.people }) : "",
        ...next.needs.skills,
        ...next.needs.materials,
      ]
        .filter(Boolean)
        .join(", ")
    : "";
  return {
    title: t("sov.report.title", { month: report.month }),
    body: html`${state.notice && html`<${Notice} kind="ok">${state.notice}<//>`}
      <p class="hint">
        ${status(ctx, report)}
        ${report.status === "published" && html` · <a href=${state.path}>${state.path}</a>`}
      </p>
      <section aria-labelledby="figures">
        <h2 id="figures">${t("sov.report.figures")}</h2>
        <div class="table-wrap">
          <table>
            <thead><tr>
              <th scope="col">${t("sov.report.metric")}</th><th scope="col">${t("sov.report.month")}</th>
              <th scope="col">${t("sov.report.before")}</th><th scope="col">${t("sov.report.change")}</th>
            </tr></thead>
            <tbody>
              ${f.metrics.map(
                (m) => html`<tr>
                  <th scope="row">${m.labels[ctx.locale]} (${m.unit})</th><td>${count(m.quantityMilli)}</td>
                  <td>${count(m.previousMilli)}</td><td>${change(m.quantityMilli, m.previousMilli)}</td>
                </tr>`,
              )}
            </tbody>
          </table>
        </div>
        <p><strong>${t("sov.liberated", { hours: formatMilli(hours) })}</strong><br />
          <span class="hint">${t("sov.liberatedWeights", { weights })}</span></p>
        <h3>${t("sov.report.services")}</h3>
        <ul>
          ${f.services.map(
            (s) => html`<li>
              <strong>${s.name ?? t("sov.report.noService")}</strong>${": "}
              ${s.totals
                .map(
                  (x) =>
                    `${labels.get(x.slug)} ${count(x.quantityMilli)} (${change(x.quantityMilli, x.previousMilli)})`,
                )
                .join("; ")}
            </li>`,
          )}
        </ul>
        <p>
          ${next ? t("sov.report.next", { name: next.name, target: next.target }) : t("sov.report.noNext")}
          ${next && html`<br />${t("sov.report.needs", { needs: needs || "—" })}`}
        </p>
        <p>${t("sov.report.offers", {
          given: f.offers.offersGiven,
          claimed: f.offers.offersClaimed,
          met: f.offers.needsMet,
          unmet: f.offers.needsUnmet,
        })}</p>
        ${
          f.practice.rolesRotated !== null &&
          html`<p>${t("sov.report.practice", {
            roles: f.practice.rolesRotated,
            circles: f.practice.circlesHeld ?? 0,
            decisions: f.practice.decisions ?? 0,
            lessons: f.practice.lessons ?? 0,
          })}</p>`
        }
      </section>
      <h2>${t("sov.report.words")}</h2>
      <form method="post" action=${`/app/sovereignty/reports/${report.id}`} class="stack">
        <${Csrf} ctx=${ctx} />
        <${Field} ctx=${ctx} name="intro" label=${t("sov.report.intro")} value=${report.intro} multiline max=${2000} />
        <${Field} ctx=${ctx} name="progress" label=${t("sov.report.progress")} hint=${t("sov.report.progressHint")}
          value=${report.progress} multiline max=${2000} />
        <div class="field">
          <label for="f-language">${t("sov.report.language")}</label>
          <select id="f-language" name="language">
            <option value="en" selected=${report.language === "en"}>English</option>
            <option value="es" selected=${report.language === "es"}>Español</option>
          </select>
        </div>
        <p class="actions">
          <button type="submit" name="action" value="save" class="secondary">${t("sov.report.save")}</button>
          <button type="submit" name="action" value="publish">
            ${report.status === "published" ? t("sov.report.republish") : t("sov.report.publish")}
          </button>
        </p>
      </form>`,
  };
}
