import { categoryName } from "../categories/names.ts";
import { html, type VNode } from "../webapp/html.ts";
import type { PublicContext, PublicPage } from "../web/layout.ts";
import type { NeedMatches, OfferMatches } from "./matching.ts";
import type { ServiceMap } from "./service-map.ts";
import type { PracticeSpread } from "./spread.ts";
import type { ViewItem } from "./view-present.ts";

/** The view's pages: what each links to and the filter form's choices. */
export interface ViewNav {
  /** The current query string without cursor (kept by the tabs, the CSV and the next page links). */
  query: URLSearchParams;
  categories: { iri: string; slug: string; label: string }[];
  pods: { iri: string; name: string }[];
  places: { name: string; lat: number; lon: number }[];
}

const TABS = [
  ["/confederation", "view.tab.offers"],
  ["/confederation/needs", "view.tab.needs"],
  ["/confederation/matches", "view.tab.matches"],
  ["/confederation/services", "view.tab.services"],
  ["/confederation/charters", "view.tab.charters"],
  ["/confederation/practices", "view.tab.practices"],
  ["/confederation/memory", "memory.view.tab"],
] as const;

export function Tabs({ ctx, here }: { ctx: PublicContext; here: string }) {
  return html`<nav aria-label=${ctx.t("view.tabs")} class="tabs">
    <ul>
      ${TABS.map(
        ([href, key]) =>
          html`<li><a href=${href} aria-current=${href === here ? "page" : undefined}>${ctx.t(key)}</a></li>`,
      )}
    </ul>
  </nav>`;
}

const podName = (item: ViewItem) => item.pod.name ?? new URL(item.pod.iri).host;

/** One offer or need as a card: what, who, how much, where, until when. */
function ItemCard({ ctx, item }: { ctx: PublicContext; item: ViewItem }) {
  const { t } = ctx;
  const amount = item.available ?? item.quantity;
  return html`<li>
    <p><strong>${item.url ? html`<a href=${item.url} rel="nofollow noopener">${item.name}</a>` : item.name}</strong></p>
    <p class="meta">${podName(item)}${item.category && html` · ${categoryName(t, item.category)}`}</p>
    ${amount && html`<p>${t("view.amount", { amount, unit: item.unit ?? "" })}</p>`}
    ${item.area && html`<p>${t("view.area", { area: item.area })}${item.distanceKm !== undefined && html` · ${t("view.km", { km: item.distanceKm })}`}</p>`}
    ${item.endsAt && html`<p>${t("view.until", { at: ctx.time(item.endsAt) })}</p>`}
    ${item.summary && html`<p>${item.summary.slice(0, 280)}</p>`}
  </li>`;
}

function FilterForm({ ctx, nav, action, kind }: { ctx: PublicContext; nav: ViewNav; action: string; kind: string }) {
  const { t } = ctx;
  const value = (name: string) => nav.query.get(name) ?? "";
  return html`<form method="get" action=${action} class="filters stack" role="search">
    <div class="field">
      <label for="v-q">${t("view.filter.text")}</label>
      <input id="v-q" name="q" type="search" value=${value("q")} />
    </div>
    <div class="field">
      <label for="v-category">${t("view.filter.category")}</label>
      <select id="v-category" name="category">
        <option value="">${t("view.filter.any")}</option>
        ${nav.categories.map(
          (c) => html`<option value=${c.slug} selected=${value("category") === c.slug}>${categoryName(t, c)}</option>`,
        )}
      </select>
    </div>
    <div class="field">
      <label for="v-pod">${t("view.filter.pod")}</label>
      <select id="v-pod" name="pod">
        <option value="">${t("view.filter.any")}</option>
        ${nav.pods.map((p) => html`<option value=${p.iri} selected=${value("pod") === p.iri}>${p.name}</option>`)}
      </select>
    </div>
    <div class="field">
      <label for="v-near">${t("view.filter.near")}</label>
      <select id="v-near" name="near">
        <option value="">${t("view.filter.anywhere")}</option>
        ${nav.places.map((p) => {
          const at = `${p.lat},${p.lon}`;
          return html`<option value=${at} selected=${value("near") === at}>${p.name}</option>`;
        })}
        ${
          // A place the list does not have (read a minute ago, or by another process): the form keeps the filter.
          value("near") &&
          !nav.places.some((p) => `${p.lat},${p.lon}` === value("near")) &&
          html`<option value=${value("near")} selected>${value("near")}</option>`
        }
      </select>
    </div>
    <div class="field">
      <label for="v-radius">${t("view.filter.radius")}</label>
      <input id="v-radius" name="radiusKm" type="number" min="1" max="500" inputmode="numeric" value=${value("radiusKm")} />
    </div>
    ${
      kind !== "charter" &&
      kind !== "practice" &&
      html`<div class="field">
        <label for="v-sort">${t("view.filter.sort")}</label>
        <select id="v-sort" name="sort">
          <option value="newest" selected=${value("sort") === "newest"}>${t("view.sort.newest")}</option>
          <option value="ending_soon" selected=${value("sort") === "ending_soon"}>${t("view.sort.ending")}</option>
          <option value="nearest" selected=${value("sort") === "nearest"}>${t("view.sort.nearest")}</option>
        </select>
      </div>`
    }
    <div class="check">
      <input id="v-own" name="own" type="checkbox" value="1" checked=${value("own") === "1"} />
      <label for="v-own">${t("view.filter.own")}</label>
    </div>
    <button type="submit">${t("view.filter.apply")}</button>
  </form>`;
}

/** The query string for a link, with some keys changed or removed (null). */
function withQuery(path: string, query: URLSearchParams, changes: Record<string, string | null> = {}): string {
  const next = new URLSearchParams(query);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) next.delete(key);
    else next.set(key, value);
  }
  const text = next.toString();
  return text ? `${path}?${text}` : path;
}

function Errors({ ctx, errors }: { ctx: PublicContext; errors: string[] }) {
  return html`<div class="notice error" role="alert">
    <p>${ctx.t("view.error")}</p>
    <ul>
      ${errors.map((error) => html`<li>${error}</li>`)}
    </ul>
  </div>`;
}

export interface ListState {
  kind: "offer" | "need";
  items: ViewItem[];
  nextCursor: string | null;
  /** Sums of what is available per category and unit over the objects the filters select (up to a bound). */
  totals: { category: string; unit: string; amount: number; count: number }[];
  /** The totals' bound, when they reached it: they add up only the first this many in the page's order. */
  totalsOfFirst?: number;
  errors?: string[];
}

/** Surplus or needs across pods, filtered, with per-category totals, a CSV and the next page. */
export function viewListPage(ctx: PublicContext, nav: ViewNav, state: ListState): PublicPage {
  const { t } = ctx;
  const path = state.kind === "offer" ? "/confederation" : "/confederation/needs";
  const csv = withQuery(`/view/${state.kind === "offer" ? "surplus" : "needs"}.csv`, nav.query, { own: null });
  return {
    title: t(state.kind === "offer" ? "view.title.offers" : "view.title.needs"),
    status: state.errors ? 400 : 200,
    body: html`<${Tabs} ctx=${ctx} here=${path} />
      <p>${t("view.intro")}</p>
      ${state.errors && html`<${Errors} ctx=${ctx} errors=${state.errors} />`}
      <details class="no-print" open=${nav.query.toString() !== ""}>
        <summary>${t("view.filter.title")}</summary>
        <${FilterForm} ctx=${ctx} nav=${nav} action=${path} kind=${state.kind} />
      </details>
      ${
        state.totals.length > 0 &&
        html`<section aria-labelledby="totals">
          <h2 id="totals">${t("view.totals")}</h2>
          <ul class="totals">
            ${state.totals.map(
              (row) =>
                html`<li>${row.category}: ${row.unit ? `${row.amount} ${row.unit}` : ""} (${t("view.count", { n: row.count })})</li>`,
            )}
          </ul>
          ${state.totalsOfFirst && html`<p>${t("view.totals.first", { n: state.totalsOfFirst })}</p>`}
        </section>`
      }
      <h2 id="list">${t("view.results", { n: state.items.length })}</h2>
      ${
        state.items.length === 0 &&
        html`<p>${t("view.none")}</p>
          ${
            nav.query.get("own") !== "1" &&
            html`<p>
              ${t("view.empty.follow")} <a href="/app/neighbors">${t("view.empty.neighbors")}</a>
              · <a href=${withQuery(path, nav.query, { own: "1", cursor: null })}>${t("view.empty.own")}</a>
            </p>`
          }`
      }
      <ul class="cards" aria-labelledby="list">
        ${state.items.map((item) => html`<${ItemCard} ctx=${ctx} item=${item} />`)}
      </ul>
      <p class="no-print">
        ${state.nextCursor && html`<a href=${withQuery(path, nav.query, { cursor: state.nextCursor })}>${t("view.next")}</a> · `}
        <a href=${csv}>${t("view.csv")}</a>
      </p>`,
  };
}

/** The barter table: each need with the offers that could meet it (or each offer with the needs). */
export function matchesPage(
  ctx: PublicContext,
  nav: ViewNav,
  state: { side: "need" | "offer"; items: (NeedMatches | OfferMatches)[]; errors?: string[] },
): PublicPage {
  const { t } = ctx;
  const rows = state.items.map((entry) => {
    const [item, others] =
      "need" in entry
        ? [entry.need, entry.offers.map((m) => ({ item: m.offer, score: m.score }))]
        : [entry.offer, entry.needs.map((m) => ({ item: m.need, score: m.score }))];
    return { item, others };
  });
  return {
    title: t("view.title.matches"),
    status: state.errors ? 400 : 200,
    body: html`<${Tabs} ctx=${ctx} here="/confederation/matches" />
      <p>${t(state.side === "need" ? "view.matches.intro.need" : "view.matches.intro.offer")}</p>
      <p class="no-print">
        <a href=${withQuery("/confederation/matches", nav.query, { side: state.side === "need" ? "offer" : "need", cursor: null })}
          >${t(state.side === "need" ? "view.matches.byOffer" : "view.matches.byNeed")}</a
        >
      </p>
      ${state.errors && html`<${Errors} ctx=${ctx} errors=${state.errors} />`}
      ${rows.length === 0 && html`<p>${t("view.matches.none")}</p>`}
      <ul class="cards">
        ${rows.map(
          ({ item, others }) => html`<li>
            <p><strong>${item.name}</strong> · ${podName(item)}</p>
            <p class="meta">${t(state.side === "need" ? "view.matches.couldMeet" : "view.matches.couldUse")}</p>
            <ul>
              ${others.map(
                ({ item: other, score }) =>
                  html`<li>
                    ${other.url ? html`<a href=${other.url} rel="nofollow noopener">${other.name}</a>` : other.name}
                    · ${podName(other)} · ${t("view.matches.score", { percent: Math.round(score * 100) })}
                  </li>`,
              )}
            </ul>
          </li>`,
        )}
      </ul>`,
  };
}

/** Who covers what across the pods, and what nobody covers. */
export function servicesPage(ctx: PublicContext, map: ServiceMap): PublicPage {
  const { t } = ctx;
  const names = (pods: { name: string | null; iri: string }[]) =>
    pods.map((pod) => pod.name ?? new URL(pod.iri).host).join(", ") || "—";
  return {
    title: t("view.title.services"),
    body: html`<${Tabs} ctx=${ctx} here="/confederation/services" />
      <p>${t("view.services.intro")}</p>
      <section aria-labelledby="uncovered">
        <h2 id="uncovered">${t("view.services.uncovered")}</h2>
        ${map.uncovered.length === 0 ? html`<p>${t("view.services.allCovered")}</p>` : ""}
        <ul>
          ${map.uncovered.map((c) => html`<li>${c.label ?? c.slug ?? c.iri}</li>`)}
        </ul>
      </section>
      <div class="table-wrap">
        <table class="reflow">
          <caption>${t("view.services.table")}</caption>
          <thead>
            <tr>
              <th scope="col">${t("view.services.category")}</th>
              <th scope="col">${t("view.services.providers")}</th>
              <th scope="col">${t("view.services.planned")}</th>
              <th scope="col">${t("view.services.paused")}</th>
            </tr>
          </thead>
          <tbody>
            ${map.categories
              .filter((entry) => entry.providers.length + entry.planned.length + entry.paused.length > 0)
              .map(
                (entry) => html`<tr>
                <th scope="row">${categoryName(t, entry.category)}</th>
                <td data-label=${t("view.services.providers")}>${names(entry.providers.map((p) => p.pod))}</td>
                <td data-label=${t("view.services.planned")}>${names(entry.planned.map((p) => p.pod))}</td>
                <td data-label=${t("view.services.paused")}>${names(entry.paused.map((p) => p.pod))}</td>
              </tr>`,
              )}
          </tbody>
        </table>
      </div>`,
  };
}

/** Every pod's charter: the services it runs now and the ones it plans. */
export function chartersPage(ctx: PublicContext, charters: ViewItem[]): PublicPage {
  const { t } = ctx;
  return {
    title: t("view.title.charters"),
    body: html`<${Tabs} ctx=${ctx} here="/confederation/charters" />
      ${charters.length === 0 && html`<p>${t("view.none")}</p>`}
      <ul class="cards">
        ${charters.map(
          (charter) => html`<li>
            <p><strong>${podName(charter)}</strong> · ${charter.url ? html`<a href=${charter.url} rel="nofollow noopener">${charter.name}</a>` : charter.name}</p>
            <ul>
              ${(charter.services ?? []).map(
                (service) =>
                  html`<li>
                    ${service.name} · ${t(service.status === "planned" ? "view.charters.planned" : "view.charters.now")}
                    ${service.target && html` · ${service.target}`}
                  </li>`,
              )}
            </ul>
          </li>`,
        )}
      </ul>`,
  };
}

/** Practices across pods, with who adapted each and through whom it travelled. */
export function practicesPage(
  ctx: PublicContext,
  nav: ViewNav,
  spread: PracticeSpread[],
  next: string | null,
): PublicPage {
  const { t } = ctx;
  return {
    title: t("view.title.practices"),
    body: html`<${Tabs} ctx=${ctx} here="/confederation/practices" />
      <p>${t("view.practices.intro")}</p>
      ${spread.length === 0 && html`<p>${t("view.none")}</p>`}
      <ul class="cards">
        ${spread.map(
          ({ practice, adaptations, reshares }) => html`<li>
            <p>
              <strong>${practice.url ? html`<a href=${practice.url} rel="nofollow noopener">${practice.name}</a>` : practice.name}</strong>
            </p>
            <p class="meta">${podName(practice)}</p>
            <p>${t("view.practices.spread", { adapted: adaptations.length, reshared: reshares.length })}</p>
            ${
              adaptations.length > 0 &&
              html`<ul>
                ${adaptations.map((a) => html`<li>${a.name} · ${a.pod.name ?? new URL(a.pod.iri).host}</li>`)}
              </ul>`
            }
          </li>`,
        )}
      </ul>
      ${next && html`<p class="no-print"><a href=${withQuery("/confederation/practices", nav.query, { cursor: next })}>${t("view.next")}</a></p>`}`,
  };
}

export type { VNode };
