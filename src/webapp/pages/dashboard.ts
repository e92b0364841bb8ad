import { html, type Page, type PageContext, type VNode } from "../html.ts";

/** A reply from the fediverse to one of the pod's offers or needs. */
export interface DashboardResponse {
  offerName: string;
  /** The offer's page in the app. */
  appPath: string;
  author: string;
  published: string;
}

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
  /** Replies to offers and needs in the last two weeks, newest first. */
  responses: DashboardResponse[];
  /** Mastodon apps with access to the pod, by name. */
  apps: string[];
  /** Neighbors' requests waiting (requests room): shown to coordinators. */
  requests?: VNode;
  /** Rota seats without a holder (rotation room). */
  rota?: VNode;
  /** Decisions whose review day has come (memory room). */
  memory?: VNode;
}

/** What needs attention, and what to do next. */
export function dashboardPage(ctx: PageContext, facts: DashboardFacts): Page {
  const { t } = ctx;
  const member = ctx.member!;
  const body =
    member.role === "coordinator"
      ? html`<p>${t("dashboard.hello", { name: member.displayName })} ${t("dashboard.next")}</p>
          <p class="actions">
            <a class="button" href="/app/offers/new?kind=offer">${t("dashboard.newOffer")}</a>
            <a class="button" href="/app/offers/new?kind=need">${t("dashboard.newNeed")}</a>
            <a class="button secondary" href="/app/members">${t("dashboard.invite")}</a>
          </p>
          <ul class="facts">
            <li>${t("dashboard.offers", { count: facts.openOffers })}</li>
            <li>${t("dashboard.needs", { count: facts.openNeeds })}</li>
            <li>${t("dashboard.members", { count: facts.members })}</li>
            <li>${t("dashboard.invitations", { count: facts.invitations })}</li>
            <li>
              <a href="/app/neighbors#requests">${t("dashboard.followRequests", { count: facts.followRequests })}</a>
            </li>
          </ul>
          <${Responses} ctx=${ctx} responses=${facts.responses} />
          <p>
            ${
              facts.apps.length === 0
                ? t("content.dashboard.noApps")
                : t("content.dashboard.apps", { apps: facts.apps.join(", ") })
            }
            ${" "}<a href="/app/tokens#apps">${t("content.dashboard.manageApps")}</a>
          </p>
          ${
            facts.endingSoon.length > 0 &&
            html`<p>${t("dashboard.endingSoon", { names: facts.endingSoon.join(", ") })}</p>`
          }
          <p>
            ${
              facts.charterReviewDue === null
                ? html`${t("dashboard.noCharter")} <a href="/app/charter">${t("charter.nav")}</a>`
                : t(facts.charterReviewDue < facts.now ? "dashboard.charterOverdue" : "dashboard.charterDue", {
                    at: ctx.time(facts.charterReviewDue),
                  })
            }
          </p>
          ${facts.requests} ${facts.rota} ${facts.memory}`
      : html`<p>${t("dashboard.hello", { name: member.displayName })}</p>
          <p>${t("dashboard.memberNext")}</p>
          <p class="actions"><a class="button" href="/app/profile">${t("nav.profile")}</a></p>`;
  return { title: t("dashboard.title"), body };
}

function Responses({ ctx, responses }: { ctx: PageContext; responses: DashboardResponse[] }) {
  const { t } = ctx;
  return html`<section aria-labelledby="responses">
    <h2 id="responses">${t("content.dashboard.responses", { count: responses.length })}</h2>
    ${responses.length === 0 && html`<p>${t("content.dashboard.noResponses")}</p>`}
    <ul class="cards">
      ${responses.map(
        (response) => html`<li>
          <p><a href=${`${response.appPath}#responses`}><strong>${response.offerName}</strong></a></p>
          <p class="hint">
            ${t("content.dashboard.responseBy", { who: response.author, at: ctx.time(response.published) })}
          </p>
        </li>`,
      )}
    </ul>
  </section>`;
}
