import { Csrf, Field, html, Notice, type FieldErrors, type Page, type PageContext } from "../webapp/html.ts";

export interface TokenRow {
  id: string;
  label: string;
  createdAt: string;
}

/** A Mastodon app signed in to the pod, as the coordinators see it. */
export interface AppRow {
  id: string;
  appName: string;
  /** Who let it in: a member's name, an operator token's label, or null for an app-level token. */
  who: string | null;
  scopes: string;
  createdAt: string;
}

export function tokensPage(
  ctx: PageContext,
  tokens: TokenRow[],
  apps: AppRow[],
  made?: string,
  errors?: FieldErrors,
  revoked?: boolean,
): Page {
  const { t } = ctx;
  return {
    title: t("tokens.title"),
    status: errors ? 400 : 200,
    body: html`${revoked && html`<${Notice} kind="ok">${t("content.apps.revoked")}<//>`}
      <p>${t("tokens.intro")}</p>
      ${
        made &&
        html`<div class="made" role="status">
        <p>${t("tokens.made")}</p>
        <p><code class="link">${made}</code></p>
      </div>`
      }
      <form method="post" action="/app/tokens" class="stack">
        <${Csrf} ctx=${ctx} />
        <${Field} ctx=${ctx} name="label" label=${t("tokens.label")} errors=${errors} required />
        <button type="submit">${t("tokens.create")}</button>
      </form>
      ${tokens.length === 0 && html`<p>${t("tokens.none")}</p>`}
      <ul class="cards">
        ${tokens.map(
          (token) => html`<li>
            <p><strong>${token.label}</strong></p>
            <p class="hint">${t("tokens.created", { at: ctx.time(token.createdAt) })}</p>
            <form method="post" action=${`/app/tokens/${token.id}/revoke`}>
              <${Csrf} ctx=${ctx} />
              <button type="submit" class="secondary">${t("tokens.revoke")}</button>
            </form>
          </li>`,
        )}
      </ul>
      <${SignedInApps} ctx=${ctx} apps=${apps} />`,
  };
}

/** The Mastodon apps with access to the pod, each revocable alone. */
function SignedInApps({ ctx, apps }: { ctx: PageContext; apps: AppRow[] }) {
  const { t } = ctx;
  return html`<section aria-labelledby="apps">
    <h2 id="apps">${t("content.apps.title")}</h2>
    <p class="hint">${t("content.apps.intro")}</p>
    ${apps.length === 0 && html`<p>${t("content.apps.none")}</p>`}
    <ul class="cards">
      ${apps.map(
        (app) => html`<li>
          <p><strong>${app.appName}</strong></p>
          <p class="hint">
            ${
              app.who
                ? t("content.apps.by", { who: app.who, at: ctx.time(app.createdAt) })
                : t("content.apps.appOnly", { at: ctx.time(app.createdAt) })
            }
          </p>
          <p class="hint">${t("content.apps.scopes", { scopes: app.scopes })}</p>
          <form method="post" action=${`/app/apps/${app.id}/revoke`}>
            <${Csrf} ctx=${ctx} />
            <button type="submit" class="secondary">${t("content.apps.revoke", { app: app.appName })}</button>
          </form>
        </li>`,
      )}
    </ul>
  </section>`;
}
