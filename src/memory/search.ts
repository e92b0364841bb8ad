import { and, desc, eq, sql } from "drizzle-orm";
import type { RoomDb, RoomQueries } from "../db/room-db.ts";
import type { Entry } from "./model.ts";
import { memoryEntries } from "./schema.ts";

/**
 * The words of a search: letters and digits only, at most 10 terms of at most 64 characters. Nothing else a
 * user types (quotes, operators, parentheses) reaches either database's query syntax, so hostile input is an
 * empty or ordinary search, never an error.
 */
export function searchTerms(words: string): string[] {
  return (words.slice(0, 2000).match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 10).map((term) => term.slice(0, 64));
}

/** Words as FTS5 prefix terms, each quoted. */
export const ftsQuery = (terms: string[]) => terms.map((term) => `"${term}"*`).join(" ");

/** Words as a PostgreSQL tsquery of prefix terms, all required (as FTS5 does). */
export const tsQuery = (terms: string[]) => terms.map((term) => `${term.toLowerCase()}:*`).join(" & ");

const searchedText = (row: Entry) => [row.body, row.decidedBy, row.alternatives, row.learned, row.changed].join("\n");

/**
 * Full-text search of the memory: one query, two small implementations. SQLite keeps an FTS5 index
 * (`memory_search`, migration 0024) in step with the entries, in the entry's write; PostgreSQL has no such table
 * (the derived schema leaves it out) and matches a `tsvector` computed from the entry's own columns in the query
 * (the 'simple' configuration: no stemming, as FTS5's unicode61; a pod's memory is hundreds of entries).
 */
export function memorySearch(rooms: RoomDb) {
  const e = rooms.table(memoryEntries);
  const document = sql`to_tsvector('simple', ${e.title} || ' ' || ${e.summary} || ' ' || ${e.body} || ' ' ||
    ${e.decidedBy} || ' ' || ${e.alternatives} || ' ' || ${e.learned} || ' ' || ${e.changed})`;

  return {
    /** Keeps SQLite's index in step with one entry (entries no longer active leave it). */
    async indexWithin(db: RoomQueries, row: Entry): Promise<void> {
      if (rooms.dialect !== "sqlite") return;
      await db.run(sql`DELETE FROM memory_search WHERE entry_id = ${row.id}`);
      if (row.status !== "active") return;
      await db.run(
        sql`INSERT INTO memory_search (entry_id, title, summary, body)
          VALUES (${row.id}, ${row.title}, ${row.summary}, ${searchedText(row)})`,
      );
    },

    /** Rebuilds SQLite's index from every entry (a pod moved off PostgreSQL, which keeps none). */
    async rebuildWithin(db: RoomQueries): Promise<void> {
      if (rooms.dialect !== "sqlite") return;
      await db.run(sql`DELETE FROM memory_search`);
      for (const row of await db.select().from(e)) await this.indexWithin(db, row);
    },

    /** The ids of active entries matching the words, best first. */
    async matching(db: RoomQueries, words: string, publicOnly: boolean, limit: number): Promise<string[]> {
      const terms = searchTerms(words);
      if (terms.length === 0) return [];
      const shown = and(eq(e.status, "active"), publicOnly ? eq(e.visibility, "public") : undefined);
      if (rooms.dialect === "postgres") {
        const query = sql`to_tsquery('simple', ${tsQuery(terms)})`;
        const rows = await db
          .select({ id: e.id })
          .from(e)
          .where(and(shown, sql`${document} @@ ${query}`))
          .orderBy(desc(sql`ts_rank(${document}, ${query})`), desc(e.id))
          .limit(limit);
        return rows.map((row) => row.id);
      }
      const rows = await db
        .select({ id: e.id })
        .from(e)
        .innerJoin(sql`memory_search`, sql`memory_search.entry_id = ${e.id}`)
        .where(and(shown, sql`memory_search MATCH ${ftsQuery(terms)}`))
        .orderBy(sql`memory_search.rank`)
        .limit(limit);
      return rows.map((row) => row.id);
    },
  };
}
