import type { Context } from "@fedify/fedify";
import { and, desc, eq, lt } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import type { Db } from "../db/client.ts";
import { withEventIds, type EventDispatcher } from "../events/dispatcher.ts";
import type { PodDeps } from "../federation/deps.ts";
import { conflict, notFound } from "../http/problem.ts";
import { sendToFollowers } from "../publishing/deliver.ts";
import { recordTombstones } from "../publishing/tombstones.ts";
import { practiceIri, practiceNoteIri } from "../publishing/iris.ts";
import { practiceActivities, type PracticeVerb } from "./to-as.ts";
import { projectPractice } from "./view-projection.ts";
import type { Practice, PracticeInput, PracticeListQuery, PracticePatch } from "./model.ts";
import { practices } from "./schema.ts";

export type { Practice, PracticeStatus } from "./model.ts";

/** Tags in the order given, each once (hashtags compare case-insensitively, as Mastodon does). */
function uniqueTags(tags: string[]): string[] {
  const seen = new Set<string>();
  return tags.filter((tag) => {
    const key = tag.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const PRACTICE_CHANGED = "practice.changed";

/** Successful practices: the rules, one transaction per change, then delivery to followers. */
export function practicesService(deps: PodDeps, contextFor: () => Context<null>, events: EventDispatcher) {
  const { db, config } = deps;

  /** Records, in the change's transaction, that followers must be told (run by the event dispatcher). */
  const publishLater = (tx: Parameters<EventDispatcher["record"]>[0], row: Practice, verb: PracticeVerb) =>
    events.record(tx, PRACTICE_CHANGED, { row, verb }, practiceIri(config, row).href);

  events.on(PRACTICE_CHANGED, async ({ row, verb }: { row: Practice; verb: PracticeVerb }, event) => {
    projectPractice(deps, row);
    const ctx = contextFor();
    const activities = withEventIds(practiceActivities(ctx, config, row, verb, deps.now()), event.id);
    await sendToFollowers(ctx, deps, activities, practiceIri(config, row).href);
  });

  function find(from: Pick<Db, "select">, id: string): Practice {
    const row = from.select().from(practices).where(eq(practices.id, id)).get();
    if (!row) throw notFound(`no practice ${id}`);
    return row;
  }

  function editable(from: Pick<Db, "select">, id: string): Practice {
    const row = find(from, id);
    if (row.status === "withdrawn") throw conflict("this practice was withdrawn and can no longer change");
    return row;
  }

  return {
    get: (id: string): Practice => find(db, id),

    list(query: PracticeListQuery): Practice[] {
      return db
        .select()
        .from(practices)
        .where(
          and(
            query.status ? eq(practices.status, query.status) : undefined,
            query.cursor ? lt(practices.id, query.cursor) : undefined,
          ),
        )
        .orderBy(desc(practices.id))
        .limit(query.limit)
        .all();
    },

    async create(input: PracticeInput): Promise<Practice> {
      const now = deps.now().toISOString();
      const row = db.transaction((tx) => {
        const inserted = tx
          .insert(practices)
          .values({
            id: uuidv7(),
            title: input.title,
            summary: input.summary,
            body: input.body ?? "",
            tags: uniqueTags(input.tags ?? []),
            problem: input.problem ?? "",
            outcomes: input.outcomes ?? "",
            language: input.language ?? "en",
            adaptedFrom: input.adaptedFrom ?? null,
            status: "published",
            createdAt: now,
            updatedAt: now,
          })
          .returning()
          .get();
        publishLater(tx, inserted, "create");
        return inserted;
      });
      await events.settle();
      return row;
    },

    async update(id: string, patch: PracticePatch): Promise<Practice> {
      const now = deps.now().toISOString();
      const row = db.transaction((tx) => {
        const current = editable(tx, id);
        const updated = tx
          .update(practices)
          .set({
            title: patch.title ?? current.title,
            summary: patch.summary ?? current.summary,
            body: patch.body ?? current.body,
            tags: patch.tags ? uniqueTags(patch.tags) : current.tags,
            problem: patch.problem ?? current.problem,
            outcomes: patch.outcomes ?? current.outcomes,
            language: patch.language ?? current.language,
            adaptedFrom: patch.adaptedFrom === undefined ? current.adaptedFrom : patch.adaptedFrom,
            updatedAt: now,
          })
          .where(eq(practices.id, id))
          .returning()
          .get();
        publishLater(tx, updated, "update");
        return updated;
      });
      await events.settle();
      return row;
    },

    async withdraw(id: string): Promise<Practice> {
      const now = deps.now();
      const row = db.transaction((tx) => {
        editable(tx, id);
        const updated = tx
          .update(practices)
          .set({ status: "withdrawn", updatedAt: now.toISOString() })
          .where(eq(practices.id, id))
          .returning()
          .get();
        recordTombstones(
          tx,
          [
            { iri: practiceIri(config, updated).href, formerType: "Article" },
            { iri: practiceNoteIri(config, updated).href, formerType: "Note" },
          ],
          now,
        );
        publishLater(tx, updated, "delete");
        return updated;
      });
      await events.settle();
      return row;
    },
  };
}

export type PracticesService = ReturnType<typeof practicesService>;
