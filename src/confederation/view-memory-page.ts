import { html } from "../webapp/html.ts";
import type { PublicContext, PublicPage } from "../web/layout.ts";
import type { ViewItem } from "./view-present.ts";

const KIND_KEY = {
  decision: "memory.kind.decision",
  workflow: "memory.kind.workflow",
  lesson: "memory.kind.lesson",
} as const;

const podName = (item: ViewItem) => item.pod.name ?? new URL(item.pod.iri).host;

/** Neighbors' public decisions, workflows and lessons, with how many pods adapted each. */
export function memoryViewPage(
  ctx: PublicContext,
  tabs: unknown,
  items: { item: ViewItem; adaptedBy: number }[],
  /** The page's filters, as a query the feeds take too ("" or "?pod=…"). */
  query = "",
): PublicPage {
  const { t } = ctx;
  return {
    title: t("memory.view.title"),
    body: html`${tabs}
      <p>${t("memory.view.intro")}</p>
      <p>
        ${t("memory.view.feeds")}${" "}
        <a href=${`/view/memory.atom${query}`} type="application/atom+xml">${t("memory.site.atom")}</a> ·
        <a href=${`/view/memory.json${query}`} type="application/feed+json">${t("memory.site.json")}</a>
      </p>
      ${items.length === 0 && html`<p>${t("view.none")}</p>`}
      <ul class="cards">
        ${items.map(
          ({ item, adaptedBy }) => html`<li>
            <p>
              <span class="meta">${t(KIND_KEY[item.entry as keyof typeof KIND_KEY] ?? "memory.kind.decision")}</span>${" · "}
              <strong>${item.url ? html`<a href=${item.url} rel="nofollow noopener">${item.name}</a>` : item.name}</strong>
            </p>
            <p class="meta">${podName(item)}</p>
            ${item.summary && html`<p>${item.summary.slice(0, 280)}</p>`}
            ${adaptedBy > 0 && html`<p>${t("memory.view.adapted", { count: adaptedBy })}</p>`}
          </li>`,
        )}
      </ul>`,
  };
}
