import type { PublicContext, PublicPage } from "../web/layout.ts";
import { html } from "../webapp/html.ts";

/**
 * A public page with one more line: how many circles the pod held each month of the last year. Counts only — no
 * names, themes or dates of circles.
 */
export function withCirclesHeld(ctx: PublicContext, page: PublicPage, held: { month: string; count: number }[]) {
  const recent = held.slice(-12);
  if (!recent.length) return page;
  const label = new Intl.DateTimeFormat(ctx.locale, { month: "short", year: "numeric", timeZone: "UTC" });
  const months = recent
    .map(({ month, count }) =>
      ctx.t("care.public.month", { month: label.format(new Date(`${month}-15T12:00:00Z`)), count }),
    )
    .join(", ");
  const line = html`<p id="circles-held">${ctx.t("care.public.circles", { months })}</p>`;
  return { ...page, body: html`${page.body}${line}` } satisfies PublicPage;
}
