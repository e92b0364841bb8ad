import type { ViewRecord } from "../confederation/from-as.ts";
import type { RoomDb, RoomQueries } from "../db/room-db.ts";
import { sanitize } from "../web/sanitize.ts";
import { escapeHtml } from "../web/html.ts";
import type { Account, Status } from "./activitypub.ts";
import { socialStore } from "./store.ts";

/**
 * Neighbor pods send this pod only the structured objects (publishing/deliver.ts), not the companion Notes
 * people's servers read. So the operator's apps still show a followed pod's offers, needs and charter in the
 * home timeline, the pod writes that post itself from what it stored in the view (already sanitised).
 * Practices and memory entries arrive as Articles, which the social inbox keeps as posts already.
 * Runs inside the confederation inbox's write (`db`, the grouped write's).
 */
export async function projectNeighborObject(rooms: RoomDb, db: RoomQueries, record: ViewRecord): Promise<void> {
  if (record.kind === "practice" || record.kind === "memory" || record.kind === "report") return;
  const account = await socialStore(rooms).within.accountByIri(db, record.podIri);
  if (!account) return;
  const url = record.url ?? record.iri;
  await writePost(rooms, db, account, record.kind, {
    objectIri: record.iri,
    url,
    html:
      `<p><strong>${escapeHtml(record.name)}</strong></p>` +
      (record.summary ? `<p>${escapeHtml(record.summary)}</p>` : "") +
      record.content,
    publishedAt: record.published,
    editedAt: record.version === record.published ? null : record.version,
  });
}

/**
 * A followed pod's monthly sovereignty report, which arrives (or is backfilled) as an Article the sovereignty
 * room reads for its figures: the post its readable Note would have been, kind "practice" like other Articles.
 * A write of its own.
 */
export async function projectNeighborReport(
  rooms: RoomDb,
  report: { podIri: string; iri: string; name: string; content: string; published: string; updated: string | null },
): Promise<void> {
  const account = await socialStore(rooms).accountByIri(report.podIri);
  if (!account) return;
  await rooms.write((db) =>
    writePost(rooms, db, account, "practice", {
      objectIri: report.iri,
      url: report.iri,
      html: `<p><strong>${escapeHtml(report.name)}</strong></p>${report.content}`,
      publishedAt: report.published,
      editedAt: report.updated,
    }),
  );
}

/**
 * The post a neighbor's object stands for, with a link to the object, at the id of the companion Note the pod
 * published beside it (this software's convention): the same post an outbox read finds, and what replies answer.
 */
async function writePost(
  rooms: RoomDb,
  db: RoomQueries,
  account: Account,
  kind: Status["kind"],
  post: { objectIri: string; url: string; html: string; publishedAt: string; editedAt: string | null },
): Promise<void> {
  await socialStore(rooms).within.upsertStatus(db, account, kind, {
    iri: `${post.objectIri}/note`,
    url: post.url,
    inReplyToIri: null,
    content: sanitize(`${post.html}<p><a href="${escapeHtml(post.url)}">${escapeHtml(post.url)}</a></p>`),
    spoilerText: "",
    visibility: "public",
    language: null,
    sensitive: false,
    mentions: [],
    publishedAt: post.publishedAt,
    editedAt: post.editedAt,
  });
}

/** The neighbor deleted the object: the post written from it goes too (inside the caller's write, `db`). */
export async function removeNeighborPost(rooms: RoomDb, db: RoomQueries, objectIri: string, podIri: string) {
  const account = await socialStore(rooms).within.accountByIri(db, podIri);
  if (account) await socialStore(rooms).within.deleteStatus(db, `${objectIri}/note`, account.id);
}
