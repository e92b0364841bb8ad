import type { NeedMatches } from "../confederation/matching.ts";
import { formatMilli } from "../offers/quantity.ts";
import { Csrf, Field, html, Notice, type FieldErrors, type PageContext } from "../webapp/html.ts";
import type { MessageKey } from "../webapp/i18n/index.ts";
import type { Crisis } from "./crisis.ts";
import type { Assembly, ContributionRow } from "./model.ts";
import type { Pledge } from "./pledges.ts";

export type BarterNotice = "redrafted" | "published" | "pledged" | "confirmed" | "opened" | "replied" | "closed";
export const BARTER_NOTICES: readonly BarterNotice[] = [
  "redrafted",
  "published",
  "pledged",
  "confirmed",
  "opened",
  "replied",
  "closed",
];

export interface BarterView {
  row: Assembly;
  self: string;
  nameOf: (iri: string) => string;
  /** The convener's draft (Markdown), when this pod convened the assembly. */
  draft?: { markdown: string; draftedAt: string; publishedAt: string | null };
  matches: NeedMatches[];
  pledges: Pledge[];
  crises: Crisis[];
  /** The record, for the replies in each crisis thread. */
  record: ContributionRow[];
  /** The pods a pledge may go to. */
  pods: string[];
  notice?: BarterNotice;
  errors?: FieldErrors;
  /** The day a new pledge is due by, by default (YYYY-MM-DD). */
  defaultDue: string;
}

const isCoordinator = (ctx: PageContext) => ctx.member?.role === "coordinator";
const short = (iri: string) =>
  iri
    .split("/")
    .pop()!
    .replace(/[^\w-]/g, "");

function AgendaDraft({ ctx, view }: { ctx: PageContext; view: BarterView }) {
  const { t } = ctx;
  const { row, draft } = view;
  if (!draft || !isCoordinator(ctx)) return null;
  const started = Date.parse(row.startTime) <= Date.now();
  return html`<section aria-labelledby="agenda-draft" id="agenda-draft-section">
    <h2 id="agenda-draft">${t("agendaDraft.title")}</h2>
    <p class="hint">${t("agendaDraft.hint")}</p>
    <p class="hint">
      ${t("agendaDraft.draftedAt", { at: ctx.time(draft.draftedAt) })}
      ${draft.publishedAt ? ` · ${t("agendaDraft.publishedAt", { at: ctx.time(draft.publishedAt) })}` : ""}
    </p>
    <form method="post" action=${`/app/assemblies/${row.id}/agenda`} class="stack">
      <${Csrf} ctx=${ctx} />
      <div class="field">
        <label for="f-markdown">${t("agendaDraft.field")}</label>
        <textarea id="f-markdown" name="markdown" rows="14" maxlength="20000">${draft.markdown}</textarea>
      </div>
      <p class="actions"><button type="submit">${t("agendaDraft.publish")}</button></p>
    </form>
    ${
      !started &&
      html`<form method="post" action=${`/app/assemblies/${row.id}/agenda/redraft`}>
        <${Csrf} ctx=${ctx} />
        <p class="actions"><button type="submit" class="secondary">${t("agendaDraft.redraft")}</button></p>
      </form>`
    }
  </section>`;
}

function PledgeForm({
  ctx,
  view,
  need,
  offer,
  index,
}: {
  ctx: PageContext;
  view: BarterView;
  need: NeedMatches["need"];
  offer: NeedMatches["offers"][number]["offer"];
  index: number;
}) {
  const { t } = ctx;
  const id = (name: string) => `p${index}-${name}`;
  const wanted = Number(need.available ?? need.quantity ?? 0);
  const has = Number(offer.available ?? offer.quantity ?? 0);
  const quantity = wanted > 0 && has > 0 ? String(Math.min(wanted, has)) : "";
  return html`<form method="post" action=${`/app/assemblies/${view.row.id}/pledges`} class="inline-form">
    <${Csrf} ctx=${ctx} />
    <input type="hidden" name="offerIri" value=${offer.iri} />
    <input type="hidden" name="receiverIri" value=${need.pod.iri} />
    <div class="field">
      <label for=${id("quantity")}>${t("barter.quantity", { unit: offer.unit ?? "" })}</label>
      <input id=${id("quantity")} name="quantity" inputmode="decimal" required value=${quantity} />
    </div>
    <div class="field">
      <label for=${id("due")}>${t("barter.due")}</label>
      <input id=${id("due")} name="due" type="date" required value=${view.defaultDue} />
    </div>
    <p class="actions"><button type="submit">${t("barter.pledge")}</button></p>
  </form>`;
}

function Matches({ ctx, view }: { ctx: PageContext; view: BarterView }) {
  const { t } = ctx;
  const canPledge =
    isCoordinator(ctx) &&
    (view.row.role === "convener" || view.row.answer === "accepted" || view.row.answer === "tentative");
  if (view.matches.length === 0) return html`<p>${t("barter.noMatches")}</p>`;
  let index = 0;
  return html`<ul class="cards barter">
    ${view.matches.map(
      ({ need, offers }) => html`<li>
        <p>
          <strong>${view.nameOf(need.pod.iri)}</strong>${" "}${t("barter.needs")}${" "}${need.name}
          ${need.available ? ` · ${need.available} ${need.unit ?? ""}` : ""}
        </p>
        <ul class="matches">
          ${offers.map(
            ({ offer }) => html`<li>
              <p>
                ${t("barter.offeredBy", { pod: view.nameOf(offer.pod.iri) })}${" "}<strong>${offer.name}</strong>
                ${offer.available ? ` · ${t("barter.left", { amount: `${offer.available} ${offer.unit ?? ""}` })}` : ""}
              </p>
              ${canPledge && html`<${PledgeForm} ctx=${ctx} view=${view} need=${need} offer=${offer} index=${index++} />`}
            </li>`,
          )}
        </ul>
      </li>`,
    )}
  </ul>`;
}

function Pledges({ ctx, view }: { ctx: PageContext; view: BarterView }) {
  const { t } = ctx;
  if (view.pledges.length === 0) return html`<p>${t("barter.noPledges")}</p>`;
  return html`<ul class="cards pledges">
    ${view.pledges.map(
      (pledge) => html`<li data-iri=${pledge.iri} data-state=${pledge.state}>
        <p>
          ${t("barter.pledgeSentence", {
            giver: view.nameOf(pledge.giverIri),
            quantity: formatMilli(pledge.quantityMilli),
            unit: pledge.unit,
            offer: pledge.offerName,
            receiver: view.nameOf(pledge.receiverIri),
            due: pledge.due,
          })}
        </p>
        <p class="hint">
          <span class=${`badge ${pledge.state}`}>${t(`barter.state.${pledge.state}` as MessageKey)}</span>
          ${" · "}${t("barter.proposedBy", { pod: view.nameOf(pledge.proposerIri) })}
        </p>
        ${
          pledge.state === "proposed" &&
          pledge.giverIri === view.self &&
          isCoordinator(ctx) &&
          html`<form method="post" action=${`/app/assemblies/${view.row.id}/pledges/confirm`}>
            <${Csrf} ctx=${ctx} />
            <input type="hidden" name="pledge" value=${pledge.iri} />
            <p class="actions"><button type="submit">${t("barter.confirm")}</button></p>
          </form>`
        }
      </li>`,
    )}
  </ul>`;
}

function CrisisThread({ ctx, view, crisis }: { ctx: PageContext; view: BarterView; crisis: Crisis }) {
  const { t } = ctx;
  const replies = view.record.filter((item) => item.inReplyTo === crisis.iri);
  const key = short(crisis.iri);
  const coordinator = isCoordinator(ctx);
  return html`<li data-iri=${crisis.iri} data-state=${crisis.state} class=${`crisis ${crisis.state}`}>
    <h3 id=${`crisis-${key}`}>${crisis.what}</h3>
    <p class="hint">
      <span class=${`badge ${crisis.state}`}>${t(`crisis.state.${crisis.state}` as MessageKey)}</span>
      ${" · "}${t("crisis.openedBy", { pod: view.nameOf(crisis.openerIri) })}
    </p>
    <dl class="facts">
      ${crisis.place && html`<dt>${t("crisis.place")}</dt><dd>${crisis.place}</dd>`}
      ${crisis.needed && html`<dt>${t("crisis.needed")}</dt><dd>${crisis.needed}</dd>`}
    </dl>
    ${
      replies.length > 0 &&
      html`<ol class="replies" aria-label=${t("crisis.replies")}>
        ${replies.map(
          (reply) => html`<li data-iri=${reply.iri}>
            <p class="hint">${view.nameOf(reply.authorIri)} · ${ctx.time(reply.publishedAt)}</p>
            <div class="rendered" dangerouslySetInnerHTML=${{ __html: reply.contentHtml }}></div>
          </li>`,
        )}
      </ol>`
    }
    ${
      crisis.state === "open" &&
      coordinator &&
      html`<form method="post" action=${`/app/assemblies/${view.row.id}/crises/reply`} class="stack">
        <${Csrf} ctx=${ctx} />
        <input type="hidden" name="crisis" value=${crisis.iri} />
        <div class="field">
          <label for=${`r-${key}`}>${t("crisis.replyField")}</label>
          <textarea id=${`r-${key}`} name="text" rows="2" required maxlength="10000"></textarea>
        </div>
        <p class="actions"><button type="submit">${t("crisis.reply")}</button></p>
      </form>`
    }
    ${
      crisis.state === "open" &&
      coordinator &&
      crisis.openerIri === view.self &&
      html`<form method="post" action=${`/app/assemblies/${view.row.id}/crises/close`} class="stack">
        <${Csrf} ctx=${ctx} />
        <input type="hidden" name="crisis" value=${crisis.iri} />
        <div class="field">
          <label for=${`c-${key}`}>${t("crisis.closeField")}</label>
          <input id=${`c-${key}`} name="text" maxlength="2000" />
        </div>
        <p class="actions"><button type="submit" class="secondary">${t("crisis.close")}</button></p>
      </form>`
    }
  </li>`;
}

function OpenCrisis({ ctx, view }: { ctx: PageContext; view: BarterView }) {
  const { t } = ctx;
  const errors = view.errors;
  return html`<details open=${Boolean(errors?.what)}>
    <summary>${t("crisis.open")}</summary>
    <form method="post" action=${`/app/assemblies/${view.row.id}/crises`} class="stack">
      <${Csrf} ctx=${ctx} />
      <${Field} ctx=${ctx} name="what" label=${t("crisis.what")} errors=${errors} required max=${300} />
      <${Field} ctx=${ctx} name="place" label=${t("crisis.place")} max=${300} />
      <${Field} ctx=${ctx} name="needed" label=${t("crisis.needed")} multiline max=${2000} />
      <p class="actions"><button type="submit">${t("crisis.openButton")}</button></p>
    </form>
  </details>`;
}

/** The agenda draft (convener), the barter table with its pledges, and the crisis threads of one assembly. */
export function barterSections(ctx: PageContext, view: BarterView) {
  const { t } = ctx;
  const attending = view.row.role === "convener" || view.row.answer === "accepted" || view.row.answer === "tentative";
  const error = view.errors && Object.values(view.errors)[0];
  return html`${view.notice && html`<${Notice} kind="ok">${t(`barter.done.${view.notice}` as MessageKey)}<//>`}
    ${error && html`<${Notice} kind="error">${t(error)}<//>`}
    <${AgendaDraft} ctx=${ctx} view=${view} />
    <section aria-labelledby="barter">
      <h2 id="barter">${t("barter.title")}</h2>
      <p class="hint">${t("barter.hint")}</p>
      <${Matches} ctx=${ctx} view=${view} />
      <h3>${t("barter.pledges")}</h3>
      <${Pledges} ctx=${ctx} view=${view} />
    </section>
    <section aria-labelledby="crises">
      <h2 id="crises">${t("crisis.title")}</h2>
      ${view.crises.length === 0 && html`<p>${t("crisis.none")}</p>`}
      <ul class="cards crises">
        ${view.crises.map((crisis) => html`<${CrisisThread} ctx=${ctx} view=${view} crisis=${crisis} />`)}
      </ul>
      ${attending && isCoordinator(ctx) && html`<${OpenCrisis} ctx=${ctx} view=${view} />`}
    </section>`;
}
