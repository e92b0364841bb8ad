import { Csrf, Field, type FieldErrors, html, Notice, type Page, type PageContext } from "../webapp/html.ts";
import type { MessageKey } from "../webapp/i18n/index.ts";
import { explainTurn } from "./explain.ts";
import { CASE_OUTCOMES } from "./schema.ts";
import type { Case, CaseStep } from "./service.ts";
import type { Turn } from "./turn.ts";

type Names = Map<string, string>;
const day = (ctx: PageContext) => (iso: string) => ctx.time(iso).replace(/,? [^,]*$/, "");

export interface NewCaseState {
  /** Active members, id → name, to choose who is involved. */
  members: Names;
  mediators: Names;
  turn: Turn;
  values: { what?: string; involved?: string[]; mediator?: string };
  errors?: FieldErrors;
}

/** Open a private case: what happened, who is involved, who mediates (whose turn it is, unless changed). */
export function newCasePage(ctx: PageContext, state: NewCaseState): Page {
  const { t } = ctx;
  const { values, errors } = state;
  const involved = new Set(values.involved ?? []);
  const mediator = values.mediator ?? state.turn.id ?? "";
  return {
    title: t("care.cases.new"),
    status: errors ? 400 : 200,
    body: html`${errors && html`<${Notice} kind="error">${t("error.form")}<//>`}
      <p>${t("care.cases.private")}</p>
      <form method="post" action="/app/care/cases" class="stack">
        <${Csrf} ctx=${ctx} />
        <input type="hidden" name="turn" value=${state.turn.id ?? ""} />
        <${Field} ctx=${ctx} name="what" label=${t("care.cases.what")} value=${values.what} errors=${errors}
          multiline required max=${5000} />
        <fieldset aria-describedby=${errors?.involved ? "f-involved-error" : undefined}>
          <legend>${t("care.cases.involved")}</legend>
          ${[...state.members].map(
            ([id, name]) => html`<label class="choice">
              <input type="checkbox" name="involved" value=${id} checked=${involved.has(id)} /> ${name}
            </label>`,
          )}
          ${errors?.involved && html`<p class="error" id="f-involved-error">${t(errors.involved)}</p>`}
        </fieldset>
        <div class=${errors?.mediator ? "field invalid" : "field"}>
          <label for="f-mediator">${t("care.cases.mediator")}</label>
          <p class="hint" id="f-mediator-hint">${explainTurn(state.turn, "mediate", t, day(ctx))}</p>
          <select id="f-mediator" name="mediator" aria-describedby="f-mediator-hint">
            <option value="" selected=${mediator === ""}>${t("care.cases.noMediator")}</option>
            ${[...state.mediators].map(
              ([id, name]) => html`<option value=${id} selected=${mediator === id}>${name}</option>`,
            )}
          </select>
          ${errors?.mediator && html`<p class="error">${t(errors.mediator)}</p>`}
        </div>
        <button type="submit">${t("care.cases.open")}</button>
      </form>`,
  };
}

export interface CaseState {
  case: Case;
  involved: string[];
  steps: CaseStep[];
  names: Names;
  /** Volunteers a coordinator may name as mediator (not involved); absent for everyone else. */
  mediators?: Names;
  /** The viewer may record the outcome (the mediator or a coordinator). */
  mayClose: boolean;
  today: string;
  notice?: MessageKey;
  errors?: FieldErrors;
}

/** One case: its people, its dated steps, its outcome. Seen only by its people and coordinators. */
export function casePage(ctx: PageContext, state: CaseState): Page {
  const { t } = ctx;
  const c = state.case;
  const name = (id: string) => state.names.get(id) ?? t("care.cases.formerMember");
  return {
    title: t("care.cases.title1", { at: day(ctx)(c.openedAt) }),
    status: state.errors ? 400 : 200,
    body: html`${state.notice && html`<${Notice} kind="ok">${t(state.notice)}<//>`}
      ${state.errors && html`<${Notice} kind="error">${t("error.form")}<//>`}
      <p class="hint">${t("care.cases.private")}</p>
      <p class="status">
        ${t(c.outcome ? `care.outcome.${c.outcome}` : "care.outcome.open")}
        ${c.withoutAuthorities && ` · ${t("care.cases.withoutAuthorities")}`}
      </p>
      <h2>${t("care.cases.what")}</h2>
      <p class="prewrap">${c.what}</p>
      <ul class="facts">
        <li>${t("care.cases.involvedList", { names: state.involved.map(name).join(", ") })}</li>
        <li>${c.mediatorId ? t("care.cases.mediatedBy", { name: name(c.mediatorId) }) : t("care.cases.noMediator")}</li>
      </ul>
      ${
        state.mediators &&
        html`<form method="post" action=${`/app/care/cases/${c.id}/mediator`} class="stack">
          <${Csrf} ctx=${ctx} />
          <div class=${state.errors?.mediator ? "field invalid" : "field"}>
            <label for="f-mediator">${t("care.cases.mediator")}</label>
            <select id="f-mediator" name="mediator">
              <option value="" selected=${!c.mediatorId}>${t("care.cases.noMediator")}</option>
              ${[...state.mediators].map(
                ([id, who]) => html`<option value=${id} selected=${c.mediatorId === id}>${who}</option>`,
              )}
            </select>
            ${state.errors?.mediator && html`<p class="error">${t(state.errors.mediator)}</p>`}
          </div>
          <button type="submit" class="secondary">${t("care.cases.saveMediator")}</button>
        </form>`
      }
      <section aria-labelledby="steps">
        <h2 id="steps">${t("care.cases.steps")}</h2>
        ${state.steps.length === 0 && html`<p>${t("care.cases.noSteps")}</p>`}
        <ol class="cards">
          ${state.steps.map(
            (s) => html`<li>
              <p class="meta">${s.day} · ${name(s.authorId)}</p>
              <p class="prewrap">${s.text}</p>
            </li>`,
          )}
        </ol>
        <form method="post" action=${`/app/care/cases/${c.id}/steps`} class="stack">
          <${Csrf} ctx=${ctx} />
          <${Field} ctx=${ctx} name="day" type="date" label=${t("care.cases.stepDay")} value=${state.today}
            errors=${state.errors} required />
          <${Field} ctx=${ctx} name="text" label=${t("care.cases.stepText")} errors=${state.errors} multiline
            required max=${5000} />
          <button type="submit" class="secondary">${t("care.cases.addStep")}</button>
        </form>
      </section>
      ${
        state.mayClose &&
        html`<section aria-labelledby="outcome">
          <h2 id="outcome">${t("care.cases.outcome")}</h2>
          <form method="post" action=${`/app/care/cases/${c.id}/outcome`} class="stack">
            <${Csrf} ctx=${ctx} />
            <div class="field">
              <label for="f-outcome">${t("care.cases.outcome")}</label>
              <select id="f-outcome" name="outcome">
                <option value="" selected=${!c.outcome}>${t("care.outcome.open")}</option>
                ${CASE_OUTCOMES.map(
                  (o) => html`<option value=${o} selected=${c.outcome === o}>${t(`care.outcome.${o}`)}</option>`,
                )}
              </select>
            </div>
            <label class="choice">
              <input type="checkbox" name="withoutAuthorities" value="1" checked=${c.withoutAuthorities} />
              ${" "}${t("care.cases.withoutAuthoritiesField")}
            </label>
            <button type="submit">${t("care.cases.saveOutcome")}</button>
          </form>
        </section>`
      }`,
  };
}
