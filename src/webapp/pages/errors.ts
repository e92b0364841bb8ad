import { html, type Page, type PageContext } from "../html.ts";
import type { MessageKey } from "../i18n/index.ts";

const TITLES: Record<number, MessageKey> = {
  400: "errorPage.400",
  403: "errorPage.403",
  404: "errorPage.404",
  429: "errorPage.429",
};

const DETAILS: Record<number, MessageKey> = {
  403: "error.forbidden",
  404: "error.notFound",
  429: "signIn.tooMany",
  500: "errorPage.500detail",
};

/** An error as a page a person can act on: what happened, and a way back. */
export function errorPage(ctx: PageContext, status: number, detail?: MessageKey): Page {
  const shown = Math.min(status, 500);
  const title = ctx.t(TITLES[shown] ?? (shown >= 500 ? "errorPage.500" : "errorPage.400"));
  const text = detail ?? DETAILS[shown];
  return {
    status,
    title,
    body: html`${text && html`<p>${ctx.t(text)}</p>`}
      <p><a href="/app">${ctx.t("errorPage.back")}</a></p>`,
  };
}
