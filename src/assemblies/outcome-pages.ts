import { Csrf, Field, html, type FieldErrors, type PageContext } from "../webapp/html.ts";
import type { Assembly } from "./model.ts";
import type { NameOf } from "./app-pages.ts";
import type { ProposalView } from "./proposals.ts";

export interface OutcomesView {
  row: Assembly;
  self: string;
  nameOf: NameOf;
  proposals: ProposalView[];
  next: { iri: string; confirmed: boolean };
  /** Pods the convener may confirm as next convener (the minutes form). */
  eligible: string[];
  /** This pod attends (or convenes): it may propose and ratify. */
  attending: boolean;
  /** The assembly is over: the convener may publish the minutes. */
  over: boolean;
  errors?: FieldErrors;
}

const isCoordinator = (ctx: PageContext) => ctx.member?.role === "coordinator";

function RatifyForm({
  ctx,
  row,
  proposal,
  index,
}: {
  ctx: PageContext;
  row: Assembly;
  proposal: string;
  index: number;
}) {
  const { t } = ctx;
  return html`<form method="post" action=${`/app/assemblies/${row.id}/ratifications`} class="stack">
    <${Csrf} ctx=${ctx} />
    <input type="hidden" name="proposal" value=${proposal} />
    <fieldset>
      <legend>${t("outcomes.yourDecision")}</legend>
      <div class="field">
        <label for=${`f-reason-${index}`}>${t("outcomes.field.reason")}</label>
        <textarea id=${`f-reason-${index}`} name="reason" rows="2" maxlength="500"></textarea>
      </div>
      <div class="field">
        <label for=${`f-group-${index}`}>${t("outcomes.field.group")}</label>
        <input id=${`f-group-${index}`} name="group" maxlength="200" value=${t("outcomes.decision.group")} />
      </div>
      <p class="actions">
        <button type="submit" name="answer" value="adopted">${t("outcomes.adopt")}</button>
        ${" "}<button type="submit" name="answer" value="declined" class="secondary">${t("outcomes.decline")}</button>
      </p>
    </fieldset>
  </form>`;
}

function Proposals({ ctx, view }: { ctx: PageContext; view: OutcomesView }) {
  const { t } = ctx;
  const nameOf = (iri: string) => (iri === view.self ? t("assemblies.you") : view.nameOf(iri));
  return html`<section aria-labelledby="proposals">
    <h2 id="proposals">${t("outcomes.proposals")}</h2>
    <p class="hint">${t("outcomes.proposalsHint")}</p>
    ${view.proposals.length === 0 && html`<p>${t("outcomes.noProposals")}</p>`}
    <ul class="cards proposals">
      ${view.proposals.map((proposal, index) => {
        const mine = proposal.answers.find((a) => a.actorIri === view.self);
        return html`<li data-iri=${proposal.row.iri}>
          <h3>${proposal.title}</h3>
          <p class="hint">${t("outcomes.by", { pod: nameOf(proposal.row.authorIri) })}</p>
          <div class="rendered" dangerouslySetInnerHTML=${{ __html: proposal.bodyHtml }}></div>
          <h4>${t("outcomes.ratifications")}</h4>
          <ul class="ratifications">
            ${proposal.answers.map(
              (a) => html`<li data-pod=${a.actorIri} data-answer=${a.answer}>
                ${nameOf(a.actorIri)}: ${t(`outcomes.state.${a.answer}`)}
              </li>`,
            )}
          </ul>
          ${mine?.decisionId && html`<p><a href=${`/app/memory/${mine.decisionId}`}>${t("outcomes.decisionLink")}</a></p>`}
          ${
            view.attending &&
            isCoordinator(ctx) &&
            mine?.answer === "pending" &&
            html`<${RatifyForm} ctx=${ctx} row=${view.row} proposal=${proposal.row.iri} index=${index} />`
          }
        </li>`;
      })}
    </ul>
    ${
      view.attending &&
      isCoordinator(ctx) &&
      html`<form method="post" action=${`/app/assemblies/${view.row.id}/proposals`} class="stack">
        <h3>${t("outcomes.propose")}</h3>
        <${Csrf} ctx=${ctx} />
        <${Field} ctx=${ctx} name="proposalTitle" label=${t("outcomes.field.title")} errors=${view.errors} required
          max=${200} />
        <${Field} ctx=${ctx} name="proposalText" label=${t("outcomes.field.text")} errors=${view.errors} multiline
          required max=${10000} />
        <p class="actions"><button type="submit">${t("outcomes.proposeButton")}</button></p>
      </form>`
    }
  </section>`;
}

function Minutes({ ctx, view }: { ctx: PageContext; view: OutcomesView }) {
  const { t } = ctx;
  const { row } = view;
  const nameOf = (iri: string) => (iri === view.self ? t("assemblies.you") : view.nameOf(iri));
  const canPublish = row.role === "convener" && !row.minutesHtml && view.over && isCoordinator(ctx);
  return html`<section aria-labelledby="minutes">
    <h2 id="minutes">${t("outcomes.minutes")}</h2>
    ${
      row.minutesHtml
        ? html`<div class="rendered minutes" dangerouslySetInnerHTML=${{ __html: row.minutesHtml }}></div>
            ${row.minutesIri && html`<p><a href=${row.minutesIri}>${t("outcomes.minutesLink")}</a></p>`}`
        : html`<p>${t("outcomes.minutesNone")}</p>`
    }
    ${
      canPublish &&
      html`<form method="post" action=${`/app/assemblies/${row.id}/minutes`} class="stack">
        <h3>${t("outcomes.minutesPublish")}</h3>
        <p class="hint">${t("outcomes.minutesHint")}</p>
        <${Csrf} ctx=${ctx} />
        <div class="field">
          <label for="f-nextConvener">${t("outcomes.field.next")}</label>
          <p class="hint" id="f-nextConvener-hint">${t("outcomes.field.nextHint")}</p>
          <select id="f-nextConvener" name="nextConvener" aria-describedby="f-nextConvener-hint">
            ${view.eligible.map(
              (iri) => html`<option value=${iri} selected=${iri === view.next.iri}>${nameOf(iri)}</option>`,
            )}
          </select>
        </div>
        <${Field} ctx=${ctx} name="summary" label=${t("outcomes.field.summary")} multiline max=${5000} />
        <p class="actions"><button type="submit">${t("outcomes.minutesButton")}</button></p>
      </form>`
    }
  </section>`;
}

/** The facts the outcomes add to the assembly's page: who can read it, who convenes next. */
export function OutcomeFacts({ ctx, view }: { ctx: PageContext; view: OutcomesView }) {
  const { t } = ctx;
  const { row, next } = view;
  const nextName = next.iri === view.self ? t("assemblies.you") : view.nameOf(next.iri);
  const mineNext = next.iri === view.self && next.confirmed && isCoordinator(ctx);
  return html`<dl class="facts">
      <dt>${t("outcomes.visibility")}</dt>
      <dd>
        ${t(`outcomes.visibility.${row.visibility}`)}
        ${row.visibility === "public" && html` · <a href=${`/assemblies/${row.id}`}>${t("outcomes.publicPage")}</a>`}
      </dd>
      <dt>${t("outcomes.next")}</dt>
      <dd class="next-convener" data-iri=${next.iri}>
        ${t(next.confirmed ? "outcomes.nextConfirmed" : "outcomes.nextByRotation", { pod: nextName })}
      </dd>
    </dl>
    ${
      mineNext &&
      html`<p class="actions">
        <a class="button" href=${`/app/assemblies/new?after=${row.id}`}>${t("outcomes.conveneNext")}</a>
      </p>`
    }`;
}

/** Proposals with each pod's ratification, then the minutes: below the assembly's record. */
export function OutcomeSections({ ctx, view }: { ctx: PageContext; view: OutcomesView }) {
  return html`<${OutcomeFacts} ctx=${ctx} view=${view} />
    <${Proposals} ctx=${ctx} view=${view} />
    <${Minutes} ctx=${ctx} view=${view} />`;
}
