import type { Context } from "@fedify/fedify";
import { and, eq, isNull } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import type { RoomQueries } from "../db/room-db.ts";
import { roomsOf } from "../db/room-db.ts";
import { withEventIds, type EventDispatcher } from "../events/dispatcher.ts";
import type { PodDeps } from "../federation/deps.ts";
import { conflict, notFound } from "../http/problem.ts";
import type { PracticesService } from "../practices/service.ts";
import type { ChangeVerb } from "../publishing/announce.ts";
import { sendToFollowers } from "../publishing/deliver.ts";
import { memoryIri, memoryNoteIri } from "../publishing/iris.ts";
import { tombstonesStore } from "../publishing/tombstones.ts";
import { guideCopy, openGuides, type GuideSources } from "./guide-copy.ts";
import {
  entryInputSchema,
  entryPatchSchema,
  type Entry,
  type EntryInput,
  type EntryPatch,
  type Visibility,
} from "./model.ts";
import { memoryEntries } from "./schema.ts";
import { memoryStore, type Guide, type Subject } from "./store.ts";
import { entryActivities, type PublicEntry } from "./to-as.ts";
import { uploadsStore, type UploadInput } from "./uploads.ts";
import { projectEntry } from "./view-projection.ts";

export type { Subject } from "./store.ts";
export type { Entry, EntryKind, Visibility } from "./model.ts";

const ENTRY_CHANGED = "memory.changed";

/** Decisions, workflows and lessons: the rules, one RoomDb write per change, then delivery of public ones. */
export function memoryService(
  deps: PodDeps,
  contextFor: () => Context<null>,
  events: EventDispatcher,
  practices: PracticesService,
  guidesVersion: () => number,
) {
  const { config } = deps;
  const rooms = roomsOf(deps);
  const store = memoryStore(rooms);
  const tombstones = tombstonesStore(rooms);
  const uploads = uploadsStore(rooms, config.dataDir, deps.now);
  const e = rooms.table(memoryEntries);

  const sources: GuideSources = {
    links: store.allGuideLinks,
    practices: (ids) => practices.publishedByIds(ids),
    entries: store.byIds,
    uploads: uploads.byIds,
  };
  const onError = (error: unknown) => deps.log.warn({ err: error }, "reading the guide links failed");
  const guides = guideCopy(config, sources, guidesVersion, onError);

  /** Records, in the change's write, that followers must be told (run by the event dispatcher). */
  const publishLater = async (db: RoomQueries, row: Entry, verb: ChangeVerb) => {
    const published = await store.withLinksIn(db, row as PublicEntry);
    await events.recordWithin(
      db,
      ENTRY_CHANGED,
      { row: published, verb },
      memoryIri(config, published.publicationId).href,
    );
  };

  events.on(ENTRY_CHANGED, async ({ row, verb }: { row: PublicEntry; verb: ChangeVerb }, event) => {
    await projectEntry(deps, row, verb !== "delete");
    const ctx = contextFor();
    const activities = withEventIds(entryActivities(ctx, config, row, verb, deps.now()), event.id);
    await sendToFollowers(ctx, deps, activities, memoryIri(config, row.publicationId).href);
  });

  /** The published object goes: tombstones at its IRIs (410), a Delete to followers. */
  async function unpublish(db: RoomQueries, row: Entry, now: Date): Promise<void> {
    if (!row.publicationId) return;
    await tombstones.recordWithin(
      db,
      [
        { iri: memoryIri(config, row.publicationId).href, formerType: "Article" },
        { iri: memoryNoteIri(config, row.publicationId).href, formerType: "Note" },
      ],
      now,
    );
    await publishLater(db, row, "delete");
  }

  /** A change that must find the entry active (and `condition` true): 404, 409 otherwise. */
  async function change(
    db: RoomQueries,
    id: string,
    values: Partial<Entry>,
    condition?: Parameters<typeof store.changeWithin>[3],
  ) {
    const changed = await store.changeWithin(db, id, values, condition);
    if (changed) return changed;
    await store.editableIn(db, id);
    throw conflict("this entry changed meanwhile: reload it and try again");
  }

  /** The write, then the events it recorded run, then this process's guide links catch up. */
  async function written<T>(work: (db: RoomQueries) => Promise<T>): Promise<T> {
    const value = await rooms.write(work);
    await events.settle();
    await guides.load();
    return value;
  }

  async function find(id: string): Promise<Entry> {
    const row = await store.find(id);
    if (!row) throw notFound(`no memory entry ${id}`);
    return row;
  }

  /** The one guide's link if anyone may open it, read from the database (not the copy). */
  async function openGuide(guide: Pick<Guide, "guideKind" | "guideId">) {
    const link = { ...guide, subjectKind: "offer" as const, subjectId: "", createdAt: "" };
    const [open] = await openGuides(config, sources, [link]);
    return open;
  }

  /** The guides of an offer, need or charter service that anyone can open (its page, its Note, the hand-out). */
  const guidesOf = (subject: Subject) => guides.of(subject);

  async function republishedAfter<T>(work: () => Promise<T>): Promise<T> {
    const value = await work();
    await guides.load();
    return value;
  }

  return {
    /** Loads the guide links and this pod's public entries in the view: before the pod serves. */
    async load(): Promise<void> {
      await guides.load();
    },
    refreshGuides: () => guides.refresh(),
    guidesOf,
    guidesOfOffer: (offerId: string) => guidesOf({ subjectKind: "offer", subjectId: offerId }),
    guidesOfService: (key: string) => guidesOf({ subjectKind: "service", subjectId: key }),

    /** What can go with aid: published practices, public workflows and public uploaded guides. */
    async guideChoices() {
      const workflows = (await store.list("workflow")).filter(
        (w) => w.visibility === "public" && w.status === "active",
      );
      const guidesUploaded = (await uploads.list()).filter((u) => u.visibility === "public");
      return [
        ...(await practices.list({ status: "published", limit: 200 })).map((p) => ({
          guideKind: "practice" as const,
          guideId: p.id,
          name: p.title,
        })),
        ...workflows.map((w) => ({ guideKind: "workflow" as const, guideId: w.id, name: w.title })),
        ...guidesUploaded.map((u) => ({ guideKind: "upload" as const, guideId: u.id, name: u.title })),
      ];
    },

    async attachGuide(subject: Subject, guideKind: Guide["guideKind"], guideId: string): Promise<void> {
      if (!(await openGuide({ guideKind, guideId }))) {
        throw conflict("only a published practice or a public workflow or guide");
      }
      await republishedAfter(() => store.attach({ ...subject, guideKind, guideId }, deps.now()));
    },

    detachGuide: (subject: Subject, guideKind: Guide["guideKind"], guideId: string) =>
      republishedAfter(() => rooms.write((db) => store.detachWithin(db, { ...subject, guideKind, guideId }))),

    uploads: {
      list: uploads.list,
      get: uploads.get,
      open: uploads.open,
      refusal: uploads.refusal,
      add: (input: UploadInput) => uploads.add(input),
      /** Members only, or public; returns the subjects that show it (their publications must be re-sent). */
      setVisibility: (id: string, visibility: "internal" | "public"): Promise<Subject[]> =>
        republishedAfter(async () => {
          await rooms.write((db) => uploads.setVisibilityWithin(db, id, visibility));
          return store.subjectsOfGuide("upload", id);
        }),
      /** The file and its row go, with every link to it; returns the subjects that showed it. */
      remove: (id: string): Promise<Subject[]> =>
        republishedAfter(async () => {
          const subjects = await store.subjectsOfGuide("upload", id);
          await rooms.write(async (db) => {
            await store.detachWithin(db, { guideKind: "upload", guideId: id });
            await uploads.removeWithin(db, id);
          });
          uploads.removeFile(id);
          return subjects;
        }),
      sweep: uploads.sweep,
    },

    get: find,
    revisions: store.revisions,
    search: store.search,
    list: store.list,
    published: store.published,
    publishedWithin: store.publishedWithin,
    countPublished: store.countPublished,
    publishedByPublicationId: store.byPublicationId,
    withLinks: store.withLinks,

    /** Decisions whose review day has come (`today` in the pod's calendar), still in force. */
    reviewsDue: store.reviewsDue,
    claimReminder: store.claimReminder,
    releaseReminder: store.releaseReminder,

    /** The public lesson that became this practice, as a link for its public page; undefined otherwise. */
    async publicLessonOf(practiceId: string) {
      const lesson = await store.byPractice(practiceId);
      if (lesson?.visibility !== "public" || lesson.status !== "active" || !lesson.publicationId) return undefined;
      return { name: lesson.title, url: memoryIri(config, lesson.publicationId).href };
    },

    /** The lesson that became this practice, if one did (the link back from the practice). */
    lessonOfPractice: (practiceId: string): Promise<Entry | undefined> => store.byPractice(practiceId),

    async create(raw: EntryInput, changeNote = ""): Promise<Entry> {
      const input = entryInputSchema.parse(raw);
      const now = deps.now().toISOString();
      const isPublic = input.visibility === "public";
      return written(async (db) => {
        const inserted = await store.insertWithin(db, {
          id: uuidv7(),
          ...input,
          reviewOn: input.kind === "decision" ? input.reviewOn : null,
          revision: 1,
          status: "active",
          publicationId: isPublic ? uuidv7() : null,
          createdAt: now,
          updatedAt: now,
        });
        if (inserted.kind === "workflow") {
          await store.addRevisionWithin(db, {
            entryId: inserted.id,
            number: 1,
            body: inserted.body,
            changeNote,
            createdAt: now,
          });
        }
        if (isPublic) await publishLater(db, inserted, "create");
        return inserted;
      });
    },

    /** A change; a workflow whose text changed gets a new revision with the change note. */
    async update(id: string, raw: EntryPatch): Promise<Entry> {
      const { changeNote, ...patch } = entryPatchSchema.parse(raw);
      const now = deps.now().toISOString();
      return written(async (db) => {
        const updated = await store.reviseWithin(db, id, patch, changeNote, now);
        if (updated.visibility === "public") await publishLater(db, updated, "update");
        return updated;
      });
    },

    /** Internal → public publishes anew (a new IRI); public → internal deletes what was published. */
    async setVisibility(id: string, visibility: Visibility): Promise<Entry> {
      const now = deps.now();
      return written(async (db) => {
        const current = await store.editableIn(db, id);
        if (current.visibility === visibility) return current;
        const unchanged = eq(e.visibility, current.visibility);
        if (visibility === "internal") {
          const updated = await change(
            db,
            id,
            { visibility, publicationId: null, updatedAt: now.toISOString() },
            unchanged,
          );
          await unpublish(db, current, now);
          return updated;
        }
        const values = { visibility, publicationId: uuidv7(), updatedAt: now.toISOString() };
        const updated = await change(db, id, values, unchanged);
        await publishLater(db, updated, "create");
        return updated;
      });
    },

    async withdraw(id: string): Promise<Entry> {
      const now = deps.now();
      return written(async (db) => {
        const current = await store.editableIn(db, id);
        const updated = await change(db, id, { status: "withdrawn", updatedAt: now.toISOString() });
        if (current.visibility === "public") await unpublish(db, current, now);
        return updated;
      });
    },

    /**
     * The newer decision replaces the older: the older links to it (followers see the Update if public). Once:
     * of two at once, one supersedes and the other finds it superseded (the condition is in the UPDATE).
     */
    async supersede(oldId: string, newId: string): Promise<Entry> {
      const now = deps.now().toISOString();
      return written(async (db) => {
        const updated = await store.supersedeWithin(db, oldId, newId, now);
        if (updated.visibility === "public") await publishLater(db, updated, "update");
        return updated;
      });
    },

    /** A lesson becomes a practice in one step; the lesson keeps the practice's id (and the practice finds it). */
    async promote(id: string): Promise<Entry> {
      const lesson = await rooms.read((db) => store.editableIn(db, id));
      if (lesson.kind !== "lesson") throw conflict("only a lesson learned can become a practice");
      if (lesson.practiceId) return lesson;
      // A practice is published at once, to followers: a members-only lesson must not leave the pod that way.
      if (lesson.visibility !== "public") throw conflict("make the lesson public first: a practice is published");
      // The lesson is taken for its practice first, in the practice's own write: of two promotions at once one
      // makes the practice, the other finds it made (no second practice published to followers).
      const practiceId = uuidv7();
      const values = { practiceId, updatedAt: deps.now().toISOString() };
      return written(async (db) => {
        // Still public (a lesson made internal meanwhile must not go out as a practice).
        const taken = await store.changeWithin(db, id, values, and(isNull(e.practiceId), eq(e.visibility, "public")));
        if (!taken) {
          const current = await store.editableIn(db, id);
          if (current.practiceId) return current;
          throw conflict("make the lesson public first: a practice is published");
        }
        // From the lesson as it is now (an edit may have landed since it was read above).
        await practices.createWithin(
          db,
          {
            title: taken.title,
            summary: taken.summary,
            body: taken.body,
            problem: taken.body ? "" : taken.summary,
            outcomes: [taken.learned, taken.changed].filter(Boolean).join("\n\n"),
            language: taken.language,
          },
          practiceId,
        );
        return taken;
      });
    },
  };
}

export type MemoryService = ReturnType<typeof memoryService>;
