import { escapeHtml } from "../web/html.ts";

/**
 * A guide that goes with aid (an offer, a need, a charter service): a practice, a workflow or an uploaded guide.
 * The memory room keeps the links; the rooms that publish the aid show them.
 */
export interface GuideLink {
  name: string;
  url: string;
}

/** "<p>Guide: <a href=…>name</a></p>" per guide, for the Notes people read. */
export const guideParagraphs = (guides: readonly GuideLink[]) =>
  guides.map((g) => `<p>Guide: <a href="${escapeHtml(g.url)}">${escapeHtml(g.name)}</a></p>`).join("");
