import { html } from "../webapp/html.ts";
import type { MessageKey } from "../webapp/i18n/index.ts";
import type { PublicContext, PublicPage } from "./layout.ts";

const TITLES: Record<number, MessageKey> = {
  400: "errorPage.400",
  403: "errorPage.403",
  404: "errorPage.404",
  410: "site.error.410",
  429: "errorPage.429",
};
const DETAILS: Record<number, MessageKey> = {
  400: "site.error.400detail",
  404: "site.error.404detail",
  410: "site.error.410detail",
  429: "site.request.tooMany",
  500: "errorPage.500detail",
};

/** An error a browser gets as a page: what happened, and the way home. */
export function publicErrorPage(ctx: PublicContext, status: number, detail?: MessageKey): PublicPage {
  const shown = Math.min(status, 500);
  const key = detail ?? DETAILS[shown] ?? DETAILS[400]!;
  return {
    status,
    title: ctx.t(TITLES[shown] ?? (shown >= 500 ? "errorPage.500" : "errorPage.400")),
    body: html`<p>${ctx.t(key)}</p>
      <p><a href="/">${ctx.t("site.error.home")}</a></p>`,
  };
}
