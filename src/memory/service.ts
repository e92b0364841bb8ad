import type { Context } from "@fedify/fedify";
import { and, asc, desc, eq, isNull, lte } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import type { Db } from "../db/client.ts";
import { withEventIds, type EventDispatcher } from "../events/dispatcher.ts";
import type { PodDeps } from "../federation/deps.ts";
import { conflict, notFound } from "../http/problem.ts";
import type { PracticesService } from "../practices/service.ts";
import type { ChangeVerb } from "../publishing/announce.ts";
import { sendToFollowers } from "../publishing/deliver.ts";
import { memoryIri, memoryNoteIri, practiceIri } from "../publishing/iris.ts";
export type { Subject } from "./store.ts";
import type { GuideLink } from "../publishing/guides.ts";
import { recordTombstones } from "../publishing/tombstones.ts";
import {
  entryInputSchema,
  entryPatchSchema,
  type Entry,
  type EntryInput,
  type EntryKind,
  type EntryPatch,
  type Visibility,
} from "./model.ts";
import { memoryEntries, memoryRevisions } from "./schema.ts";
import {
  attachGuide,
  detachGuide,
  findEntry,
  guidesOfSubject,
  indexEntry,
  revisionsOf,
  searchEntries,
  subjectsOfGuide,
  withLinks,
  type Guide,
  type Subject,
} from "./store.ts";
import { uploadPath, uploadsStore, type UploadInput } from "./uploads.ts";
import { entryActivities, type PublicEntry } from "./to-as.ts";
import { projectEntry } from "./view-projection.ts";

export type { Entry, EntryKind, Visibility } from "./model.ts";

const ENTRY_CHANGED = "memory.changed";
type Tx = Parameters<EventDispatcher["record"]>[0] & Pick<Db, "select" | "insert" | "update" | "run">;

/** Decisions, workflows and lessons: the rules, one transaction per change, then delivery of public ones. */
export function memoryService(
  deps: PodDeps,
  contextFor: () => Context<null>,
  events: EventDispatcher,
  practices: PracticesService,
) {
  const { db, config } = deps;

  /** Records, in the change's transaction, that followers must be told (run by the event dispatcher). */
  const publishLater = (tx: Tx, row: PublicEntry, verb: ChangeVerb) =>
    events.record(tx, ENTRY_CHANGED, { row, verb }, memoryIri(config, row.publicationId).href);

  events.on(ENTRY_CHANGED, async ({ row, verb }: { row: PublicEntry; verb: ChangeVerb }, event) => {
    projectEntry(deps, row, verb !== "delete");
    const ctx = contextFor();
    const activities = withEventIds(entryActivities(ctx, config, row, verb, deps.now()), event.id);
    await sendToFollowers(ctx, deps, activities, memoryIri(config, row.publicationId).href);
  });

  function find(from: Pick<Db, "select">, id: string): Entry {
    const row = findEntry(from, id);
    if (!row) throw notFound(`no memory entry ${id}`);
    return row;
  }

  function editable(from: Pick<Db, "select">, id: string): Entry {
    const row = find(from, id);
    if (row.status === "withdrawn") throw conflict("this entry was withdrawn and can no longer change");
    return row;
  }

  const published = (tx: Tx, row: Entry) => withLinks(tx, row as PublicEntry);

  /** The published object goes: tombstones at its IRIs (410), a Delete to followers. */
  function unpublish(tx: Tx, row: Entry, now: Date): void {
    if (!row.publicationId) return;
    recordTombstones(
      tx,
      [
        { iri: memoryIri(config, row.publicationId).href, formerType: "Article" },
        { iri: memoryNoteIri(config, row.publicationId).href, formerType: "Note" },
      ],
      now,
    );
    publishLater(tx, published(tx, row), "delete");
  }

  function save(tx: Tx, id: string, values: Partial<Entry>): Entry {
    const row = tx.update(memoryEntries).set(values).where(eq(memoryEntries.id, id)).returning().get();
    indexEntry(tx, row);
    return row;
  }

  async function settled<T>(value: T): Promise<T> {
    await events.settle();
    return value;
  }

  const uploads = uploadsStore(db, config.dataDir, deps.now);

  /** A guide as a link anyone can open: a published practice, a public workflow or upload; null otherwise. */
  function guideLink(guide: Pick<Guide, "guideKind" | "guideId">): (GuideLink & { summary: string }) | null {
    if (guide.guideKind === "practice") {
      const practice = practices.list({ status: "published", limit: 200 }).find((p) => p.id === guide.guideId);
      return practice
        ? { name: practice.title, summary: practice.summary, url: practiceIri(config, practice).href }
        : null;
    }
    if (guide.guideKind === "upload") {
      const upload = uploads.get(guide.guideId);
      if (upload?.visibility !== "public") return null;
      return { name: upload.title, summary: upload.summary, url: new URL(uploadPath(upload.id), config.url).href };
    }
    const entry = findEntry(db, guide.guideId);
    if (!entry?.publicationId || entry.visibility !== "public" || entry.status !== "active") return null;
    return { name: entry.title, summary: entry.summary, url: memoryIri(config, entry.publicationId).href };
  }

  /** The guides of an offer, need or charter service that anyone can open (its page, its Note, the hand-out). */
  const guidesOf = (subject: Subject) =>
    guidesOfSubject(db, subject).flatMap((g) => {
      const link = guideLink(g);
      return link ? [{ ...link, guideKind: g.guideKind, guideId: g.guideId }] : [];
    });

  return {
    guidesOf,
    guidesOfOffer: (offerId: string) => guidesOf({ subjectKind: "offer", subjectId: offerId }),
    guidesOfService: (key: string) => guidesOf({ subjectKind: "service", subjectId: key }),

    /** What can go with aid: published practices, public workflows and public uploaded guides. */
    guideChoices() {
      const workflows = this.list("workflow").filter((e) => e.visibility === "public" && e.status === "active");
      return [
        ...practices
          .list({ status: "published", limit: 200 })
          .map((p) => ({ guideKind: "practice" as const, guideId: p.id, name: p.title })),
        ...workflows.map((w) => ({ guideKind: "workflow" as const, guideId: w.id, name: w.title })),
        ...uploads
          .list()
          .filter((u) => u.visibility === "public")
          .map((u) => ({ guideKind: "upload" as const, guideId: u.id, name: u.title })),
      ];
    },

    attachGuide(subject: Subject, guideKind: Guide["guideKind"], guideId: string): void {
      if (!guideLink({ guideKind, guideId })) throw conflict("only a published practice or a public workflow or guide");
      attachGuide(db, { ...subject, guideKind, guideId }, deps.now());
    },

    detachGuide: (subject: Subject, guideKind: Guide["guideKind"], guideId: string) =>
      detachGuide(db, { ...subject, guideKind, guideId }),

    uploads: {
      list: uploads.list,
      get: uploads.get,
      open: uploads.open,
      refusal: uploads.refusal,
      add: (input: UploadInput) => uploads.add(input),
      /** Members only, or public; returns the subjects that show it (their publications must be re-sent). */
      setVisibility(id: string, visibility: "internal" | "public"): Subject[] {
        uploads.setVisibility(id, visibility);
        return subjectsOfGuide(db, "upload", id);
      },
      /** The file and its row go, with every link to it; returns the subjects that showed it. */
      remove(id: string): Subject[] {
        const subjects = subjectsOfGuide(db, "upload", id);
        detachGuide(db, { guideKind: "upload", guideId: id });
        uploads.remove(id);
        return subjects;
      },
    },

    get: (id: string): Entry => find(db, id),
    revisions: (id: string) => revisionsOf(db, id),
    search: (words: string, publicOnly: boolean) => searchEntries(db, words, publicOnly),

    list(kind?: EntryKind): Entry[] {
      return db
        .select()
        .from(memoryEntries)
        .where(kind ? eq(memoryEntries.kind, kind) : undefined)
        .orderBy(desc(memoryEntries.id))
        .limit(500)
        .all();
    },

    /** Decisions whose review day has come (`today` in the pod's calendar), still in force. */
    reviewsDue(today: string): Entry[] {
      return db
        .select()
        .from(memoryEntries)
        .where(
          and(
            eq(memoryEntries.kind, "decision"),
            eq(memoryEntries.status, "active"),
            isNull(memoryEntries.supersededBy),
            lte(memoryEntries.reviewOn, today),
          ),
        )
        .orderBy(asc(memoryEntries.reviewOn))
        .all();
    },

    /** The public lesson that became this practice, as a link for its public page; undefined otherwise. */
    publicLessonOf(practiceId: string): GuideLink | undefined {
      const lesson = db.select().from(memoryEntries).where(eq(memoryEntries.practiceId, practiceId)).get();
      if (lesson?.visibility !== "public" || lesson.status !== "active" || !lesson.publicationId) return undefined;
      return { name: lesson.title, url: memoryIri(config, lesson.publicationId).href };
    },

    /** The lesson that became this practice, if one did (the link back from the practice). */
    lessonOfPractice(practiceId: string): Entry | undefined {
      return db.select().from(memoryEntries).where(eq(memoryEntries.practiceId, practiceId)).get();
    },

    async create(raw: EntryInput, changeNote = ""): Promise<Entry> {
      const input = entryInputSchema.parse(raw);
      const now = deps.now().toISOString();
      const row = db.transaction((tx) => {
        const isPublic = input.visibility === "public";
        const inserted = tx
          .insert(memoryEntries)
          .values({
            id: uuidv7(),
            ...input,
            reviewOn: input.kind === "decision" ? input.reviewOn : null,
            revision: 1,
            status: "active",
            publicationId: isPublic ? uuidv7() : null,
            createdAt: now,
            updatedAt: now,
          })
          .returning()
          .get();
        if (inserted.kind === "workflow")
          tx.insert(memoryRevisions)
            .values({ entryId: inserted.id, number: 1, body: inserted.body, changeNote, createdAt: now })
            .run();
        indexEntry(tx, inserted);
        if (isPublic) publishLater(tx, published(tx, inserted), "create");
        return inserted;
      });
      return settled(row);
    },

    /** A change; a workflow whose text changed gets a new revision with the change note. */
    async update(id: string, raw: EntryPatch): Promise<Entry> {
      const { changeNote, ...patch } = entryPatchSchema.parse(raw);
      const now = deps.now().toISOString();
      const row = db.transaction((tx) => {
        const current = editable(tx, id);
        const newRevision = current.kind === "workflow" && patch.body !== current.body;
        const revision = newRevision ? current.revision + 1 : current.revision;
        if (newRevision)
          tx.insert(memoryRevisions)
            .values({ entryId: id, number: revision, body: patch.body, changeNote, createdAt: now })
            .run();
        const updated = save(tx, id, {
          ...patch,
          reviewOn: current.kind === "decision" ? patch.reviewOn : null,
          revision,
          updatedAt: now,
        });
        if (updated.visibility === "public") publishLater(tx, published(tx, updated), "update");
        return updated;
      });
      return settled(row);
    },

    /** Internal → public publishes anew (a new IRI); public → internal deletes what was published. */
    async setVisibility(id: string, visibility: Visibility): Promise<Entry> {
      const now = deps.now();
      const row = db.transaction((tx) => {
        const current = editable(tx, id);
        if (current.visibility === visibility) return current;
        if (visibility === "internal") {
          unpublish(tx, current, now);
          return save(tx, id, { visibility, publicationId: null, updatedAt: now.toISOString() });
        }
        const updated = save(tx, id, { visibility, publicationId: uuidv7(), updatedAt: now.toISOString() });
        publishLater(tx, published(tx, updated), "create");
        return updated;
      });
      return settled(row);
    },

    async withdraw(id: string): Promise<Entry> {
      const now = deps.now();
      const row = db.transaction((tx) => {
        const current = editable(tx, id);
        if (current.visibility === "public") unpublish(tx, current, now);
        return save(tx, id, { status: "withdrawn", updatedAt: now.toISOString() });
      });
      return settled(row);
    },

    /** The newer decision replaces the older: the older links to it (followers see the Update if public). */
    async supersede(oldId: string, newId: string): Promise<Entry> {
      const now = deps.now().toISOString();
      const row = db.transaction((tx) => {
        const older = editable(tx, oldId);
        const newer = find(tx, newId);
        if (older.kind !== "decision" || newer.kind !== "decision" || oldId === newId)
          throw conflict("only a decision can supersede another decision");
        const updated = save(tx, oldId, { supersededBy: newId, updatedAt: now });
        if (updated.visibility === "public") publishLater(tx, published(tx, updated), "update");
        return updated;
      });
      return settled(row);
    },

    /** A lesson becomes a practice in one step; the lesson keeps the practice's id (and the practice finds it). */
    async promote(id: string): Promise<Entry> {
      const lesson = editable(db, id);
      if (lesson.kind !== "lesson") throw conflict("only a lesson learned can become a practice");
      if (lesson.practiceId) return lesson;
      // A practice is published at once, to followers: a members-only lesson must not leave the pod that way.
      if (lesson.visibility !== "public") throw conflict("make the lesson public first: a practice is published");
      const practice = await practices.create({
        title: lesson.title,
        summary: lesson.summary,
        body: lesson.body,
        problem: lesson.body ? "" : lesson.summary,
        outcomes: [lesson.learned, lesson.changed].filter(Boolean).join("\n\n"),
        language: lesson.language,
      });
      return db.transaction((tx) => save(tx, id, { practiceId: practice.id, updatedAt: deps.now().toISOString() }));
    },
  };
}

export type MemoryService = ReturnType<typeof memoryService>;
