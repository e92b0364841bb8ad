import { Csrf, Field, html, Notice, type FieldErrors, type Page, type PageContext } from "../webapp/html.ts";
import type { MessageKey } from "../webapp/i18n/index.ts";
import type { BlockedAccount, BlockedDomain, Report } from "./store.ts";

export interface ResponseRow {
  id: string;
  author: string;
  text: string;
  url: string;
  published: string;
  hidden: boolean;
}

export interface ModerationState {
  responses: ResponseRow[];
  domains: BlockedDomain[];
  accounts: BlockedAccount[];
  received: Report[];
  sent: Report[];
  log: { at: string; who: string; action: string; subject: string }[];
  notice?: MessageKey;
  errors?: FieldErrors;
  /** What a failed form was given, written back into it. */
  values?: Record<string, string>;
}

/** One button posting to `action` (each row's own form: works without JavaScript). */
const Action = ({ ctx, action, label }: { ctx: PageContext; action: string; label: string }) =>
  html`<form method="post" action=${action}>
    <${Csrf} ctx=${ctx} />
    <button type="submit" class="secondary">${label}</button>
  </form>`;

const objectsOf = (report: Report) => JSON.parse(report.objects) as string[];

export function moderationPage(ctx: PageContext, state: ModerationState): Page {
  const { t } = ctx;
  const value = (name: string) => state.values?.[name] ?? "";
  return {
    title: t("moderation.title"),
    status: state.errors ? 400 : 200,
    body: html`${state.notice && html`<${Notice} kind="ok">${t(state.notice)}<//>`}
      ${state.errors && html`<${Notice} kind="error">${t("error.form")}<//>`}
      <p>${t("moderation.intro")}</p>

      <section aria-labelledby="responses">
        <h2 id="responses">${t("moderation.responses")}</h2>
        ${state.responses.length === 0 && html`<p>${t("moderation.responses.none")}</p>`}
        <ul class="cards">
          ${state.responses.map(
            (row) => html`<li>
              <p><strong>${row.author}</strong> · ${ctx.time(row.published)}</p>
              <p>${row.text}</p>
              ${row.hidden && html`<p class="hint">${t("moderation.responses.hidden")}</p>`}
              ${/^https?:\/\//i.test(row.url) && html`<p><a href=${row.url} rel="nofollow noopener">${t("moderation.open")}</a></p>`}
              <${Action}
                ctx=${ctx}
                action=${`/app/moderation/responses/${row.id}/${row.hidden ? "show" : "hide"}`}
                label=${t(row.hidden ? "moderation.show" : "moderation.hide")}
              />
            </li>`,
          )}
        </ul>
      </section>

      <section aria-labelledby="domains">
        <h2 id="domains">${t("moderation.domains")}</h2>
        <form method="post" action="/app/moderation/domains" class="stack">
          <${Csrf} ctx=${ctx} />
          <${Field}
            ctx=${ctx}
            name="domain"
            label=${t("moderation.domain")}
            hint=${t("moderation.domain.hint")}
            value=${value("domain")}
            errors=${state.errors}
            required
          />
          <${Field} ctx=${ctx} name="domainReason" label=${t("moderation.reason")} value=${value("domainReason")} />
          <button type="submit">${t("moderation.blockDomain")}</button>
        </form>
        ${state.domains.length === 0 && html`<p>${t("moderation.domains.none")}</p>`}
        <ul class="cards">
          ${state.domains.map(
            (row) => html`<li>
              <p><strong>${row.domain}</strong></p>
              <p class="hint">${t("moderation.since", { at: ctx.time(row.createdAt) })}</p>
              ${row.reason && html`<p>${row.reason}</p>`}
              <${Action}
                ctx=${ctx}
                action=${`/app/moderation/domains/${encodeURIComponent(row.domain)}/unblock`}
                label=${t("moderation.unblock")}
              />
            </li>`,
          )}
        </ul>
      </section>

      <section aria-labelledby="accounts">
        <h2 id="accounts">${t("moderation.accounts")}</h2>
        <form method="post" action="/app/moderation/accounts" class="stack">
          <${Csrf} ctx=${ctx} />
          <${Field}
            ctx=${ctx}
            name="account"
            label=${t("moderation.account")}
            hint=${t("moderation.account.hint")}
            value=${value("account")}
            errors=${state.errors}
            required
          />
          <${Field} ctx=${ctx} name="accountReason" label=${t("moderation.reason")} value=${value("accountReason")} />
          <button type="submit">${t("moderation.blockAccount")}</button>
        </form>
        ${state.accounts.length === 0 && html`<p>${t("moderation.accounts.none")}</p>`}
        <ul class="cards">
          ${state.accounts.map(
            (row) => html`<li>
              <p><strong>${row.handle || row.actorIri}</strong></p>
              <p class="hint">${t("moderation.since", { at: ctx.time(row.createdAt) })}</p>
              ${row.reason && html`<p>${row.reason}</p>`}
              <form method="post" action="/app/moderation/accounts/unblock">
                <${Csrf} ctx=${ctx} />
                <input type="hidden" name="actor" value=${row.actorIri} />
                <button type="submit" class="secondary">${t("moderation.unblock")}</button>
              </form>
            </li>`,
          )}
        </ul>
      </section>

      <section aria-labelledby="view">
        <h2 id="view">${t("moderation.view")}</h2>
        <form method="post" action="/app/moderation/view" class="stack">
          <${Csrf} ctx=${ctx} />
          <${Field}
            ctx=${ctx}
            name="pod"
            type="url"
            label=${t("moderation.view.pod")}
            hint=${t("moderation.view.hint")}
            value=${value("pod")}
            errors=${state.errors}
            required
          />
          <button type="submit" class="secondary">${t("moderation.view.remove")}</button>
        </form>
      </section>

      <section aria-labelledby="reports">
        <h2 id="reports">${t("moderation.reports")}</h2>
        ${state.received.length === 0 && html`<p>${t("moderation.reports.none")}</p>`}
        <ul class="cards">
          ${state.received.map(
            (report) => html`<li>
              <p><strong>${t("moderation.reports.from", { actor: report.actorIri, at: ctx.time(report.createdAt) })}</strong></p>
              ${report.comment && html`<p>${report.comment}</p>`}
              <ul>
                ${objectsOf(report).map(
                  (iri) =>
                    html`<li>${/^https?:\/\//i.test(iri) ? html`<a href=${iri} rel="nofollow noopener">${iri}</a>` : iri}</li>`,
                )}
              </ul>
              ${
                report.closedAt
                  ? html`<p class="hint">${t("moderation.reports.closed")}</p>`
                  : html`<${Action}
                      ctx=${ctx}
                      action=${`/app/moderation/reports/${report.id}/close`}
                      label=${t("moderation.reports.close")}
                    />`
              }
            </li>`,
          )}
        </ul>
      </section>

      <section aria-labelledby="report">
        <h2 id="report">${t("moderation.report")}</h2>
        <p>${t("moderation.report.hint")}</p>
        <form method="post" action="/app/moderation/reports" class="stack">
          <${Csrf} ctx=${ctx} />
          <${Field}
            ctx=${ctx}
            name="target"
            label=${t("moderation.account")}
            hint=${t("moderation.account.hint")}
            value=${value("target")}
            errors=${state.errors}
            required
          />
          <${Field} ctx=${ctx} name="posts" label=${t("moderation.report.posts")} value=${value("posts")} multiline />
          <${Field}
            ctx=${ctx}
            name="comment"
            label=${t("moderation.report.comment")}
            value=${value("comment")}
            multiline
            required
          />
          <button type="submit">${t("moderation.report.send")}</button>
        </form>
        ${
          state.sent.length > 0 &&
          html`<h3>${t("moderation.sent")}</h3>
            <ul>
              ${state.sent.map((report) => html`<li>${report.actorIri} · ${ctx.time(report.createdAt)}</li>`)}
            </ul>`
        }
      </section>

      <section aria-labelledby="log">
        <h2 id="log">${t("moderation.log")}</h2>
        ${state.log.length === 0 && html`<p>${t("moderation.log.none")}</p>`}
        <ul>
          ${state.log.map(
            (entry) =>
              html`<li>${ctx.time(entry.at)} · ${entry.who} · <code>${entry.action}</code> ${entry.subject}</li>`,
          )}
        </ul>
      </section>`,
  };
}
