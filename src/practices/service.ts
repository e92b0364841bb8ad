import type { Context } from "@fedify/fedify";
import { uuidv7 } from "uuidv7";
import type { RoomQueries } from "../db/room-db.ts";
import { roomsOf } from "../db/room-db.ts";
import { withEventIds, type EventDispatcher } from "../events/dispatcher.ts";
import type { PodDeps } from "../federation/deps.ts";
import { sendToFollowers } from "../publishing/deliver.ts";
import { tombstonesStore } from "../publishing/tombstones.ts";
import { practiceIri, practiceNoteIri } from "../publishing/iris.ts";
import { practiceActivities, type PracticeVerb } from "./to-as.ts";
import { projectPractice } from "./view-projection.ts";
import type { Practice, PracticeInput, PracticePatch } from "./model.ts";
import { practicesStore } from "./store.ts";

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
  const { config } = deps;

  const rooms = roomsOf(deps);
  const store = practicesStore(rooms);
  const tombstones = tombstonesStore(rooms);

  /** Records, in the change's transaction, that followers must be told (run by the event dispatcher). */
  const publishLater = (tx: RoomQueries, row: Practice, verb: PracticeVerb) =>
    events.recordWithin(tx, PRACTICE_CHANGED, { row, verb }, practiceIri(config, row).href);

  events.on(PRACTICE_CHANGED, async ({ row, verb }: { row: Practice; verb: PracticeVerb }, event) => {
    await projectPractice(deps, row);
    const ctx = contextFor();
    const activities = withEventIds(practiceActivities(ctx, config, row, verb, deps.now()), event.id);
    await sendToFollowers(ctx, deps, activities, practiceIri(config, row).href);
  });

  async function createWithin(tx: RoomQueries, input: PracticeInput, id = uuidv7()): Promise<Practice> {
    const now = deps.now().toISOString();
    const inserted = await store.insertWithin(tx, {
      id,
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
    });
    await publishLater(tx, inserted, "create");
    return inserted;
  }

  return {
    get: store.get,
    list: store.list,
    /** Published practices by id (the memory room's guide links, whatever their age). */
    publishedByIds: store.publishedByIds,

    async create(input: PracticeInput): Promise<Practice> {
      const row = await rooms.write((tx) => createWithin(tx, input));
      await events.settle();
      return row;
    },

    /** A practice made inside another room's write (a lesson promoted): both commit or neither; settle after. */
    createWithin,

    async update(id: string, patch: PracticePatch): Promise<Practice> {
      const change = { ...patch, tags: patch.tags && uniqueTags(patch.tags), updatedAt: deps.now().toISOString() };
      const row = await rooms.write(async (tx) => {
        const updated = await store.changeWithin(tx, id, change);
        await publishLater(tx, updated, "update");
        return updated;
      });
      await events.settle();
      return row;
    },

    async withdraw(id: string): Promise<Practice> {
      const now = deps.now();
      const row = await rooms.write(async (tx) => {
        const updated = await store.changeWithin(tx, id, { status: "withdrawn", updatedAt: now.toISOString() });
        await tombstones.recordWithin(
          tx,
          [
            { iri: practiceIri(config, updated).href, formerType: "Article" },
            { iri: practiceNoteIri(config, updated).href, formerType: "Note" },
          ],
          now,
        );
        await publishLater(tx, updated, "delete");
        return updated;
      });
      await events.settle();
      return row;
    },
  };
}

export type PracticesService = ReturnType<typeof practicesService>;
