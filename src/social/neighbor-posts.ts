import type { ViewRecord } from "../confederation/from-as.ts";
import type { Db } from "../db/client.ts";
import { sanitize } from "../web/sanitize.ts";
import { escapeHtml } from "../web/html.ts";
import * as store from "./store.ts";

/**
 * Neighbor pods send this pod only the structured objects (publishing/deliver.ts), not the companion Notes
 * people's servers read. So the operator's apps still show a followed pod's offers, needs and charter in the
 * home timeline, the pod writes that post itself from what it stored in the view (already sanitised).
 * Practices and memory entries arrive as Articles, which the social inbox keeps as posts already.
 */
export function projectNeighborObject(db: Db, record: ViewRecord): void {
  if (record.kind === "practice" || record.kind === "memory" || record.kind === "report") return;
  const account = store.accountByIri(db, record.podIri);
  if (!account) return;
  const url = record.url ?? record.iri;
  const content = sanitize(
    `<p><strong>${escapeHtml(record.name)}</strong></p>` +
      (record.summary ? `<p>${escapeHtml(record.summary)}</p>` : "") +
      record.content +
      `<p><a href="${escapeHtml(url)}">${escapeHtml(url)}</a></p>`,
  );
  // At the id of the companion Note the pod published beside the object (this software's convention): the
  // same post an outbox read finds, and what replies answer.
  store.upsertStatus(db, account, record.kind, {
    iri: `${record.iri}/note`,
    url,
    inReplyToIri: null,
    content,
    spoilerText: "",
    visibility: "public",
    language: null,
    sensitive: false,
    mentions: [],
    publishedAt: record.published,
    editedAt: record.version === record.published ? null : record.version,
  });
}

/**
 * A followed pod's monthly sovereignty report, which arrives (or is backfilled) as an Article the sovereignty
 * room reads for its figures: the post its readable Note would have been, kind "practice" like other Articles.
 */
export function projectNeighborReport(
  db: Db,
  report: { podIri: string; iri: string; name: string; content: string; published: string; updated: string | null },
): void {
  const account = store.accountByIri(db, report.podIri);
  if (!account) return;
  const content = sanitize(
    `<p><strong>${escapeHtml(report.name)}</strong></p>${report.content}` +
      `<p><a href="${escapeHtml(report.iri)}">${escapeHtml(report.iri)}</a></p>`,
  );
  store.upsertStatus(db, account, "practice", {
    iri: `${report.iri}/note`,
    url: report.iri,
    inReplyToIri: null,
    content,
    spoilerText: "",
    visibility: "public",
    language: null,
    sensitive: false,
    mentions: [],
    publishedAt: report.published,
    editedAt: report.updated,
  });
}

/** The neighbor deleted the object: the post written from it goes too. */
export function removeNeighborPost(db: Db, objectIri: string, podIri: string): void {
  const account = store.accountByIri(db, podIri);
  if (account) store.deleteStatus(db, `${objectIri}/note`, account.id);
}
