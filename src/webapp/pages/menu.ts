import { html, type Page, type PageContext } from "../html.ts";
import { menuFor } from "../menu.ts";

/** Every page this member may use, by group: the phone's way around the app. */
export function menuPage(ctx: PageContext): Page {
  const { t } = ctx;
  return {
    title: t("menu.title"),
    body: html`<p>${t("menu.intro")}</p>
      ${menuFor(ctx.member!).map(
        (group, index) => html`<section aria-labelledby=${`menu-${index}`}>
          <h2 id=${`menu-${index}`}>${t(group.heading)}</h2>
          <ul class="menu">
            ${group.entries.map((entry) => html`<li><a href=${entry.href}>${t(entry.label)}</a></li>`)}
          </ul>
        </section>`,
      )}`,
  };
}
