import { Csrf, Field, html, Notice, type FieldErrors, type Page, type PageContext } from "../webapp/html.ts";
import type { Assembly, ContributionRow, Participant } from "./model.ts";
import { translator, type Translate } from "../webapp/i18n/index.ts";

export type Notices = "convened" | "answered" | "posted";
const NOTICE = { convened: "assemblies.convenedOk", answered: "assemblies.answeredOk", posted: "assemblies.postedOk" };
const ANSWERS = ["accepted", "tentative", "rejected", "left"] as const;
const KINDS = ["report", "crisis", "proposal", "reply"] as const;

/** How the page names a pod: its handle when this pod knows it, else its host. */
export type NameOf = (actorIri: string) => string;

const isCoordinator = (ctx: PageContext) => ctx.member?.role === "coordinator";

function AssemblyList({ ctx, rows }: { ctx: PageContext; rows: Assembly[] }) {
  if (rows.length === 0) return html`<p>${ctx.t("assemblies.none")}</p>`;
  return html`<ul class="cards">
    ${rows.map(
      (row) => html`<li>
        <p><a href=${`/app/assemblies/${row.id}`}><strong>${row.title}</strong></a></p>
        <p class="hint">
          ${ctx.time(row.startTime)}${row.answer ? ` · ${ctx.t(`assemblies.answer.${row.answer}`)}` : ""}
        </p>
      </li>`,
    )}
  </ul>`;
}

export function assembliesListPage(ctx: PageContext, rows: Assembly[], notice?: Notices): Page {
  const { t } = ctx;
  return {
    title: t("assemblies.title"),
    body: html`${notice && html`<${Notice} kind="ok">${t(NOTICE[notice] as "assemblies.convenedOk")}<//>`}
      <p>${t("assemblies.intro")}</p>
      ${
        isCoordinator(ctx) &&
        html`<p class="actions"><a class="button" href="/app/assemblies/new">${t("assemblies.convene")}</a></p>`
      }
      <section aria-labelledby="convened">
        <h2 id="convened">${t("assemblies.convened")}</h2>
        <${AssemblyList} ctx=${ctx} rows=${rows.filter((row) => row.role === "convener")} />
      </section>
      <section aria-labelledby="invited">
        <h2 id="invited">${t("assemblies.invited")}</h2>
        <${AssemblyList} ctx=${ctx} rows=${rows.filter((row) => row.role === "invited")} />
      </section>`,
  };
}

export const CONVENE_FIELDS = ["title", "startTime", "endTime", "placeName", "onlineUrl", "agenda"] as const;
export type ConveneValues = Partial<Record<(typeof CONVENE_FIELDS)[number] | "visibility", string>> & {
  invited?: string[];
};

export function conveneFormPage(
  ctx: PageContext,
  state: { values: ConveneValues; errors?: FieldErrors; pods: { actorIri: string; name: string }[]; zone: string },
): Page {
  const { t } = ctx;
  const { values, errors } = state;
  const field = (name: (typeof CONVENE_FIELDS)[number], label: Parameters<typeof t>[0], extra = {}) =>
    html`<${Field} ctx=${ctx} name=${name} label=${t(label)} value=${values[name]} errors=${errors} ...${extra} />`;
  const timeHint = t("assemblies.field.timeHint", { zone: state.zone });
  const invitedError = errors?.invited;
  return {
    title: t("assemblies.new.title"),
    status: errors ? 400 : 200,
    body: html`${errors && html`<${Notice} kind="error">${t("error.form")}<//>`}
      <form method="post" action="/app/assemblies" class="stack">
        <${Csrf} ctx=${ctx} />
        ${field("title", "assemblies.field.title", { required: true, max: 200 })}
        ${field("startTime", "assemblies.field.start", { type: "datetime-local", required: true, hint: timeHint })}
        ${field("endTime", "assemblies.field.end", { type: "datetime-local" })}
        ${field("placeName", "assemblies.field.place", { hint: t("assemblies.field.placeHint"), max: 300 })}
        ${field("onlineUrl", "assemblies.field.online", { type: "url" })}
        <fieldset aria-describedby=${invitedError ? "f-invited-error" : undefined}>
          <legend>${t("assemblies.field.invited")}</legend>
          <p class="hint">${t("assemblies.field.invitedHint")}</p>
          ${state.pods.length === 0 && html`<p>${t("assemblies.field.noPods")}</p>`}
          ${state.pods.map(
            (pod) => html`<label class="choice">
              <input
                type="checkbox"
                name="invited"
                value=${pod.actorIri}
                checked=${values.invited?.includes(pod.actorIri)}
              />
              ${" "}${pod.name}
            </label>`,
          )}
          ${invitedError && html`<p class="error" id="f-invited-error">${t(invitedError)}</p>`}
        </fieldset>
        <label class="choice">
          <input type="checkbox" name="visibility" value="public" checked=${values.visibility === "public"} />
          ${" "}${t("outcomes.field.public")}
        </label>
        ${field("agenda", "assemblies.field.agenda", {
          multiline: true,
          hint: t("assemblies.field.agendaHint"),
          max: 20000,
        })}
        <p class="actions"><button type="submit">${t("assemblies.send")}</button></p>
      </form>`,
  };
}

export interface AssemblyView {
  row: Assembly;
  participants: Participant[];
  record: ContributionRow[];
  nameOf: NameOf;
  /** This pod's actor IRI: shown as "this pod". */
  self: string;
  zone: string;
  notice?: Notices;
  errors?: FieldErrors;
  /** The agenda draft, barter table and crisis threads (app-barter-pages.ts), before the record. */
  beforeRecord?: unknown;
  /** What follows the record: proposals and their ratifications, minutes, next convener (outcome-pages.ts). */
  afterRecord?: unknown;
}

function AnswerForm({ ctx, row }: { ctx: PageContext; row: Assembly }) {
  const { t } = ctx;
  return html`<section aria-labelledby="answer">
    <h2 id="answer">${t("assemblies.yourAnswer")}</h2>
    <form method="post" action=${`/app/assemblies/${row.id}/answer`} class="stack">
      <${Csrf} ctx=${ctx} />
      <fieldset>
        <legend>${t("assemblies.yourAnswer")}</legend>
        ${ANSWERS.filter((answer) => answer !== "left" || row.answer === "accepted" || row.answer === "tentative").map(
          (answer) => html`<label class="choice">
            <input type="radio" name="answer" value=${answer} checked=${row.answer === answer} required />
            ${" "}${t(`assemblies.do.${answer}`)}
          </label>`,
        )}
      </fieldset>
      <p class="actions"><button type="submit">${t("assemblies.answerButton")}</button></p>
    </form>
  </section>`;
}

function ContributeForm({ ctx, row, errors }: { ctx: PageContext; row: Assembly; errors?: FieldErrors }) {
  const { t } = ctx;
  return html`<section aria-labelledby="post">
    <h2 id="post">${t("assemblies.post")}</h2>
    <form method="post" action=${`/app/assemblies/${row.id}/contributions`} class="stack">
      <${Csrf} ctx=${ctx} />
      <div class="field">
        <label for="f-kind">${t("assemblies.field.kind")}</label>
        <select id="f-kind" name="kind">
          ${KINDS.map((kind) => html`<option value=${kind}>${t(`assemblies.kind.${kind}`)}</option>`)}
        </select>
      </div>
      <${Field} ctx=${ctx} name="text" label=${t("assemblies.field.text")} errors=${errors} multiline required
        max=${10000} />
      <p class="actions"><button type="submit">${t("assemblies.postButton")}</button></p>
    </form>
  </section>`;
}

const AGENDA_WORDS = new Set(
  (["en", "es"] as const).map((locale) => translator(locale)("assemblies.agenda").toLocaleLowerCase()),
);
const LEADING_HEADING = /^\s*<h([1-6])[^>]*>([^<]*)<\/h\1>/;

/** An agenda written under its own "Agenda" heading is shown under the page's one alone. */
export function withoutAgendaHeading(agendaHtml: string): string {
  const match = LEADING_HEADING.exec(agendaHtml);
  return match && AGENDA_WORDS.has(match[2]!.trim().toLocaleLowerCase())
    ? agendaHtml.slice(match[0].length)
    : agendaHtml;
}

/** The agenda and who answered what: the same on the members' page and on a public assembly's page. */
export function AgendaAndParticipants(props: {
  t: Translate;
  row: Assembly;
  participants: Participant[];
  nameOf: NameOf;
}) {
  const { t, row } = props;
  return html`<section aria-labelledby="agenda">
      <h2 id="agenda">${t("assemblies.agenda")}</h2>
      <div class="rendered" dangerouslySetInnerHTML=${{ __html: withoutAgendaHeading(row.agendaHtml) }}></div>
    </section>
    <section aria-labelledby="participants">
      <h2 id="participants">${t("assemblies.participants")}</h2>
      <ul>
        ${props.participants.map((p) => html`<li>${props.nameOf(p.actorIri)}: ${t(`assemblies.answer.${p.answer}`)}</li>`)}
      </ul>
    </section>`;
}

export function assemblyPage(ctx: PageContext, view: AssemblyView): Page {
  const { t } = ctx;
  const { row } = view;
  const nameOf = (iri: string) => (iri === view.self ? t("assemblies.you") : view.nameOf(iri));
  const attending = row.role === "convener" || row.answer === "accepted" || row.answer === "tentative";
  return {
    title: row.title,
    status: view.errors ? 400 : 200,
    body: html`${view.notice && html`<${Notice} kind="ok">${t(NOTICE[view.notice] as "assemblies.convenedOk")}<//>`}
      ${view.errors && html`<${Notice} kind="error">${t("error.form")}<//>`}
      <dl class="facts">
        <dt>${t("assemblies.when")}</dt>
        <dd>
          ${ctx.time(row.startTime)}${row.endTime ? ` – ${ctx.time(row.endTime)}` : ""} (${view.zone})
        </dd>
        ${row.placeName && html`<dt>${t("assemblies.where")}</dt><dd>${row.placeName}</dd>`}
        ${
          row.onlineUrl &&
          html`<dt>${t("assemblies.online")}</dt><dd><a class="url" href=${row.onlineUrl}>${row.onlineUrl}</a></dd>`
        }
        <dt>${t("assemblies.convenedBy")}</dt>
        <dd>${nameOf(row.convenerIri)}</dd>
      </dl>
      <${AgendaAndParticipants} t=${t} row=${row} participants=${view.participants} nameOf=${nameOf} />
      ${row.role === "invited" && isCoordinator(ctx) && html`<${AnswerForm} ctx=${ctx} row=${row} />`}
      ${view.beforeRecord}
      <section aria-labelledby="record">
        <h2 id="record">${t("assemblies.record")}</h2>
        <p class="hint">${t("assemblies.recordHint")}</p>
        ${view.record.length === 0 && html`<p>${t("assemblies.noRecord")}</p>`}
        <ol class="cards record">
          ${view.record.map(
            (item) => html`<li id=${`c-${item.iri.split("/").pop()}`} data-iri=${item.iri}>
              <p>
                <strong>${t(`assemblies.kind.${item.kind}`)}</strong> · ${nameOf(item.authorIri)} ·
                ${" "}${ctx.time(item.publishedAt)}
              </p>
              <div class="rendered" dangerouslySetInnerHTML=${{ __html: item.contentHtml }}></div>
            </li>`,
          )}
        </ol>
      </section>
      ${view.afterRecord}
      ${attending && isCoordinator(ctx) && html`<${ContributeForm} ctx=${ctx} row=${row} errors=${view.errors} />`}`,
  };
}
