import {
  Csrf,
  Field,
  html,
  Notice,
  type FieldErrors,
  type Page,
  type PageContext,
  type VNode,
} from "../webapp/html.ts";
import { isMessageKey } from "../webapp/i18n/index.ts";
import type { InvitationState } from "./service.ts";
import type { Invitation, Member } from "./model.ts";
import { OtherWaysIn } from "./signin-pages.ts";

export function signInPage(
  ctx: PageContext,
  state: { failed?: boolean; setupPending?: boolean; username?: string; next?: string },
): Page {
  const { t } = ctx;
  return {
    title: t("signIn.title"),
    status: state.failed ? 401 : 200,
    body: html`${state.setupPending && html`<${Notice} kind="error">${t("signIn.setupPending")}<//>`}
      ${state.failed && html`<${Notice} kind="error">${t("signIn.failed")}<//>`}
      <p>${t("signIn.intro")}</p>
      <form method="post" action="/app/sign-in" class="stack">
        <${Csrf} ctx=${ctx} />
        <input type="hidden" name="next" value=${state.next ?? ""} />
        <${Field}
          ctx=${ctx} name="username" label=${t("signIn.username")} value=${state.username} required
          autocomplete="username"
        />
        <${Field}
          ctx=${ctx} name="password" label=${t("signIn.password")} type="password" required
          autocomplete="current-password"
        />
        <button type="submit">${t("signIn.submit")}</button>
      </form>
      <${OtherWaysIn} ctx=${ctx} next=${state.next} />`,
  };
}

export interface AccountFormState {
  displayName?: string;
  username?: string;
  errors?: FieldErrors;
  /** Fields shown before the account's (the first-run setup's pod settings, from the settings room). */
  extra?: VNode;
}

/** The form that makes an account from a setup or invitation link. */
export function accountPage(
  ctx: PageContext,
  action: string,
  purpose: "setup" | "join",
  role: Member["role"],
  state: AccountFormState,
): Page {
  const { t } = ctx;
  const errors = state.errors;
  return {
    title: purpose === "setup" ? t("setup.title") : t("join.title", { pod: ctx.podName }),
    status: errors ? 400 : 200,
    body: html`${errors && html`<${Notice} kind="error">${t(errors.link ?? "error.form")}<//>`}
      <p>${purpose === "setup" ? t("setup.intro") : t("join.intro", { role: t(`role.${role}`) })}</p>
      <form method="post" action=${action} class="stack">
        <${Csrf} ctx=${ctx} />
        ${state.extra}
        <${Field}
          ctx=${ctx} name="displayName" label=${t("field.displayName")} value=${state.displayName} errors=${errors}
          required autocomplete="name"
        />
        <${Field}
          ctx=${ctx} name="username" label=${t("field.username")} hint=${t("field.usernameHint")}
          value=${state.username} errors=${errors} required autocomplete="username"
        />
        <${Field}
          ctx=${ctx} name="password" label=${t("field.password")} hint=${t("field.passwordHint")} type="password"
          errors=${errors} required autocomplete="new-password"
        />
        <button type="submit">${purpose === "setup" ? t("setup.submit") : t("join.submit")}</button>
      </form>`,
  };
}

export function resetPage(ctx: PageContext, action: string, member: Member, errors?: FieldErrors): Page {
  const { t } = ctx;
  return {
    title: t("reset.title"),
    status: errors ? 400 : 200,
    body: html`${errors && html`<${Notice} kind="error">${t(errors.link ?? "error.form")}<//>`}
      <p>${t("reset.intro", { name: member.displayName })}</p>
      <form method="post" action=${action} class="stack">
        <${Csrf} ctx=${ctx} />
        <input type="text" name="username" value=${member.username} autocomplete="username" hidden />
        <${Field}
          ctx=${ctx} name="password" label=${t("field.password")} hint=${t("field.passwordHint")} type="password"
          errors=${errors} required autocomplete="new-password"
        />
        <button type="submit">${t("reset.submit")}</button>
      </form>`,
  };
}

/** A link that cannot be used: says why and what to do. */
export function linkProblemPage(ctx: PageContext, state: InvitationState): Page {
  return {
    title: ctx.t("errorPage.400"),
    status: state === "unknown" ? 404 : 410,
    body: html`<p>${ctx.t(`invitation.${state}`)}</p>`,
  };
}

export interface MembersPageState {
  members: Member[];
  invitations: Invitation[];
  madeLink?: string;
  resetFor?: { name: string; link: string };
  errors?: FieldErrors;
}

export function membersPage(ctx: PageContext, state: MembersPageState): Page {
  const { t } = ctx;
  const self = ctx.member!;
  return {
    title: t("members.title"),
    status: state.errors ? 400 : 200,
    body: html`${state.errors && html`<${Notice} kind="error">${t(Object.values(state.errors)[0] ?? "error.form")}<//>`}
      ${
        state.madeLink &&
        html`<div class="made" role="status">
        <p>${t("members.linkMade")}</p>
        <p><code class="link">${state.madeLink}</code></p>
      </div>`
      }
      ${
        state.resetFor &&
        html`<div class="made" role="status">
        <p>${t("members.resetMade", { name: state.resetFor.name })}</p>
        <p><code class="link">${state.resetFor.link}</code></p>
      </div>`
      }
      <section aria-labelledby="invite">
        <h2 id="invite">${t("members.invite")}</h2>
        <form method="post" action="/app/invitations" class="stack">
          <${Csrf} ctx=${ctx} />
          <fieldset>
            <legend>${t("field.role")}</legend>
            <label class="choice"><input type="radio" name="role" value="member" checked /> ${t("role.member")}</label>
            <label class="choice"
              ><input type="radio" name="role" value="coordinator" /> ${t("role.coordinator")}</label
            >
          </fieldset>
          <p class="hint">${t("members.inviteHint", { hours: 72 })}</p>
          <button type="submit">${t("members.inviteSubmit")}</button>
        </form>
      </section>
      ${
        state.invitations.length > 0 &&
        html`<section aria-labelledby="open">
        <h2 id="open">${t("members.open")}</h2>
        <ul class="cards">
          ${state.invitations.map(
            (invitation) => html`<li>
              <span>${t(`role.${invitation.role}`)} · ${t("members.expires", {
                at: ctx.time(invitation.expiresAt),
              })}</span>
              <form method="post" action=${`/app/invitations/${invitation.id}/revoke`}>
                <${Csrf} ctx=${ctx} />
                <button type="submit" class="secondary">${t("members.revoke")}</button>
              </form>
            </li>`,
          )}
        </ul>
      </section>`
      }
      <section aria-labelledby="people">
        <h2 id="people">${t("members.title")}</h2>
        ${state.members.length === 0 && html`<p>${t("members.none")}</p>`}
        <ul class="cards">
          ${state.members.map(
            (member) => html`<li>
              <p><strong>${member.displayName}</strong> (${member.username}) · ${t(`role.${member.role}`)}</p>
              <p class="hint">
                ${t("members.joined", { at: ctx.time(member.createdAt) })}
                ${
                  member.disabledAt &&
                  html` · <strong>${t("members.disabled", { at: ctx.time(member.disabledAt) })}</strong>`
                }
              </p>
              ${
                member.id !== self.id &&
                html`<div class="actions">
                <form method="post" action=${`/app/members/${member.id}/role`}>
                  <${Csrf} ctx=${ctx} />
                  <input type="hidden" name="role" value=${member.role === "coordinator" ? "member" : "coordinator"} />
                  <button type="submit" class="secondary">
                    ${member.role === "coordinator" ? t("members.makeMember") : t("members.makeCoordinator")}
                  </button>
                </form>
                <form method="post" action=${`/app/members/${member.id}/reset-link`}>
                  <${Csrf} ctx=${ctx} />
                  <button type="submit" class="secondary">${t("members.reset")}</button>
                </form>
                <form method="post" action=${`/app/members/${member.id}/${member.disabledAt ? "enable" : "disable"}`}>
                  <${Csrf} ctx=${ctx} />
                  <button type="submit" class="secondary">
                    ${member.disabledAt ? t("members.enable") : t("members.disable")}
                  </button>
                </form>
              </div>`
              }
            </li>`,
          )}
        </ul>
      </section>`,
  };
}

export function profilePage(ctx: PageContext, state: { saved?: boolean }): Page {
  const { t } = ctx;
  const member = ctx.member!;
  const fields = [
    ["contact", "field.contact", member.contact],
    ["languages", "field.languages", member.languages],
    ["skills", "field.skills", member.skills],
    ["availability", "field.availability", member.availability],
    ["boundaries", "field.boundaries", member.boundaries],
  ] as const;
  return {
    title: t("profile.title"),
    body: html`${state.saved && html`<${Notice} kind="ok">${t("profile.saved")}<//>`}
      <p>${t("profile.intro")}</p>
      <form method="post" action="/app/profile" class="stack">
        <${Csrf} ctx=${ctx} />
        <${Field} ctx=${ctx} name="displayName" label=${t("field.displayName")} value=${member.displayName} required />
        ${fields.map(
          ([name, label, value]) =>
            html`<${Field} ctx=${ctx} name=${name} label=${t(label)} value=${value} multiline=${name !== "contact"} />`,
        )}
        <div class="field">
          <label for="f-locale">${t("field.locale")}</label>
          <select id="f-locale" name="locale">
            <option value="" selected=${member.locale === null}>${t("field.localeBrowser")}</option>
            <option value="en" lang="en" selected=${member.locale === "en"}>English</option>
            <option value="es" lang="es" selected=${member.locale === "es"}>Español</option>
          </select>
        </div>
        <button type="submit">${t("profile.save")}</button>
      </form>
      <p><a href="/app/security">${t("security.link")}</a></p>`,
  };
}

/** An action code in words; a code with no words yet (a newer room's) shows as it is. */
function actionName(t: PageContext["t"], action: string): string {
  const key = `audit.action.${action}`;
  return isMessageKey(key) ? t(key) : action;
}

export function auditPage(
  ctx: PageContext,
  entries: { at: string; who: string; action: string; subject: string }[],
): Page {
  const { t } = ctx;
  return {
    title: t("audit.title"),
    body:
      entries.length === 0
        ? html`<p>${t("audit.none")}</p>`
        : html`<div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">${t("audit.when")}</th>
                <th scope="col">${t("audit.who")}</th>
                <th scope="col">${t("audit.what")}</th>
                <th scope="col">${t("audit.subject")}</th>
              </tr>
            </thead>
            <tbody>
              ${entries.map(
                (entry) => html`<tr>
                  <td>${ctx.time(entry.at)}</td>
                  <td>${entry.who}</td>
                  <td>${actionName(t, entry.action)} <code class="hint">${entry.action}</code></td>
                  <td class="subject">${entry.subject}</td>
                </tr>`,
              )}
            </tbody>
          </table>
        </div>`,
  };
}
