import { createRequire } from "node:module";
import type * as D3Scale from "d3-scale";
import type * as D3Shape from "d3-shape";
import { escapeHtml } from "../web/html.ts";

export interface ChartPoint {
  month: string;
  value: number;
}

const WIDTH = 640;
const HEIGHT = 260;
const MARGIN = { top: 16, right: 12, bottom: 40, left: 64 };

// d3's scales and shapes (about ten modules) load with the first chart drawn, not at start.
const requireHere = createRequire(import.meta.url);
let d3: { scale: typeof D3Scale; shape: typeof D3Shape } | undefined;
const d3Once = () =>
  (d3 ??= { scale: requireHere("d3-scale") as typeof D3Scale, shape: requireHere("d3-shape") as typeof D3Shape });

const format = (value: number) => (Math.round(value * 10) / 10).toLocaleString("en");

/**
 * A month-by-month line chart as SVG markup, drawn on the server (no script): it scales to its container,
 * prints, and carries a title and description for screen readers (the page's table has the same numbers).
 */
export function monthChart(points: ChartPoint[], labels: { title: string; description: string }): string {
  const {
    scale: { scaleBand, scaleLinear },
    shape: { line, area },
  } = d3Once();
  const x = scaleBand<string>()
    .domain(points.map((p) => p.month))
    .range([MARGIN.left, WIDTH - MARGIN.right])
    .padding(0.2);
  const max = Math.max(1, ...points.map((p) => p.value));
  const y = scaleLinear()
    .domain([0, max])
    .nice(4)
    .range([HEIGHT - MARGIN.bottom, MARGIN.top]);
  const cx = (p: ChartPoint) => (x(p.month) ?? 0) + x.bandwidth() / 2;
  const path = line<ChartPoint>()
    .x(cx)
    .y((p) => y(p.value))(points);
  const fill = area<ChartPoint>()
    .x(cx)
    .y0(y(0))
    .y1((p) => y(p.value))(points);
  const ticks = y
    .ticks(4)
    .map(
      (tick) =>
        `<g class="tick"><line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(tick)}" y2="${y(tick)}"/>` +
        `<text x="${MARGIN.left - 6}" y="${y(tick) + 4}" text-anchor="end">${format(tick)}</text></g>`,
    );
  // At most 12 month labels, so they do not overlap on a phone.
  const every = Math.max(1, Math.ceil(points.length / 12));
  const months = points
    .filter((_, i) => i % every === 0)
    .map(
      (p) => `<text x="${cx(p)}" y="${HEIGHT - MARGIN.bottom + 24}" text-anchor="middle">${p.month.slice(2)}</text>`,
    );
  const dots = points.map(
    (p) =>
      `<circle cx="${cx(p)}" cy="${y(p.value)}" r="3"><title>${escapeHtml(`${p.month}: ${format(p.value)}`)}</title>` +
      "</circle>",
  );
  return (
    `<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="chart-title chart-desc" ` +
    `xmlns="http://www.w3.org/2000/svg"><title id="chart-title">${escapeHtml(labels.title)}</title>` +
    `<desc id="chart-desc">${escapeHtml(labels.description)}</desc>${ticks.join("")}` +
    (points.length > 0 ? `<path class="area" d="${fill}"/><path class="line" d="${path}"/>` : "") +
    `${dots.join("")}${months.join("")}</svg>`
  );
}
