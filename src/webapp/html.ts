import type { ComponentChildren, VNode } from "preact";
import { html } from "htm/preact";
import { renderToStaticMarkup } from "preact-render-to-string";
import type { Member } from "../members/model.ts";
import type { Locale, MessageKey, Translate } from "./i18n/index.ts";

/** Tagged templates for the app's pages: preact escapes every interpolated value by construction. */
export { html };
export type { ComponentChildren, VNode };

/** What every page of the app knows about the request it answers. */
export interface PageContext {
  t: Translate;
  locale: Locale;
  member: Member | null;
  /** The CSRF token every form of this page carries. */
  csrf: string;
  podName: string;
  /** The path of this page (the language switch comes back to it). */
  path: string;
  time(iso: string): string;
}

export interface Page {
  title: string;
  body: VNode | VNode[];
  status?: number;
  /** Where else this page's forms may lead (CSP form-action covers redirects): an app's return address. */
  formTargets?: string[];
}

export function renderPage(ctx: PageContext, page: Page): string {
  return `<!doctype html>${renderToStaticMarkup(layout(ctx, page))}`;
}

function layout(ctx: PageContext, page: Page) {
  const { t, member } = ctx;
  const coordinator = member?.role === "coordinator";
  return html`<html lang=${ctx.locale}>
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>${page.title} · ${t("app.name", { pod: ctx.podName })}</title>
      <link rel="stylesheet" href="/app/style.css" />
    </head>
    <body>
      <a class="skip" href="#main">${t("app.skip")}</a>
      <header class="top">
        <p class="pod">${ctx.podName}</p>
        <nav aria-label=${t("nav.label")}>
          <ul>
            ${member && html`<li><a href="/app">${t("nav.dashboard")}</a></li>`}
            ${coordinator && html`<li><a href="/app/offers">${t("nav.offers")}</a></li>`}
            ${coordinator && html`<li><a href="/app/practices">${t("content.nav.practices")}</a></li>`}
            ${coordinator && html`<li><a href="/app/neighbors">${t("content.nav.neighbors")}</a></li>`}
            ${coordinator && html`<li><a href="/app/requests">${t("requests.title")}</a></li>`}
            ${coordinator && html`<li><a href="/app/rota">${t("rota.nav")}</a></li>`}
            ${member && html`<li><a href="/app/rota/mine">${t("rota.mine.nav")}</a></li>`}
            ${member && html`<li><a href="/app/sovereignty">${t("sov.nav")}</a></li>`}
            ${coordinator && html`<li><a href="/app/members">${t("nav.members")}</a></li>`}
            ${coordinator && html`<li><a href="/app/audit">${t("nav.audit")}</a></li>`}
            ${coordinator && html`<li><a href="/app/moderation">${t("nav.moderation")}</a></li>`}
            ${coordinator && html`<li><a href="/app/tokens">${t("nav.tokens")}</a></li>`}
            ${coordinator && html`<li><a href="/app/charter">${t("charter.nav")}</a></li>`}
            ${coordinator && html`<li><a href="/app/categories">${t("categories.nav")}</a></li>`}
            ${coordinator && html`<li><a href="/app/settings">${t("settings.nav")}</a></li>`}
            ${member && html`<li><a href="/app/profile">${t("nav.profile")}</a></li>`}
            ${member && html`<li><a href="/app/security">${t("nav.security")}</a></li>`}
            <li><a href="/">${t("nav.publicPage")}</a></li>
            <${LanguageSwitch} path=${ctx.path} locale=${ctx.locale} />
          </ul>
        </nav>
        ${
          member &&
          html`<form method="post" action="/app/sign-out" class="sign-out">
          <${Csrf} ctx=${ctx} />
          <button type="submit">${t("nav.signOut")}</button>
        </form>`
        }
      </header>
      <main id="main">
        <h1>${page.title}</h1>
        ${page.body}
      </main>
    </body>
  </html>`;
}

/** The link to the same page in the other language (both layouts end their navigation with it). */
export function LanguageSwitch({ path, locale }: { path: string; locale: Locale }) {
  const other: Locale = locale === "en" ? "es" : "en";
  return html`<li>
    <a href=${`${path}${path.includes("?") ? "&" : "?"}lang=${other}`} lang=${other} hreflang=${other}
      >${other === "es" ? "Español" : "English"}</a
    >
  </li>`;
}

export const Csrf = ({ ctx }: { ctx: PageContext }) => html`<input type="hidden" name="_csrf" value=${ctx.csrf} />`;

/** Errors of a submitted form: field name -> message key. */
export type FieldErrors = Partial<Record<string, MessageKey>>;

interface FieldProps {
  /** Only its translations are used: public pages pass their own context. */
  ctx: { t: Translate };
  name: string;
  label: string;
  value?: string;
  errors?: FieldErrors;
  hint?: string;
  type?: string;
  required?: boolean;
  autocomplete?: string;
  multiline?: boolean;
  inputmode?: string;
  /** The most characters the field takes (the server checks it too). */
  max?: number;
}

/** A labelled input with its hint and, after a failed submit, its error beside it (announced to screen readers). */
export function Field(props: FieldProps) {
  const { ctx, name, errors } = props;
  const id = `f-${name}`;
  const error = errors?.[name];
  const described = [props.hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ") || undefined;
  const common = {
    id,
    name,
    required: props.required,
    maxlength: props.max,
    autocomplete: props.autocomplete,
    "aria-invalid": error ? "true" : undefined,
    "aria-describedby": described,
  };
  return html`<div class=${error ? "field invalid" : "field"}>
    <label for=${id}>${props.label}</label>
    ${props.hint && html`<p class="hint" id=${`${id}-hint`}>${props.hint}</p>`}
    ${
      props.multiline
        ? html`<textarea ...${common} rows="4">${props.value ?? ""}</textarea>`
        : html`<input
            ...${common}
            type=${props.type ?? "text"}
            value=${props.value ?? ""}
            inputmode=${props.inputmode}
          />`
    }
    ${error && html`<p class="error" id=${`${id}-error`}>${ctx.t(error)}</p>`}
  </div>`;
}

/** A short message at the top of a page: what just happened, or what went wrong. */
export const Notice = ({ kind, children }: { kind: "ok" | "error"; children: ComponentChildren }) =>
  html`<p class=${`notice ${kind}`} role=${kind === "error" ? "alert" : "status"}>${children}</p>`;
