import type { PublicContext, PublicPage } from "../web/layout.ts";
import { html } from "../webapp/html.ts";
import type { Assembly, Participant } from "./model.ts";
import { AgendaAndParticipants, type NameOf } from "./app-pages.ts";

/** A public assembly's page (no sign-in): the Event, its agenda, the pods and their answers, the minutes after. */
export function publicAssemblyPage(
  ctx: PublicContext,
  view: { row: Assembly; participants: Participant[]; nameOf: NameOf; next: string },
): PublicPage {
  const { t } = ctx;
  const { row } = view;
  return {
    title: row.title,
    body: html`<p>${t("outcomes.public.intro")}</p>
      <dl class="facts">
        <dt>${t("assemblies.when")}</dt>
        <dd>${ctx.time(row.startTime)}${row.endTime ? ` – ${ctx.time(row.endTime)}` : ""} (${ctx.config.timeZone})</dd>
        ${row.placeName && html`<dt>${t("assemblies.where")}</dt><dd>${row.placeName}</dd>`}
        ${
          row.onlineUrl &&
          html`<dt>${t("assemblies.online")}</dt><dd><a class="url" href=${row.onlineUrl}>${row.onlineUrl}</a></dd>`
        }
        <dt>${t("assemblies.convenedBy")}</dt>
        <dd><a href=${row.convenerIri}>${view.nameOf(row.convenerIri)}</a></dd>
        <dt>${t("outcomes.next")}</dt>
        <dd>${view.nameOf(view.next)}</dd>
      </dl>
      <${AgendaAndParticipants} t=${t} row=${row} participants=${view.participants} nameOf=${view.nameOf} />
      <section aria-labelledby="minutes">
        <h2 id="minutes">${t("outcomes.minutes")}</h2>
        ${
          row.minutesPublicHtml
            ? html`<div class="rendered" dangerouslySetInnerHTML=${{ __html: row.minutesPublicHtml }}></div>`
            : html`<p>${t("outcomes.minutesNone")}</p>`
        }
      </section>`,
  };
}
