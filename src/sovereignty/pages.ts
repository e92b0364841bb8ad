import type { PublicContext, PublicPage } from "../web/layout.ts";
import { html } from "../webapp/html.ts";
import { monthChart } from "./chart.ts";
import { formatMilli, type MetricType } from "./model.ts";
import type { Report } from "./model-report.ts";
import type { TotalCell } from "./totals.ts";
import { reportHtml, reportTitle } from "./to-as.ts";

/** A published report as a page: the same HTML the Article carries. */
export function reportPublicPage(ctx: PublicContext, row: Report): PublicPage {
  return {
    title: reportTitle(row),
    body: html`<p class="meta">${ctx.date(row.publishedAt ?? row.updatedAt)}</p>
      <div dangerouslySetInnerHTML=${{ __html: reportHtml(row) }}></div>
      <p><a href="/confederation/sovereignty">${ctx.t("sov.view.title")}</a></p>`,
  };
}

/** Beyond this many pods a month's row gives the count (the JSON and CSV list them all). */
const POD_NAMES_SHOWN = 12;

export interface TotalsPageState {
  types: MetricType[];
  /** The chosen type's IRI and its cells, oldest month first. */
  metricIri: string;
  cells: TotalCell[];
  podName: (iri: string) => string;
}

/** The confederal totals for one metric type: a chart drawn on the server and the same numbers as a table. */
export function totalsPage(ctx: PublicContext, state: TotalsPageState): PublicPage {
  const { t } = ctx;
  const type = state.types.find((x) => x.iri === state.metricIri);
  const label = type ? type.labels[ctx.locale] : state.metricIri;
  const cells = state.cells;
  const svg = monthChart(
    cells.map((c) => ({ month: c.month, value: c.quantityMilli / 1000 })),
    { title: t("sov.view.chartTitle", { metric: label }), description: t("sov.view.chartDesc") },
  );
  const slug = type?.slug ?? "";
  return {
    title: t("sov.view.title"),
    body: html`<p>${t("sov.view.intro")}</p>
      <form method="get" action="/confederation/sovereignty" class="filters">
        <label for="metric">${t("sov.view.metric")}</label>
        <select id="metric" name="metric">
          ${state.types.map(
            (x) => html`<option value=${x.slug} selected=${x.iri === state.metricIri}>${x.labels[ctx.locale]}</option>`,
          )}
        </select>
        <button type="submit">${t("sov.view.show")}</button>
      </form>
      <p>
        <a href=${`/view/sovereignty.csv`}>${t("sov.view.csv")}</a> ·
        <a href=${`/view/sovereignty?metric=${encodeURIComponent(slug)}`}>${t("sov.view.json")}</a>
      </p>
      ${cells.length === 0 && html`<p>${t("sov.view.none")}</p>`}
      <figure class="chart">
        <div dangerouslySetInnerHTML=${{ __html: svg }}></div>
      </figure>
      <p class="meta">
        ${
          type
            ? t("sov.view.weight", { weight: formatMilli(type.weightMilli), unit: type.unit })
            : t("sov.view.noWeight")
        }
      </p>
      <div class="table-wrap" tabindex="0" role="region" aria-label=${label}>
        <table id="totals">
          <caption>${label}${type ? ` (${type.unit})` : ""}</caption>
          <thead><tr>
            <th scope="col">${t("sov.view.month")}</th><th scope="col">${t("sov.view.total")}</th>
            <th scope="col">${t("sov.view.liberated")}</th><th scope="col">${t("sov.view.pods")}</th>
          </tr></thead>
          <tbody>
            ${[...cells].reverse().map(
              (c) => html`<tr>
                <th scope="row">${c.month}</th>
                <td>${formatMilli(c.quantityMilli)}</td>
                <td>${c.liberatedMilli === null ? "—" : formatMilli(c.liberatedMilli)}</td>
                <td>
                  ${
                    c.pods && c.pods.length <= POD_NAMES_SHOWN
                      ? c.pods.map(state.podName).join(", ")
                      : t("sov.view.podCount", { count: c.podCount })
                  }
                  ${
                    c.fewerThanCount > 0 &&
                    html`<br /><span class="meta">${t("sov.view.fewer", {
                      count: c.fewerThanCount,
                      n: c.fewerThan ?? 0,
                    })}</span>`
                  }
                </td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>`,
  };
}
