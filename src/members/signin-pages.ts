import { Csrf, Field, html, Notice, type FieldErrors, type Page, type PageContext } from "../webapp/html.ts";
import type { MessageKey } from "../webapp/i18n/index.ts";
import type { MemberHandle, Passkey } from "./credentials-store.ts";
import type { MemberSession } from "./model.ts";

/** The browser side of passkeys: the library's bundle, then our script (both from the pod: CSP 'self'). */
export const PasskeyScripts = () =>
  html`<script src="/app/vendor/simplewebauthn-browser.js" defer></script>
    <script src="/app/passkeys.js" defer></script>`;

/** Shown until the script finds the browser can use passkeys; then the passkey buttons show instead. */
const Unsupported = ({ ctx }: { ctx: PageContext }) =>
  html`<p class="hint" data-passkey-unsupported>${ctx.t("passkey.unsupported")}</p>`;

/** Where the script says what happened (its texts come from the page, in the member's language). */
const ScriptStatus = ({ ctx }: { ctx: PageContext }) =>
  html`<p id="passkey-status" class="notice error" role="alert" data-failed=${ctx.t("passkey.failed")} hidden></p>`;

export interface SecurityState {
  passkeys: Passkey[];
  handle?: MemberHandle;
  /** A link code was sent to this handle and waits to be typed. */
  pendingHandle?: string;
  sessions: MemberSession[];
  currentSession: string | null;
  notice?: MessageKey;
  errors?: FieldErrors;
  handleInput?: string;
}

export function securityPage(ctx: PageContext, state: SecurityState): Page {
  const { t } = ctx;
  const errors = state.errors;
  return {
    title: t("security.title"),
    status: errors ? 400 : 200,
    body: html`${state.notice && html`<${Notice} kind="ok">${t(state.notice)}<//>`}
      ${errors && html`<${Notice} kind="error">${t(Object.values(errors)[0] ?? "error.form")}<//>`}
      <p>${t("security.intro")}</p>
      <section aria-labelledby="passkeys">
        <h2 id="passkeys">${t("passkey.heading")}</h2>
        <p>${t("passkey.intro")}</p>
        ${state.passkeys.length === 0 && html`<p>${t("passkey.none")}</p>`}
        <ul class="cards">
          ${state.passkeys.map(
            (passkey) => html`<li>
              <p><strong>${passkey.label}</strong></p>
              <p class="hint">
                ${t("passkey.created", { at: ctx.time(passkey.createdAt) })}
                ${passkey.lastUsedAt && html` · ${t("passkey.lastUsed", { at: ctx.time(passkey.lastUsedAt) })}`}
              </p>
              <form method="post" action=${`/app/passkeys/${encodeURIComponent(passkey.id)}/remove`}>
                <${Csrf} ctx=${ctx} />
                <button type="submit" class="secondary">${t("passkey.remove", { label: passkey.label })}</button>
              </form>
            </li>`,
          )}
        </ul>
        <${Unsupported} ctx=${ctx} />
        <div class="stack" data-passkey hidden>
          <${Csrf} ctx=${ctx} />
          <${Field}
            ctx=${ctx} name="passkeyLabel" label=${t("passkey.label")} hint=${t("passkey.labelHint")} required
          />
          <button type="button" id="passkey-add">${t("passkey.add")}</button>
          <${ScriptStatus} ctx=${ctx} />
        </div>
      </section>
      <section aria-labelledby="fediverse">
        <h2 id="fediverse">${t("handle.heading")}</h2>
        <p>${t("handle.intro")}</p>
        ${
          state.handle &&
          html`<p>
              ${t("handle.linked", { handle: `@${state.handle.handle}`, at: ctx.time(state.handle.verifiedAt) })}
            </p>
            <form method="post" action="/app/security/handle/remove">
              <${Csrf} ctx=${ctx} />
              <button type="submit" class="secondary">${t("handle.remove")}</button>
            </form>`
        }
        ${
          state.pendingHandle &&
          html`<p role="status">${t("handle.sent", { handle: `@${state.pendingHandle}` })}</p>
            <form method="post" action="/app/security/handle/verify" class="stack">
              <${Csrf} ctx=${ctx} />
              <${Field}
                ctx=${ctx} name="code" label=${t("handle.code")} errors=${errors} required autocomplete="one-time-code"
                inputmode="numeric"
              />
              <button type="submit">${t("handle.verify")}</button>
            </form>`
        }
        <form method="post" action="/app/security/handle" class="stack">
          <${Csrf} ctx=${ctx} />
          <${Field}
            ctx=${ctx} name="handle" label=${t("handle.field")} hint=${t("handle.hint")} errors=${errors}
            value=${state.handleInput} required
          />
          <button type="submit" class=${state.pendingHandle ? "secondary" : ""}>${t("handle.send")}</button>
        </form>
      </section>
      <section aria-labelledby="sessions">
        <h2 id="sessions">${t("profile.sessions")}</h2>
        <ul class="cards">
          ${state.sessions.map(
            (session) => html`<li>
              <p>
                ${session.userAgent || "?"}
                ${session.idHash === state.currentSession && html` <strong>(${t("profile.thisDevice")})</strong>`}
              </p>
              <p class="hint">${t("profile.lastSeen", { at: ctx.time(session.lastSeenAt) })}</p>
              ${
                session.idHash !== state.currentSession &&
                html`<form method="post" action="/app/sessions/end">
                <${Csrf} ctx=${ctx} />
                <input type="hidden" name="session" value=${session.idHash} />
                <button type="submit" class="secondary">${t("profile.endSession")}</button>
              </form>`
              }
            </li>`,
          )}
        </ul>
        <form method="post" action="/app/sign-out-everywhere">
          <${Csrf} ctx=${ctx} />
          <button type="submit" class="secondary">${t("profile.signOutEverywhere")}</button>
        </form>
      </section>
      <${PasskeyScripts} />`,
  };
}

/** The sign-in page's other ways in: a passkey (with JavaScript) and a code sent to the fediverse account. */
export function OtherWaysIn({ ctx, next }: { ctx: PageContext; next?: string }) {
  const { t } = ctx;
  return html`<section aria-labelledby="other-ways">
      <h2 id="other-ways">${t("signIn.otherWays")}</h2>
      <${Unsupported} ctx=${ctx} />
      <div data-passkey hidden>
        <button type="button" id="passkey-sign-in" class="secondary" data-next=${next ?? ""}>
          ${t("signIn.passkey")}
        </button>
        <${ScriptStatus} ctx=${ctx} />
      </div>
      <p><a href="/app/sign-in/code">${t("signIn.codeLink")}</a></p>
    </section>
    <${PasskeyScripts} />`;
}

export function signInCodePage(ctx: PageContext, state: { sent?: boolean; failed?: boolean; who?: string }): Page {
  const { t } = ctx;
  return {
    title: t("signInCode.title"),
    status: state.failed ? 401 : 200,
    body: html`${state.failed && html`<${Notice} kind="error">${t("signInCode.failed")}<//>`}
      ${state.sent && !state.failed && html`<${Notice} kind="ok">${t("signInCode.sent")}<//>`}
      ${
        state.sent
          ? html`<form method="post" action="/app/sign-in/code/verify" class="stack">
                <${Csrf} ctx=${ctx} />
                <${Field}
                  ctx=${ctx} name="code" label=${t("signInCode.code")} required autocomplete="one-time-code"
                  inputmode="numeric"
                />
                <button type="submit">${t("signInCode.submit")}</button>
              </form>
              <p><a href="/app/sign-in/code">${t("signInCode.again")}</a></p>`
          : html`<p>${t("signInCode.intro")}</p>
              <form method="post" action="/app/sign-in/code" class="stack">
                <${Csrf} ctx=${ctx} />
                <${Field}
                  ctx=${ctx} name="who" label=${t("signInCode.who")} value=${state.who} required autocomplete="username"
                />
                <button type="submit">${t("signInCode.send")}</button>
              </form>`
      }`,
  };
}
