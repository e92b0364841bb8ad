import type { Category } from "../categories/service.ts";
import { categoryName } from "../categories/names.ts";
import type { PublicContext, PublicPage } from "../web/layout.ts";
import type { GuideLink } from "../publishing/guides.ts";
import { html } from "../webapp/html.ts";
import type { Charter, CharterService, PlannedService, RotatedRole } from "./model.ts";
import { rotationLine } from "./to-as.ts";

/** A planned service still looking for people or skills: neighbors may offer to help. */
export const needsHelp = (service: PlannedService) => service.needs.people > 0 || service.needs.skills.length > 0;

export const helpPath = (key: string) => `/charter/services/${key}/help`;

/** The guides that go with a service ("seed autonomy"): a short list of links, or nothing. */
const Guides = ({ ctx, guides }: { ctx: PublicContext; guides: GuideLink[] | undefined }) =>
  guides?.length
    ? html`<p class="charter-guides">
        ${ctx.t("memory.guides.withService")}${" "}
        ${guides.map((g, i) => html`${i > 0 && ", "}<a href=${g.url}>${g.name}</a>`)}
      </p>`
    : null;

const ServiceItem = ({ ctx, service, label, guides }: ItemProps<CharterService>) =>
  html`<li id=${`service-${service.key}`}>
    <p><strong>${service.name}</strong>${service.status === "paused" && ` (${ctx.t("site.charter.paused")})`}</p>
    <p class="meta">${label} · ${service.area}${service.schedule && ` · ${service.schedule}`}</p>
    ${service.description && html`<p>${service.description}</p>`}
    <${Guides} ctx=${ctx} guides=${guides} />
  </li>`;

interface ItemProps<S> {
  ctx: PublicContext;
  service: S;
  label: string;
  guides?: GuideLink[];
}

const PlannedItem = ({ ctx, service, label, guides }: ItemProps<PlannedService>) => {
  const { t } = ctx;
  const { people, skills, materials } = service.needs;
  return html`<li id=${`service-${service.key}`}>
    <p><strong>${service.name}</strong></p>
    <p class="meta">${label} · ${t("site.charter.target", { target: service.target })}</p>
    ${service.description && html`<p>${service.description}</p>`}
    ${people > 0 && html`<p>${t("site.charter.people", { count: people })}</p>`}
    ${skills.length > 0 && html`<p>${t("site.charter.skills", { skills: skills.join(", ") })}</p>`}
    ${materials.length > 0 && html`<p>${t("site.charter.materials", { materials: materials.join(", ") })}</p>`}
    <${Guides} ctx=${ctx} guides=${guides} />
    ${
      needsHelp(service) &&
      html`<p>
        <a class="button" href=${helpPath(service.key)}
          >${t("site.offer.help")}<span class="visually-hidden">: ${service.name}</span></a
        >
      </p>`
    }
  </li>`;
};

/** The charter's services now and next, each with its category's label. */
export function charterSections(ctx: PublicContext, charter: Charter, categoryOf: (slug: string) => Category) {
  const { t } = ctx;
  const labelOf = (slug: string) => categoryName(t, categoryOf(slug));
  return html`<h2>${t("site.charter.now")}</h2>
    ${
      charter.services.length
        ? html`<ul class="cards">
            ${charter.services.map(
              (s) =>
                html`<${ServiceItem}
                  ctx=${ctx}
                  service=${s}
                  label=${labelOf(s.category)}
                  guides=${charter.guides?.[s.key]}
                />`,
            )}
          </ul>`
        : html`<p>${t("site.nothing")}</p>`
    }
    <h2>${t("site.charter.next")}</h2>
    ${
      charter.planned.length
        ? html`<ul class="cards">
            ${charter.planned.map(
              (s) =>
                html`<${PlannedItem}
                  ctx=${ctx}
                  service=${s}
                  label=${labelOf(s.category)}
                  guides=${charter.guides?.[s.key]}
                />`,
            )}
          </ul>`
        : html`<p>${t("site.nothing")}</p>`
    }`;
}

/** What the latest monthly report says of the way to the next service (from the sovereignty room). */
export interface MonthlyProgress {
  month: string;
  service: string;
  progress: string;
  /** The month's ledger totals, as published (small counts as "fewer than"). */
  lines: string[];
  reportPath: string;
}

const ProgressSection = ({ ctx, progress }: { ctx: PublicContext; progress: MonthlyProgress }) =>
  html`<section aria-labelledby="monthly-progress">
    <h2 id="monthly-progress">
      ${ctx.t("sov.charter.progress", { month: progress.month, service: progress.service })}
    </h2>
    ${progress.progress && html`<p>${progress.progress}</p>`}
    <ul>
      ${progress.lines.map((line) => html`<li>${line}</li>`)}
    </ul>
    <p><a href=${progress.reportPath}>${ctx.t("sov.charter.report")}</a></p>
  </section>`;

/** The charter page (the current one, or a past revision). */
export function charterPage(
  ctx: PublicContext,
  charter: Charter,
  categoryOf: (slug: string) => Category,
  revision?: number,
  rotated: readonly RotatedRole[] = [],
  progress?: MonthlyProgress | null,
): PublicPage {
  const { t } = ctx;
  return {
    title: revision ? t("site.charter.revisionTitle", { number: revision }) : t("site.charter.title"),
    body: html`<p class="meta">
        ${t("site.charter.revision", { number: charter.number, at: ctx.date(charter.publishedAt) })}
      </p>
      <p>${charter.changeNote}</p>
      ${charterSections(ctx, charter, categoryOf)}
      ${
        rotated.length > 0 &&
        html`<h2>${ctx.t("rota.public.title")}</h2>
          <p id="rotation">${rotationLine(ctx.t, rotated)}</p>`
      }
      ${progress && html`<${ProgressSection} ctx=${ctx} progress=${progress} />`}
      <p><a href="/charter/history">${t("site.charter.history")}</a></p>`,
  };
}

/** Before the first charter: what it will be, and where coordinators write it. */
export function noCharterPage(ctx: PublicContext): PublicPage {
  const { t } = ctx;
  return {
    title: t("site.charter.title"),
    body: html`<p>${t("site.charter.none")}</p>
      <p class="meta">${t("site.charter.noneHow")}</p>`,
  };
}

export function historyPage(
  ctx: PublicContext,
  revisions: { number: number; changeNote: string; publishedAt: string }[],
): PublicPage {
  const { t } = ctx;
  return {
    title: t("site.charter.historyTitle"),
    body: html`<p><a href="/charter">${t("site.charter.current")}</a></p>
      <ol reversed>
        ${revisions.map(
          (r) =>
            html`<li>
              <a href=${`/charter/revisions/${r.number}`}>${t("site.charter.revisionTitle", { number: r.number })}</a
              >${`, ${ctx.date(r.publishedAt)}: ${r.changeNote}`}
            </li>`,
        )}
      </ol>`,
  };
}
