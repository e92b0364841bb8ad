import { Csrf, Field, type FieldErrors, html, Notice, type Page, type PageContext } from "../webapp/html.ts";
import type { MessageKey } from "../webapp/i18n/index.ts";
import { explainTurn, signalLines } from "./explain.ts";
import type { LoadSettings, LoadSignals } from "./load.ts";
import { FREQUENCIES, fromRule, MONTH_WEEKS, WEEKDAYS } from "./recurrence.ts";
import { CIRCLE_KINDS } from "./schema.ts";
import type { Case, Circle, CircleRequest, Occurrence, VolunteerRow } from "./service.ts";

const day = (ctx: PageContext) => (iso: string) => ctx.time(iso).replace(/,? [^,]*$/, "");

/** A circle's recurrence, kind and theme in one line. */
export function circleLine(ctx: PageContext, circle: Circle): string {
  const { t } = ctx;
  const r = fromRule(circle.rrule);
  const weekday = t(`care.weekday.${r.weekday}`);
  const when =
    r.frequency === "weekly"
      ? t("care.every.week", { weekday, time: r.time })
      : t("care.every.month", { week: t(`care.monthWeek.${r.week ?? "1"}`), weekday, time: r.time });
  return [t(`care.kind.${circle.kind}`), when, circle.theme && t("care.theme", { theme: circle.theme })]
    .filter(Boolean)
    .join(" · ");
}

const OccurrenceItem = ({ ctx, o }: { ctx: PageContext; o: Occurrence }) =>
  html`<li>
    <p><strong>${ctx.time(o.at)}</strong> · ${circleLine(ctx, o.circle)}</p>
    ${o.circle.place && html`<p>${ctx.t("care.place", { place: o.circle.place })}</p>`}
    <p class="hint">${explainTurn(o.facilitator, "facilitate", ctx.t, day(ctx))}</p>
  </li>`;

export function Signals({
  ctx,
  signals,
  settings,
}: {
  ctx: PageContext;
  signals: LoadSignals;
  settings: LoadSettings;
}) {
  return html`<ul class="facts">
    ${signalLines(signals, settings.windowWeeks, ctx.t).map((line) => html`<li>${line}</li>`)}
  </ul>`;
}

export interface CarePageState {
  signals: LoadSignals;
  settings: LoadSettings;
  upcoming: Occurrence[];
  volunteer: VolunteerRow | null;
  cases: Case[];
  notice?: MessageKey;
  errors?: FieldErrors;
  asked?: string;
}

/** A member's care page: their own load, the next circles, an anonymous ask, volunteering, their cases. */
export function carePage(ctx: PageContext, state: CarePageState): Page {
  const { t } = ctx;
  const { signals } = state;
  const coordinator = ctx.member?.role === "coordinator";
  return {
    title: t("care.title"),
    status: state.errors ? (state.errors.text === "care.ask.tooMany" ? 429 : 400) : 200,
    body: html`${state.notice && html`<${Notice} kind="ok">${t(state.notice)}<//>`}
      ${state.errors && html`<${Notice} kind="error">${t("error.form")}<//>`}
      ${coordinator && html`<p><a class="button secondary" href="/app/care/team">${t("care.team.link")}</a></p>`}
      <section aria-labelledby="load">
        <h2 id="load">${t("care.load.mine")}</h2>
        <p class="hint">${t("care.load.private")}</p>
        <${Signals} ctx=${ctx} signals=${signals} settings=${state.settings} />
        ${
          signals.reasons.length > 0
            ? html`<p class="notice ok">${t("care.rest.you")}</p>`
            : html`<p>${t("care.rest.fine")}</p>`
        }
      </section>
      <section aria-labelledby="circles">
        <h2 id="circles">${t("care.circles.next")}</h2>
        <p>${t("care.circles.noMinutes")}</p>
        ${state.upcoming.length === 0 && html`<p>${t("care.circles.none")}</p>`}
        <ul class="cards">
          ${state.upcoming.slice(0, 4).map((o) => html`<${OccurrenceItem} ctx=${ctx} o=${o} />`)}
        </ul>
      </section>
      <section aria-labelledby="ask">
        <h2 id="ask">${t("care.ask.title")}</h2>
        <p>${t("care.ask.intro")}</p>
        <form method="post" action="/app/care/ask" class="stack">
          <${Csrf} ctx=${ctx} />
          <${Field} ctx=${ctx} name="text" label=${t("care.ask.label")} hint=${t("care.ask.hint")}
            value=${state.asked} errors=${state.errors} multiline required max=${1000} />
          <button type="submit">${t("care.ask.submit")}</button>
        </form>
      </section>
      <section aria-labelledby="volunteer">
        <h2 id="volunteer">${t("care.volunteer.title")}</h2>
        <form method="post" action="/app/care/volunteer" class="stack">
          <${Csrf} ctx=${ctx} />
          <fieldset>
            <legend>${t("care.volunteer.legend")}</legend>
            <label class="choice">
              <input type="checkbox" name="facilitates" value="1" checked=${!!state.volunteer?.facilitates} />
              ${" "}${t("care.volunteer.facilitate")}
            </label>
            <label class="choice">
              <input type="checkbox" name="mediates" value="1" checked=${!!state.volunteer?.mediates} />
              ${" "}${t("care.volunteer.mediate")}
            </label>
          </fieldset>
          <button type="submit" class="secondary">${t("care.volunteer.save")}</button>
        </form>
      </section>
      <section aria-labelledby="cases">
        <h2 id="cases">${t("care.cases.title")}</h2>
        <p>${t("care.cases.intro")}</p>
        ${state.cases.length === 0 && html`<p>${t("care.cases.none")}</p>`}
        <ul class="cards">
          ${state.cases.map(
            (c) => html`<li>
              <p><a href=${`/app/care/cases/${c.id}`}>${t("care.cases.opened", { at: day(ctx)(c.openedAt) })}</a></p>
              <p class="status">${t(c.outcome ? `care.outcome.${c.outcome}` : "care.outcome.open")}</p>
            </li>`,
          )}
        </ul>
        <p><a class="button secondary" href="/app/care/cases/new">${t("care.cases.new")}</a></p>
      </section>`,
  };
}

export interface TeamPageState {
  loads: { id: string; name: string; signals: LoadSignals }[];
  settings: LoadSettings;
  requests: CircleRequest[];
  circles: Circle[];
  upcoming: Occurrence[];
  toCount: Occurrence[];
  facilitators: string[];
  /** The new-circle form's values and errors after a failed submit. */
  values: Record<string, string>;
  errors?: FieldErrors;
  notice?: MessageKey;
  /** Monday of a request's week, for "the week of". */
  weekStart: (week: string) => string;
}

/** Coordinators' care page: everyone's load, anonymous requests, circles and their attendance, thresholds. */
export function teamPage(ctx: PageContext, state: TeamPageState): Page {
  const { t } = ctx;
  const { values, errors } = state;
  const select = (name: string, label: string, options: readonly string[], text: (o: string) => string) =>
    html`<div class="field">
      <label for=${`f-${name}`}>${label}</label>
      <select id=${`f-${name}`} name=${name}>
        ${options.map((o) => html`<option value=${o} selected=${values[name] === o}>${text(o)}</option>`)}
      </select>
    </div>`;
  const resting = state.loads.filter((l) => l.signals.reasons.length > 0);
  const isQuiet = ({ signals: s }: TeamPageState["loads"][number]) =>
    s.seatsRecent + s.consecutive + s.withoutRest + s.lateDropOuts === 0;
  const quiet = state.loads.filter(isQuiet);
  const busy = state.loads.filter((l) => !isQuiet(l));
  return {
    title: t("care.team.title"),
    status: errors ? 400 : 200,
    body: html`${state.notice && html`<${Notice} kind="ok">${t(state.notice)}<//>`}
      ${errors && html`<${Notice} kind="error">${t("error.form")}<//>`}
      <section aria-labelledby="team-load">
        <h2 id="team-load">${t("care.team.load")}</h2>
        <p class="hint">${t("care.team.loadPrivate")}</p>
        <p>${t("care.team.resting", { count: resting.length })}</p>
        ${
          quiet.length > 0 &&
          html`<p id="quiet">${t("care.team.quiet", { names: quiet.map((l) => l.name).join(", ") })}</p>`
        }
        <ul class="cards">
          ${busy.map(
            (l) => html`<li>
              <p><strong>${l.name}</strong></p>
              <${Signals} ctx=${ctx} signals=${l.signals} settings=${state.settings} />
              ${
                l.signals.reasons.length > 0 &&
                html`<p class="status">
                  ${t("care.rest.them", {
                    name: l.name,
                    why: l.signals.reasons.map((r) => t(`care.reason.${r}`)).join("; "),
                  })}
                </p>`
              }
            </li>`,
          )}
        </ul>
      </section>
      <section aria-labelledby="requests">
        <h2 id="requests">${t("care.requests.title")}</h2>
        <p class="hint">${t("care.requests.intro")}</p>
        ${state.requests.length === 0 && html`<p>${t("care.requests.none")}</p>`}
        <ul class="cards">
          ${state.requests.map(
            (r) => html`<li>
              <p class="meta">${t("care.requests.week", { date: state.weekStart(r.week) })}</p>
              <p>${r.text}</p>
              <form method="post" action=${`/app/care/requests/${r.id}/answered`}>
                <${Csrf} ctx=${ctx} />
                <button type="submit" class="secondary">${t("care.requests.answered")}</button>
              </form>
            </li>`,
          )}
        </ul>
      </section>
      <section aria-labelledby="team-circles">
        <h2 id="team-circles">${t("care.circles.title")}</h2>
        <p>${t("care.circles.noMinutes")}</p>
        <p class="hint">
          ${
            state.facilitators.length
              ? t("care.circles.facilitators", { names: state.facilitators.join(", ") })
              : t("care.turn.nobody.facilitate")
          }
        </p>
        ${state.circles.length === 0 && html`<p>${t("care.circles.noneYet")}</p>`}
        <ul class="cards">
          ${state.circles.map(
            (c) => html`<li>
              <p><strong>${circleLine(ctx, c)}</strong></p>
              ${c.place && html`<p>${t("care.place", { place: c.place })}</p>`}
              <form method="post" action=${`/app/care/circles/${c.id}/end`}>
                <${Csrf} ctx=${ctx} />
                <button type="submit" class="secondary">${t("care.circles.end")}</button>
              </form>
            </li>`,
          )}
        </ul>
        <h3>${t("care.circles.next")}</h3>
        ${state.upcoming.length === 0 && html`<p>${t("care.circles.none")}</p>`}
        <ul class="cards">
          ${state.upcoming.slice(0, 4).map((o) => html`<${OccurrenceItem} ctx=${ctx} o=${o} />`)}
        </ul>
      </section>
      <section aria-labelledby="attendance">
        <h2 id="attendance">${t("care.attendance.title")}</h2>
        <p class="hint">${t("care.attendance.intro")}</p>
        ${state.toCount.length === 0 && html`<p>${t("care.attendance.none")}</p>`}
        <ul class="cards">
          ${state.toCount.map((o, i) => {
            const id = `count-${i}`;
            return html`<li>
              <p><strong>${ctx.time(o.at)}</strong> · ${circleLine(ctx, o.circle)}</p>
              <form method="post" action=${`/app/care/circles/${o.circle.id}/attendance`} class="stack">
                <${Csrf} ctx=${ctx} />
                <input type="hidden" name="at" value=${o.at} />
                <input type="hidden" name="facilitator" value=${o.facilitator.id ?? ""} />
                <div class="field">
                  <label for=${id}>${t("care.attendance.label", { at: ctx.time(o.at) })}</label>
                  <input id=${id} name="attendance" type="number" min="0" max="500" required inputmode="numeric" />
                </div>
                <button type="submit" class="secondary">${t("care.attendance.save")}</button>
              </form>
            </li>`;
          })}
        </ul>
      </section>
      <section aria-labelledby="new-circle">
        <h2 id="new-circle">${t("care.circles.new")}</h2>
        <form method="post" action="/app/care/circles" class="stack">
          <${Csrf} ctx=${ctx} />
          ${select("kind", t("care.field.kind"), CIRCLE_KINDS, (o) => t(`care.kind.${o as "reflection"}`))}
          ${select("frequency", t("care.field.frequency"), FREQUENCIES, (o) => t(`care.frequency.${o as "weekly"}`))}
          ${select("week", t("care.field.week"), MONTH_WEEKS, (o) => t(`care.monthWeek.${o as "1"}`))}
          ${select("weekday", t("care.field.weekday"), WEEKDAYS, (o) => t(`care.weekday.${o as "MO"}`))}
          <${Field} ctx=${ctx} name="time" type="time" label=${t("care.field.time")} value=${values.time}
            errors=${errors} required />
          <${Field} ctx=${ctx} name="from" type="date" label=${t("care.field.from")} value=${values.from}
            errors=${errors} required />
          <${Field} ctx=${ctx} name="minutes" type="number" label=${t("care.field.minutes")} value=${values.minutes}
            errors=${errors} required />
          <${Field} ctx=${ctx} name="theme" label=${t("care.field.theme")} hint=${t("care.field.themeHint")}
            value=${values.theme} errors=${errors} max=${120} />
          <${Field} ctx=${ctx} name="place" label=${t("care.field.place")} value=${values.place} errors=${errors}
            max=${300} />
          <button type="submit">${t("care.circles.create")}</button>
        </form>
      </section>
      <section aria-labelledby="thresholds">
        <h2 id="thresholds">${t("care.settings.title")}</h2>
        <form method="post" action="/app/care/settings" class="stack">
          <${Csrf} ctx=${ctx} />
          ${(["windowWeeks", "busySeats", "restAfter", "lateHours"] as const).map(
            (name) =>
              html`<${Field} ctx=${ctx} name=${name} type="number" label=${t(`care.settings.${name}`)}
                value=${String(state.settings[name])} required />`,
          )}
          <button type="submit" class="secondary">${t("care.settings.save")}</button>
        </form>
      </section>`,
  };
}
