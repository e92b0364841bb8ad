import { Csrf, Field, html, Notice, type FieldErrors, type Page, type PageContext } from "../webapp/html.ts";
import type { MessageKey } from "../webapp/i18n/index.ts";
import { explain } from "./explain.ts";
import { type Cause, RISK_LEVELS } from "./generator.ts";
import { PERIOD_KINDS } from "./schema.ts";
import {
  type Boundaries,
  type GrownSkill,
  type Handoff,
  reasonOf,
  type Role,
  type Seat,
  type Workflow,
} from "./service.ts";

type Names = Map<string, string>;

export interface RotaPageState {
  roles: Role[];
  proposed: Seat[];
  unfilled: Seat[];
  /** Active members, id → display name (for the pickers). */
  members: Names;
  notice?: MessageKey;
  /** A pick that breaks a rule, waiting for the coordinator to confirm. */
  warning?: { seatId: string; memberId: string; cause: Cause };
  /** Whether the public charter names the roles the pod rotates. */
  publicRoles: boolean;
}

const roleName = (roles: Role[], id: string) => roles.find((r) => r.id === id)?.name ?? id;

/** The coordinators' rota: roles, a proposal to adjust and publish, and seats nobody holds. */
export function rotaPage(ctx: PageContext, state: RotaPageState): Page {
  const { t } = ctx;
  const { roles, members } = state;
  const warning = state.warning;
  return {
    title: t("rota.title"),
    status: warning ? 409 : 200,
    body: html`${state.notice && html`<${Notice} kind="ok">${t(state.notice)}<//>`}
      ${
        warning &&
        html`<${Notice} kind="error">
          ${t("rota.warn", { member: members.get(warning.memberId) ?? "", rule: t(`rota.rule.${warning.cause}`) })}
        <//>
        <form method="post" action=${`/app/rota/seats/${warning.seatId}`}>
          <${Csrf} ctx=${ctx} />
          <input type="hidden" name="member" value=${warning.memberId} />
          <input type="hidden" name="confirm" value="1" />
          <button type="submit">${t("rota.assignAnyway")}</button>
        </form>`
      }
      <p>${t("rota.intro")}</p>
      <section aria-labelledby="unfilled">
        <h2 id="unfilled">${t("rota.unfilled")}</h2>
        ${state.unfilled.length === 0 && html`<p>${t("rota.noUnfilled")}</p>`}
        <ul class="facts">
          ${state.unfilled.map(
            (seat) => html`<li>
              ${t("rota.seatLabel", { period: seat.period, role: roleName(roles, seat.roleId) })}:
              ${" "}${seat.status === "offered" ? t("rota.offeredSeat") : t("rota.emptySeat")}
            </li>`,
          )}
        </ul>
      </section>
      <section aria-labelledby="proposed">
        <h2 id="proposed">${t("rota.proposed")}</h2>
        ${state.proposed.length === 0 && html`<p>${t("rota.noProposal")}</p>`}
        <ul class="cards">
          ${state.proposed.map((seat) => html`<${ProposedSeat} ctx=${ctx} seat=${seat} state=${state} />`)}
        </ul>
        ${
          state.proposed.length > 0 &&
          html`<form method="post" action="/app/rota/publish">
            <${Csrf} ctx=${ctx} />
            <button type="submit">${t("rota.publish")}</button>
          </form>`
        }
      </section>
      <section aria-labelledby="generate">
        <h2 id="generate">${t("rota.generate")}</h2>
        <form method="post" action="/app/rota/generate" class="stack">
          <${Csrf} ctx=${ctx} />
          <div class="field">
            <label for="f-weeks">${t("rota.weeks")}</label>
            <input id="f-weeks" name="weeks" type="number" min="1" max="26" value="4" required />
          </div>
          <button type="submit">${t("rota.generateSubmit")}</button>
        </form>
      </section>
      <section aria-labelledby="roles">
        <h2 id="roles">${t("rota.roles")}</h2>
        ${roles.length === 0 && html`<p>${t("rota.noRoles")}</p>`}
        <ul class="cards">
          ${roles.map(
            (role) => html`<li>
              <p><strong>${role.name}</strong></p>
              <p class="hint">
                ${t("rota.roleLine", {
                  seats: role.seats,
                  period: t(`rota.period.${role.period}`),
                  risk: t(`rota.risk.${role.risk}`),
                  tenure: role.tenureLimit,
                })}
              </p>
              <p><a href=${`/app/rota/roles/${role.id}`}>${t("rota.edit", { role: role.name })}</a></p>
            </li>`,
          )}
        </ul>
        <p><a class="button secondary" href="/app/rota/roles/new">${t("rota.addRole")}</a></p>
      </section>
      <section aria-labelledby="public">
        <h2 id="public">${t("rota.public")}</h2>
        <p>${t("rota.publicIntro")}</p>
        <form method="post" action="/app/rota/settings" class="stack">
          <${Csrf} ctx=${ctx} />
          <input type="hidden" name="publicRoles" value="0" />
          <label class="choice">
            <input type="checkbox" name="publicRoles" value="1" checked=${state.publicRoles} />
            ${" "}${t("rota.publicRoles")}
          </label>
          <button type="submit" class="secondary">${t("rota.publicSave")}</button>
        </form>
      </section>`,
  };
}

function ProposedSeat({ ctx, seat, state }: { ctx: PageContext; seat: Seat; state: RotaPageState }) {
  const { t } = ctx;
  const role = roleName(state.roles, seat.roleId);
  const reason = reasonOf(seat);
  const id = `seat-${seat.id}`;
  return html`<li>
    <p>
      <strong>${t("rota.seatLabel", { period: seat.period, role })}</strong>
      ${seat.shadow && html` · ${t("rota.shadowOf", { holder: state.members.get(seat.beside ?? "") ?? "" })}`}
    </p>
    <p class="hint">${reason ? explain(reason, t) : t("rota.byHand")}</p>
    <form method="post" action=${`/app/rota/seats/${seat.id}`} class="stack">
      <${Csrf} ctx=${ctx} />
      <div class="field">
        <label for=${id}>${t("rota.holder", { role, period: seat.period })}</label>
        <select id=${id} name="member">
          <option value="" selected=${seat.memberId === null}>${t("rota.nobody")}</option>
          ${[...state.members].map(
            ([memberId, name]) =>
              html`<option value=${memberId} selected=${memberId === seat.memberId}>${name}</option>`,
          )}
        </select>
      </div>
      <button type="submit" class="secondary">${t("rota.change")}</button>
    </form>
  </li>`;
}

export interface RoleFormState {
  role?: Role;
  values: Record<string, string>;
  errors?: FieldErrors;
  workflows: Workflow[];
}

/** Add or edit a role. */
export function roleFormPage(ctx: PageContext, { role, values, errors, workflows }: RoleFormState): Page {
  const { t } = ctx;
  const select = (name: string, label: string, options: readonly string[], text: (o: string) => string) =>
    html`<div class="field">
      <label for=${`f-${name}`}>${label}</label>
      <select id=${`f-${name}`} name=${name}>
        ${options.map((o) => html`<option value=${o} selected=${values[name] === o}>${text(o)}</option>`)}
      </select>
    </div>`;
  return {
    title: t(role ? "rota.editRole" : "rota.addRole"),
    status: errors ? 400 : 200,
    body: html`${errors && html`<${Notice} kind="error">${t("error.form")}<//>`}
      <form method="post" action=${`/app/rota/roles/${role?.id ?? "new"}`} class="stack">
        <${Csrf} ctx=${ctx} />
        <${Field} ctx=${ctx} name="name" label=${t("rota.field.name")} value=${values.name} errors=${errors} required
          max=${80} />
        <${Field} ctx=${ctx} name="seats" label=${t("rota.field.seats")} value=${values.seats} errors=${errors}
          type="number" required />
        <${Field} ctx=${ctx} name="skills" label=${t("rota.field.skills")} hint=${t("rota.field.skillsHint")}
          value=${values.skills} errors=${errors} max=${300} />
        ${select("risk", t("rota.field.risk"), RISK_LEVELS, (o) => t(`rota.risk.${o as "low"}`))}
        <${Field} ctx=${ctx} name="tenureLimit" label=${t("rota.field.tenure")} value=${values.tenureLimit}
          errors=${errors} type="number" required />
        ${select("period", t("rota.field.period"), PERIOD_KINDS, (o) => t(`rota.period.${o as "weekly"}`))}
        <${Field} ctx=${ctx} name="handbook" label=${t("rota.field.handbook")} value=${values.handbook}
          errors=${errors} multiline max=${10000} />
        <div class=${errors?.handbookWorkflowId ? "field invalid" : "field"}>
          <label for="f-handbookWorkflowId">${t("rota.field.handbookWorkflow")}</label>
          <p class="hint" id="f-handbookWorkflowId-hint">${t("rota.field.handbookWorkflowHint")}</p>
          <select id="f-handbookWorkflowId" name="handbookWorkflowId" aria-describedby="f-handbookWorkflowId-hint">
            <option value="">${t("rota.field.handbookWorkflowNone")}</option>
            ${workflows.map(
              (w) => html`<option value=${w.id} selected=${values.handbookWorkflowId === w.id}>${w.title}</option>`,
            )}
          </select>
        </div>
        <button type="submit">${t("rota.save")}</button>
      </form>`,
  };
}

export interface MinePageState {
  seats: Seat[];
  offers: Seat[];
  roles: Role[];
  workflows: Workflow[];
  boundaries: Boundaries;
  hasFeed: boolean;
  handoffs: Handoff[];
  /** Names of the members in the handoffs. */
  names: Names;
  /** A handoff's time as a `datetime-local` value in the pod's time zone. */
  localTime: (iso: string) => string;
  /** The feed address just made (shown once). */
  feedUrl?: string;
  /** The verified fediverse account reminders go to; undefined when the member linked none. */
  remindersTo?: string;
  /** Roles the member may now hold alone (they completed a period as a shadow). */
  grown: GrownSkill[];
  notice?: MessageKey;
  error?: MessageKey;
}

/** A member's own seats, seats they may take, their boundaries and their calendar address. */
export function minePage(ctx: PageContext, state: MinePageState): Page {
  const { t } = ctx;
  const declined = state.boundaries.declines.split(",");
  const seatLabel = (seat: Seat) =>
    t("rota.seatLabel", { period: seat.period, role: roleName(state.roles, seat.roleId) });
  return {
    title: t("rota.mine.title"),
    status: state.error === "rota.tooLate" ? 409 : state.error ? 400 : 200,
    body: html`${state.notice && html`<${Notice} kind="ok">${t(state.notice)}<//>`}
      ${state.error && html`<${Notice} kind="error">${t(state.error)}<//>`}
      <section aria-labelledby="seats">
        <h2 id="seats">${t("rota.mine.seats")}</h2>
        ${state.seats.length === 0 && html`<p>${t("rota.mine.none")}</p>`}
        <ul class="cards">
          ${state.seats.map(
            (seat) => html`<li>
              <p><strong>${seatLabel(seat)}</strong></p>
              ${
                seat.status === "offered"
                  ? html`<p class="hint">${t("rota.givenUp")}</p>`
                  : html`<form method="post" action=${`/app/rota/mine/${seat.id}/give-up`}>
                      <${Csrf} ctx=${ctx} />
                      <button type="submit" class="secondary">${t("rota.giveUp")}</button>
                    </form>`
              }
            </li>`,
          )}
        </ul>
      </section>
      ${
        state.grown.length > 0 &&
        html`<section aria-labelledby="grown">
          <h2 id="grown">${t("rota.grown")}</h2>
          <ul class="facts">
            ${state.grown.map((g) => html`<li>${t("rota.grownLine", { role: roleName(state.roles, g.roleId) })}</li>`)}
          </ul>
        </section>`
      }
      <section aria-labelledby="reminders">
        <h2 id="reminders">${t("rota.reminders")}</h2>
        ${
          state.remindersTo
            ? html`<p>${t("rota.remindersOn", { handle: `@${state.remindersTo}` })}</p>`
            : html`<p>${t("rota.remindersOff")}</p>
                <p><a href="/app/security">${t("rota.remindersLink")}</a></p>`
        }
      </section>
      <section aria-labelledby="offers">
        <h2 id="offers">${t("rota.offers")}</h2>
        ${state.offers.length === 0 && html`<p>${t("rota.noOffers")}</p>`}
        <ul class="cards">
          ${state.offers.map(
            (seat) => html`<li>
              <p><strong>${seatLabel(seat)}</strong></p>
              <form method="post" action=${`/app/rota/mine/${seat.id}/take`}>
                <${Csrf} ctx=${ctx} />
                <button type="submit">${t("rota.take")}</button>
              </form>
            </li>`,
          )}
        </ul>
      </section>
      <section aria-labelledby="handoffs">
        <h2 id="handoffs">${t("rota.handoffs")}</h2>
        ${state.handoffs.length === 0 && html`<p>${t("rota.noHandoffs")}</p>`}
        <ul class="cards">
          ${state.handoffs.map((handoff) => html`<${HandoffCard} ctx=${ctx} handoff=${handoff} state=${state} />`)}
        </ul>
      </section>
      <section aria-labelledby="boundaries">
        <h2 id="boundaries">${t("rota.boundaries")}</h2>
        <p>${t("rota.boundariesIntro")}</p>
        <form method="post" action="/app/rota/mine/boundaries" class="stack">
          <${Csrf} ctx=${ctx} />
          <div class="field">
            <label for="f-maxRisk">${t("rota.maxRisk")}</label>
            <select id="f-maxRisk" name="maxRisk">
              ${RISK_LEVELS.map(
                (r) =>
                  html`<option value=${r} selected=${state.boundaries.maxRisk === r}>${t(`rota.risk.${r}`)}</option>`,
              )}
            </select>
          </div>
          ${
            state.roles.length > 0 &&
            html`<fieldset>
              <legend>${t("rota.declines")}</legend>
              ${state.roles.map(
                (role) => html`<label class="choice">
                  <input type="checkbox" name="declines" value=${role.id} checked=${declined.includes(role.id)} />
                  ${" "}${role.name}
                </label>`,
              )}
            </fieldset>`
          }
          <${Field} ctx=${ctx} name="unavailable" label=${t("rota.unavailable")} hint=${t("rota.unavailableHint")}
            value=${state.boundaries.unavailable} max=${2000} />
          <button type="submit">${t("rota.saveBoundaries")}</button>
        </form>
      </section>
      <section aria-labelledby="feed">
        <h2 id="feed">${t("rota.feed")}</h2>
        <p>${t("rota.feedIntro")}</p>
        ${
          state.feedUrl
            ? html`<p>${t("rota.feedNew")} <code id="feed-url">${state.feedUrl}</code></p>`
            : html`<p>${t(state.hasFeed ? "rota.feedActive" : "rota.feedNone")}</p>`
        }
        <form method="post" action="/app/rota/mine/feed">
          <${Csrf} ctx=${ctx} />
          <button type="submit" class="secondary">${t("rota.feedMake")}</button>
        </form>
        ${
          state.hasFeed &&
          html`<form method="post" action="/app/rota/mine/feed/revoke">
            <${Csrf} ctx=${ctx} />
            <button type="submit" class="secondary">${t("rota.feedRevoke")}</button>
          </form>`
        }
      </section>`,
  };
}

/** The role's handbook when it is a workflow of the pod's memory: read it before the handoff. */
function HandbookLink({ ctx, role, workflows }: { ctx: PageContext; role?: Role; workflows: Workflow[] }) {
  const workflow = role?.handbookWorkflowId ? workflows.find((w) => w.id === role.handbookWorkflowId) : undefined;
  return (
    workflow &&
    html`<p><a href=${`/app/memory/${workflow.id}`}>${ctx.t("rota.handbookLink", { title: workflow.title })}</a></p>`
  );
}

/** The dashboard's line for coordinators: published seats nobody holds. */
export const rotaBlock = (ctx: PageContext, unfilled: number) =>
  html`<p><a href="/app/rota#unfilled">${ctx.t("rota.dashboard", { count: unfilled })}</a></p>`;

function HandoffCard({ ctx, handoff, state }: { ctx: PageContext; handoff: Handoff; state: MinePageState }) {
  const { t } = ctx;
  const me = ctx.member!.id;
  const role = state.roles.find((r) => r.id === handoff.roleId);
  const other = state.names.get(handoff.outgoingId === me ? handoff.incomingId : handoff.outgoingId) ?? "";
  const mine = handoff.outgoingId === me ? handoff.outgoingConfirmedAt : handoff.incomingConfirmedAt;
  const both = handoff.outgoingConfirmedAt && handoff.incomingConfirmedAt;
  const id = `h-${handoff.id}`;
  return html`<li>
    <p>
      <strong>${t("rota.seatLabel", { period: handoff.period, role: role?.name ?? "" })}</strong> ·
      ${" "}${t(handoff.outgoingId === me ? "rota.handoffTo" : "rota.handoffFrom", { name: other })}
    </p>
    <p>
      ${
        handoff.at
          ? t("rota.handoffAt", { at: ctx.time(handoff.at), place: handoff.place || "—" })
          : t("rota.handoffUnplanned")
      }
    </p>
    <p class="status">${t(both ? "rota.handoffDone" : mine ? "rota.handoffWaiting" : "rota.handoffOpen")}</p>
    ${role?.handbook && html`<details><summary>${t("rota.field.handbook")}</summary><p>${role.handbook}</p></details>`}
    <${HandbookLink} ctx=${ctx} role=${role} workflows=${state.workflows} />
    <form method="post" action=${`/app/rota/handoffs/${handoff.id}`} class="stack">
      <${Csrf} ctx=${ctx} />
      <div class="field">
        <label for=${`${id}-at`}>${t("rota.handoffWhen")}</label>
        <input
          id=${`${id}-at`} name="at" type="datetime-local" value=${handoff.at ? state.localTime(handoff.at) : ""}
        />
      </div>
      <div class="field">
        <label for=${`${id}-place`}>${t("rota.handoffPlace")}</label>
        <input id=${`${id}-place`} name="place" value=${handoff.place} maxlength="300" />
      </div>
      <button type="submit" class="secondary">${t("rota.handoffSave")}</button>
    </form>
    ${
      !mine &&
      html`<form method="post" action=${`/app/rota/handoffs/${handoff.id}/confirm`}>
        <${Csrf} ctx=${ctx} />
        <button type="submit">${t("rota.handoffConfirm")}</button>
      </form>`
    }
  </li>`;
}
