import { html, type Page, type PageContext, type VNode } from "../html.ts";

export interface DashboardFacts {
  openOffers: number;
  openNeeds: number;
  members: number;
  invitations: number;
  followRequests: number;
  /** Names of open offers and needs that end within three days. */
  endingSoon: string[];
  charterReviewDue: string | null;
  now: string;
  /** Neighbors' requests waiting (requests room): shown to coordinators. */
  requests?: VNode;
}

/** What needs attention, and what to do next. */
export function dashboardPage(ctx: PageContext, facts: DashboardFacts): Page {
  const { t } = ctx;
  const member = ctx.member!;
  const body =
    member.role === "coordinator"
      ? html`<p>${t("dashboard.hello", { name: member.displayName })}</p>
          <ul class="facts">
            <li>${t("dashboard.offers", { count: facts.openOffers })}</li>
            <li>${t("dashboard.needs", { count: facts.openNeeds })}</li>
            <li>${t("dashboard.members", { count: facts.members })}</li>
            <li>${t("dashboard.invitations", { count: facts.invitations })}</li>
            <li>${t("dashboard.followRequests", { count: facts.followRequests })}</li>
          </ul>
          ${
            facts.endingSoon.length > 0 &&
            html`<p>${t("dashboard.endingSoon", { names: facts.endingSoon.join(", ") })}</p>`
          }
          <p>
            ${
              facts.charterReviewDue === null
                ? t("dashboard.noCharter")
                : t(facts.charterReviewDue < facts.now ? "dashboard.charterOverdue" : "dashboard.charterDue", {
                    at: ctx.time(facts.charterReviewDue),
                  })
            }
          </p>
          ${facts.requests}
          <p>${t("dashboard.next")}</p>
          <p class="actions">
            <a class="button" href="/app/offers/new?kind=offer">${t("dashboard.newOffer")}</a>
            <a class="button" href="/app/offers/new?kind=need">${t("dashboard.newNeed")}</a>
            <a class="button secondary" href="/app/members">${t("dashboard.invite")}</a>
          </p>`
      : html`<p>${t("dashboard.hello", { name: member.displayName })}</p>
          <p>${t("dashboard.memberNext")}</p>
          <p class="actions"><a class="button" href="/app/profile">${t("nav.profile")}</a></p>`;
  return { title: t("dashboard.title"), body };
}
