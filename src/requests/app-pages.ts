import { formatMilli } from "../offers/quantity.ts";
import { Csrf, html, Notice, type Page, type PageContext } from "../webapp/html.ts";
import type { MessageKey } from "../webapp/i18n/index.ts";
import type { NeighborRequest, RequestStatus } from "./service.ts";

const SUBJECT: Record<NeighborRequest["subject"], MessageKey> = {
  offer: "requests.subject.offer",
  need: "requests.subject.need",
  service: "requests.subject.service",
};
const STATUS: Record<RequestStatus, MessageKey> = {
  new: "requests.status.new",
  answered: "requests.status.answered",
  closed: "requests.status.closed",
};
export const DONE = ["claimed", "answered", "closed"] as const;
export type Done = (typeof DONE)[number];

const publicPath = (row: NeighborRequest) =>
  row.subject === "service"
    ? `/charter#service-${row.subjectId}`
    : `/${row.subject === "offer" ? "offers" : "needs"}/${row.subjectId}`;

const canClaim = (row: NeighborRequest) => row.subject !== "service" && !row.claimedAt && row.status !== "closed";

function RequestCard({ ctx, row }: { ctx: PageContext; row: NeighborRequest }) {
  const { t } = ctx;
  const action = (path: string) => `/app/requests/${row.id}/${path}`;
  return html`<li id=${`request-${row.id}`}>
    <p>
      <strong>${row.name}</strong> · ${t(STATUS[row.status])}
      ${row.claimedAt && html` · ${t("requests.claimedAt", { at: ctx.time(row.claimedAt) })}`}
    </p>
    <p class="hint">
      ${t(SUBJECT[row.subject])}: <a href=${publicPath(row)}>${row.subjectName}</a> · ${ctx.time(row.createdAt)}
    </p>
    <p>${t("requests.contact")}: ${row.contact}</p>
    ${row.quantityMilli !== null && html`<p>${t("requests.quantity")}: ${formatMilli(row.quantityMilli)}</p>`}
    ${row.message && html`<p>${row.message}</p>`}
    <div class="actions">
      ${
        canClaim(row) &&
        html`<form method="post" action=${action("claim")}>
          <${Csrf} ctx=${ctx} />
          <button type="submit">${t("requests.claim")}<span class="visually-hidden">: ${row.name}</span></button>
        </form>`
      }
      ${(["answered", "closed"] as const)
        .filter((status) => status !== row.status)
        .map(
          (status) =>
            html`<form method="post" action=${action("status")}>
              <${Csrf} ctx=${ctx} />
              <input type="hidden" name="status" value=${status} />
              <button type="submit" class="secondary">
                ${t(status === "answered" ? "requests.markAnswered" : "requests.close")}
                <span class="visually-hidden">: ${row.name}</span>
              </button>
            </form>`,
        )}
    </div>
  </li>`;
}

/** The requests neighbors sent through the public forms, newest first, with what a coordinator can do about each. */
export function requestsPage(
  ctx: PageContext,
  rows: NeighborRequest[],
  shown: RequestStatus | "all",
  done?: Done,
): Page {
  const { t } = ctx;
  const filters = ["new", "answered", "closed", "all"] as const;
  return {
    title: t("requests.title"),
    body: html`${done && html`<${Notice} kind="ok">${t(`requests.done.${done}`)}<//>`}
      <p>${t("requests.intro")}</p>
      <nav aria-label=${t("requests.filter")}>
        <p class="actions">
          ${filters.map(
            (f) =>
              html`<a href=${`/app/requests?status=${f}`} aria-current=${f === shown ? "page" : undefined}
                >${t(f === "all" ? "requests.all" : STATUS[f])}</a
              >`,
          )}
        </p>
      </nav>
      ${
        rows.length
          ? html`<ul class="cards">
              ${rows.map((row) => html`<${RequestCard} ctx=${ctx} row=${row} />`)}
            </ul>`
          : html`<p>${t("requests.none")}</p>`
      }`,
  };
}

/** The dashboard's block: how many requests wait, the latest few, and the way to the list. */
export function requestsBlock(ctx: PageContext, waiting: number, latest: NeighborRequest[]) {
  const { t } = ctx;
  return html`<section aria-labelledby="requests-block">
    <h2 id="requests-block">${t("requests.title")}</h2>
    <p><a href="/app/requests">${t("requests.waiting", { count: waiting })}</a></p>
    ${
      latest.length > 0 &&
      html`<ul>
        ${latest.map((row) => html`<li>${row.name} — ${row.subjectName}</li>`)}
      </ul>`
    }
  </section>`;
}
