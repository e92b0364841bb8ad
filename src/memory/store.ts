import { and, desc, eq, isNotNull, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import type { Entry, Revision } from "./model.ts";
import { memoryEntries, memoryGuideLinks, memoryRevisions } from "./schema.ts";
import type { PublicEntry } from "./to-as.ts";

export type Guide = typeof memoryGuideLinks.$inferSelect;
export type GuideKey = Omit<Guide, "createdAt">;
export type Subject = Pick<Guide, "subjectKind" | "subjectId">;

type Reader = Pick<Db, "select">;

/** Public, current entries with what their objects link to, newest first (collections, feeds, public pages). */
export function publishedEntries(db: Reader, limit: number, before?: string): PublicEntry[] {
  return db
    .select()
    .from(memoryEntries)
    .where(
      and(
        eq(memoryEntries.visibility, "public"),
        eq(memoryEntries.status, "active"),
        isNotNull(memoryEntries.publicationId),
        before ? lt(memoryEntries.publicationId, before) : undefined,
      ),
    )
    .orderBy(desc(memoryEntries.publicationId))
    .limit(limit)
    .all()
    .map((row) => withLinks(db, row as PublicEntry));
}

export function countPublished(db: Reader): number {
  return (
    db
      .select({ n: sql<number>`count(*)` })
      .from(memoryEntries)
      .where(
        and(
          eq(memoryEntries.visibility, "public"),
          eq(memoryEntries.status, "active"),
          isNotNull(memoryEntries.publicationId),
        ),
      )
      .get()?.n ?? 0
  );
}

export function publishedByPublicationId(db: Reader, publicationId: string): PublicEntry | undefined {
  const row = db.select().from(memoryEntries).where(eq(memoryEntries.publicationId, publicationId)).get();
  if (!row || row.visibility !== "public" || row.status !== "active") return undefined;
  return withLinks(db, row as PublicEntry);
}

/** The IRI path of the entry that superseded this one, when that one is public too. */
export function withLinks(db: Reader, row: PublicEntry): PublicEntry {
  if (!row.supersededBy) return { ...row, supersededByPid: null };
  const next = db.select().from(memoryEntries).where(eq(memoryEntries.id, row.supersededBy)).get();
  const publicNext = next?.visibility === "public" && next.status === "active" ? next.publicationId : null;
  return { ...row, supersededByPid: publicNext };
}

export function findEntry(db: Reader, id: string): Entry | undefined {
  return db.select().from(memoryEntries).where(eq(memoryEntries.id, id)).get();
}

export function revisionsOf(db: Reader, entryId: string): Revision[] {
  return db
    .select()
    .from(memoryRevisions)
    .where(eq(memoryRevisions.entryId, entryId))
    .orderBy(desc(memoryRevisions.number))
    .all();
}

/** Keeps the full-text index in step with one entry (deleted entries leave it). */
export function indexEntry(db: Pick<Db, "run">, row: Entry): void {
  db.run(sql`DELETE FROM memory_search WHERE entry_id = ${row.id}`);
  if (row.status !== "active") return;
  const body = [row.body, row.decidedBy, row.alternatives, row.learned, row.changed].join("\n");
  db.run(
    sql`INSERT INTO memory_search (entry_id, title, summary, body) VALUES (${row.id}, ${row.title}, ${row.summary}, ${body})`,
  );
}

/** Words as FTS5 prefix terms, each quoted (so no query syntax from the user reaches FTS5). */
export function ftsQuery(words: string): string | null {
  const terms = words.match(/[\p{L}\p{N}]+/gu)?.slice(0, 10) ?? [];
  return terms.length ? terms.map((term) => `"${term}"*`).join(" ") : null;
}

/** Entries matching the words, best first; only public ones when `publicOnly`. */
export function searchEntries(db: Reader & Pick<Db, "all">, words: string, publicOnly: boolean, limit = 50): Entry[] {
  const match = ftsQuery(words);
  if (!match) return [];
  const ids = db.all<{ entry_id: string }>(
    sql`SELECT entry_id FROM memory_search WHERE memory_search MATCH ${match} ORDER BY rank LIMIT ${limit * 2}`,
  );
  return ids
    .map(({ entry_id }) => findEntry(db, entry_id))
    .filter((row): row is Entry => !!row && row.status === "active" && (!publicOnly || row.visibility === "public"))
    .slice(0, limit);
}

/** The guides attached to an offer, need or charter service, oldest first. */
export function guidesOfSubject(db: Reader, subject: Subject): Guide[] {
  return db
    .select()
    .from(memoryGuideLinks)
    .where(
      and(eq(memoryGuideLinks.subjectKind, subject.subjectKind), eq(memoryGuideLinks.subjectId, subject.subjectId)),
    )
    .orderBy(memoryGuideLinks.createdAt)
    .all();
}

/** Every subject one guide goes with (an upload that goes away takes its links along). */
export function subjectsOfGuide(db: Reader, guideKind: Guide["guideKind"], guideId: string): Subject[] {
  return db
    .select({ subjectKind: memoryGuideLinks.subjectKind, subjectId: memoryGuideLinks.subjectId })
    .from(memoryGuideLinks)
    .where(and(eq(memoryGuideLinks.guideKind, guideKind), eq(memoryGuideLinks.guideId, guideId)))
    .all();
}

export function attachGuide(db: Pick<Db, "insert">, guide: GuideKey, at: Date): void {
  db.insert(memoryGuideLinks)
    .values({ ...guide, createdAt: at.toISOString() })
    .onConflictDoNothing()
    .run();
}

export function detachGuide(
  db: Pick<Db, "delete">,
  guide: Partial<GuideKey> & Pick<GuideKey, "guideKind" | "guideId">,
) {
  db.delete(memoryGuideLinks)
    .where(
      and(
        guide.subjectKind ? eq(memoryGuideLinks.subjectKind, guide.subjectKind) : undefined,
        guide.subjectId ? eq(memoryGuideLinks.subjectId, guide.subjectId) : undefined,
        eq(memoryGuideLinks.guideKind, guide.guideKind),
        eq(memoryGuideLinks.guideId, guide.guideId),
      ),
    )
    .run();
}
