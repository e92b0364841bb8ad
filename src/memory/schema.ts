import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const ENTRY_KINDS = ["decision", "workflow", "lesson"] as const;
export const VISIBILITIES = ["internal", "public"] as const;
export const ENTRY_STATUSES = ["active", "withdrawn"] as const;

/**
 * The pod's memory: decisions, workflows and lessons learned. Internal entries stay with the members;
 * public ones are published (as Articles with a companion Note) at /memory/<publicationId>.
 */
export const memoryEntries = sqliteTable(
  "memory_entries",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: ENTRY_KINDS }).notNull(),
    title: text("title").notNull(),
    /** The gist, one or two sentences: what people's servers show with the title. */
    summary: text("summary").notNull(),
    /** Markdown: a workflow's steps, a decision's reasons, a lesson's account of what happened. */
    body: text("body").notNull(),
    /** Decisions: the group that decided (a group, not a person). */
    decidedBy: text("decided_by").notNull().default(""),
    /** Decisions: the alternatives considered (plain text). */
    alternatives: text("alternatives").notNull().default(""),
    /** Decisions: the day to look at it again (YYYY-MM-DD, the pod's calendar). */
    reviewOn: text("review_on"),
    /** Decisions: the entry that replaced this one. */
    supersededBy: text("superseded_by"),
    /** Lessons: what we learned, and what we changed (plain text). */
    learned: text("learned").notNull().default(""),
    changed: text("changed").notNull().default(""),
    /** Lessons: the practice this lesson was promoted to. */
    practiceId: text("practice_id"),
    /** Workflows: the neighbor's workflow this one adapts. */
    adaptedFrom: text("adapted_from"),
    /** Workflows: the current revision's number (1 for the first). */
    revision: integer("revision").notNull().default(1),
    visibility: text("visibility", { enum: VISIBILITIES }).notNull(),
    status: text("status", { enum: ENTRY_STATUSES }).notNull(),
    /**
     * The id in the published object's IRI while the entry is public. A new one each time it becomes
     * public again: neighbors remember a deleted IRI and would refuse it back.
     */
    publicationId: text("publication_id").unique(),
    language: text("language").notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("memory_entries_kind").on(t.kind, t.status, t.id)],
);

/** Every revision of a workflow's text, with the note that says what changed. */
export const memoryRevisions = sqliteTable(
  "memory_revisions",
  {
    entryId: text("entry_id")
      .notNull()
      .references(() => memoryEntries.id),
    number: integer("number").notNull(),
    body: text("body").notNull(),
    changeNote: text("change_note").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.entryId, t.number] })],
);

export const GUIDE_KINDS = ["practice", "workflow", "upload"] as const;
/** What a guide goes with: an offer or need (the offers room's id), or a charter service (its stable key). */
export const GUIDE_SUBJECTS = ["offer", "service"] as const;

/**
 * Guides that go with aid ("seed autonomy"): a practice, a public workflow or an uploaded guide of this pod,
 * linked to an offer, a need or a service of the People's Service Charter.
 */
export const memoryGuideLinks = sqliteTable(
  "memory_guide_links",
  {
    subjectKind: text("subject_kind", { enum: GUIDE_SUBJECTS }).notNull(),
    subjectId: text("subject_id").notNull(),
    guideKind: text("guide_kind", { enum: GUIDE_KINDS }).notNull(),
    guideId: text("guide_id").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.subjectKind, t.subjectId, t.guideKind, t.guideId] })],
);

/**
 * Guides members uploaded (PDF). The bytes live in a file under DATA_DIR/guides named by the id, never by
 * anything the client sent; this row says what the file is and whether anyone may read it.
 */
export const memoryUploads = sqliteTable("memory_uploads", {
  id: text("id").primaryKey(),
  title: text("title").notNull(),
  summary: text("summary").notNull(),
  /** The name offered when the file is saved: made from the uploaded name, letters, digits, ".-_" only. */
  fileName: text("file_name").notNull(),
  bytes: integer("bytes").notNull(),
  sha256: text("sha256").notNull(),
  visibility: text("visibility", { enum: VISIBILITIES }).notNull(),
  uploadedBy: text("uploaded_by").notNull(),
  createdAt: text("created_at").notNull(),
});

/** Review reminders sent: one per decision, review day and member, recorded before sending (once across restarts). */
export const memoryReviewReminders = sqliteTable(
  "memory_review_reminders",
  {
    entryId: text("entry_id").notNull(),
    reviewOn: text("review_on").notNull(),
    memberId: text("member_id").notNull(),
    sentAt: text("sent_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.entryId, t.reviewOn, t.memberId] })],
);
