import { readFileSync } from "node:fs";
import type { FastifyReply, FastifyRequest } from "fastify";
import { renderToStaticMarkup } from "preact-render-to-string";
import type { Config } from "../config/schema.ts";
import { instantFormatter } from "./instants.ts";
import { html, LanguageSwitch, type ComponentChildren, type VNode } from "../webapp/html.ts";
import {
  isLocale,
  localeFromAcceptLanguage,
  translator,
  type Locale,
  type MessageKey,
  type Translate,
} from "../webapp/i18n/index.ts";
import { APP_CSP } from "../webapp/plugin.ts";

/** The public pages' own additions to the app's stylesheet (served at /site.css). */
export const SITE_STYLE = readFileSync(new URL("./site.css", import.meta.url), "utf8");

const LOCALE_COOKIE = "pod_lang";

/** What every public page knows about the request it answers. */
export interface PublicContext {
  t: Translate;
  locale: Locale;
  config: Config;
  /** This page's path without `lang` (the language switch comes back to it). */
  path: string;
  /** An instant as a date and time in the pod's time zone. */
  time(iso: string): string;
  /** An instant as a date in the pod's time zone. */
  date(iso: string): string;
}

export interface PublicPage {
  title: string;
  body: VNode | VNode[] | ComponentChildren;
  status?: number;
}

const cookieLocale = (header: string | undefined) => /(?:^|;\s*)pod_lang=(en|es)(?:;|$)/.exec(header ?? "")?.[1];

const contexts = new WeakMap<FastifyRequest, PublicContext>();

/**
 * The reader's language: ?lang (remembered in a cookie), the cookie, then Accept-Language, as the app does.
 * One context per request.
 */
export function publicContext(request: FastifyRequest, reply: FastifyReply, config: Config): PublicContext {
  const made = contexts.get(request);
  if (made) return made;
  const ctx = makeContext(request, reply, config);
  contexts.set(request, ctx);
  return ctx;
}

function makeContext(request: FastifyRequest, reply: FastifyReply, config: Config): PublicContext {
  const asked = (request.query as Record<string, unknown> | undefined)?.lang;
  if (isLocale(asked)) {
    const secure = config.url.protocol === "https:" ? "; Secure" : "";
    reply.header("set-cookie", `${LOCALE_COOKIE}=${asked}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax${secure}`);
  }
  const chosen = isLocale(asked) ? asked : cookieLocale(request.headers.cookie);
  const locale = isLocale(chosen) ? chosen : localeFromAcceptLanguage(request.headers["accept-language"]);
  const timeFormat = instantFormatter(locale, config.timeZone, "time");
  const dateFormat = instantFormatter(locale, config.timeZone, "date");
  return {
    t: translator(locale),
    locale,
    config,
    // One leading slash: "//host/…" would make the language link point off the pod.
    path: `/${request.url.replace(/^\/+/, "")}`.replace(/([?&])lang=[^&]*&?/, "$1").replace(/[?&]$/, ""),
    time: timeFormat,
    date: dateFormat,
  };
}

const NAV: { href: string; key: MessageKey }[] = [
  { href: "/", key: "site.nav.home" },
  { href: "/offers", key: "site.nav.offers" },
  { href: "/needs", key: "site.nav.needs" },
  { href: "/practices", key: "site.nav.practices" },
  { href: "/memory", key: "memory.site.nav" },
  { href: "/charter", key: "site.nav.charter" },
  { href: "/neighbors", key: "site.nav.neighbors" },
  { href: "/confederation", key: "site.nav.confederation" },
  { href: "/about", key: "site.nav.about" },
];

/** The public layout: the pod's name, the navigation and the language switch on every page. */
function layout(ctx: PublicContext, page: PublicPage) {
  const { t, config } = ctx;
  const here = ctx.path.split("?")[0];
  const handle = `@${config.handle}@${config.url.host}`;
  return html`<html lang=${ctx.locale}>
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>${page.title} · ${config.name}</title>
      <link rel="stylesheet" href="/app/style.css" />
      <link rel="stylesheet" href="/site.css" />
    </head>
    <body>
      <a class="skip" href="#main">${t("app.skip")}</a>
      <header class="top">
        <p class="pod"><a href="/">${config.name}</a></p>
        <nav aria-label=${t("nav.label")}>
          <ul>
            ${NAV.map(
              (item) =>
                html`<li>
                  <a href=${item.href} aria-current=${item.href === here ? "page" : undefined}>${t(item.key)}</a>
                </li>`,
            )}
            <${LanguageSwitch} path=${ctx.path} locale=${ctx.locale} />
          </ul>
        </nav>
      </header>
      <main id="main">
        <h1>${page.title}</h1>
        ${page.body}
      </main>
      <footer class="site-footer">
        <p>${t("site.footer.follow", { handle })}</p>
        <p><a href="/app">${t("site.footer.members")}</a></p>
      </footer>
    </body>
  </html>`;
}

/**
 * A public page as HTML, with the app's policy (its stylesheets, forms posting only to the pod, no scripts) and a
 * Vary for the language; the caller sends it (sendNegotiated, or sendPublic).
 */
export function renderPublic(ctx: PublicContext, reply: FastifyReply, page: PublicPage): string {
  reply
    .header("content-security-policy", APP_CSP)
    .header("vary", "Accept, Accept-Language, Cookie")
    .header("content-language", ctx.locale);
  return `<!doctype html>${renderToStaticMarkup(layout(ctx, page))}`;
}

/** Renders and sends a public page (its status from the page, 200 by default). */
export function sendPublic(ctx: PublicContext, reply: FastifyReply, page: PublicPage): FastifyReply {
  const body = renderPublic(ctx, reply, page);
  return reply
    .code(page.status ?? 200)
    .type("text/html; charset=utf-8")
    .send(body);
}
