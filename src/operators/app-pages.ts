import { Csrf, Field, html, type FieldErrors, type Page, type PageContext } from "../webapp/html.ts";

export interface TokenRow {
  id: string;
  label: string;
  createdAt: string;
}

export function tokensPage(ctx: PageContext, tokens: TokenRow[], made?: string, errors?: FieldErrors): Page {
  const { t } = ctx;
  return {
    title: t("tokens.title"),
    status: errors ? 400 : 200,
    body: html`<p>${t("tokens.intro")}</p>
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
      </ul>`,
  };
}
