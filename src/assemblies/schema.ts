import { index, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Assemblies this pod convened or was invited to (an ActivityStreams Event, ours or another pod's). */
export const assemblies = sqliteTable(
  "assemblies",
  {
    id: text("id").primaryKey(),
    /** The Event's IRI (ours for a convened assembly, the convener's otherwise). */
    iri: text("iri").notNull().unique(),
    /** The Invite's IRI: answers name it as their object. */
    inviteIri: text("invite_iri").notNull().unique(),
    role: text("role", { enum: ["convener", "invited"] }).notNull(),
    convenerIri: text("convener_iri").notNull(),
    /** Where the convener is reached (invited side; the convener itself has none). */
    convenerInbox: text("convener_inbox"),
    title: text("title").notNull(),
    /** UTC instant, ISO 8601. */
    startTime: text("start_time").notNull(),
    endTime: text("end_time"),
    /** The IANA zone the convener gave the time in. */
    timeZone: text("time_zone").notNull(),
    placeName: text("place_name").notNull(),
    onlineUrl: text("online_url"),
    /** Sanitised HTML of the agenda (rendered from Markdown when convened here). */
    agendaHtml: text("agenda_html").notNull(),
    /** Invited side: this pod's answer, once given. */
    answer: text("answer", { enum: ["accepted", "tentative", "rejected", "left"] }),
    createdAt: text("created_at").notNull(),
    /** Public: a page anyone reads and an Event addressed to Public; participants-only otherwise. */
    visibility: text("visibility", { enum: ["participants", "public"] })
      .notNull()
      .default("participants"),
    /** The minutes (the convener's Article), once published, and the next convener they confirm. */
    minutesIri: text("minutes_iri"),
    minutesHtml: text("minutes_html"),
    /** The minutes as anyone may read them (outcomes only: no contribution's words), built when published. */
    minutesPublicHtml: text("minutes_public_html"),
    /** The convener's readable Note to followers (outcomes only), built when published. */
    minutesNoteHtml: text("minutes_note_html"),
    minutesAt: text("minutes_at"),
    nextConvenerIri: text("next_convener_iri"),
  },
  (t) => [index("assemblies_start").on(t.startTime)],
);

/** The pods invited to an assembly and their answers, as this pod knows them. */
export const assemblyParticipants = sqliteTable(
  "assembly_participants",
  {
    assemblyId: text("assembly_id").notNull(),
    actorIri: text("actor_iri").notNull(),
    /** Kept on the convener's side, where Announces are sent from. */
    inbox: text("inbox"),
    answer: text("answer", { enum: ["invited", "accepted", "tentative", "rejected", "left"] }).notNull(),
    answeredAt: text("answered_at"),
  },
  (t) => [primaryKey({ columns: [t.assemblyId, t.actorIri] })],
);

/** The shared record: contributions in the order the convener announced them. */
export const assemblyContributions = sqliteTable(
  "assembly_contributions",
  {
    iri: text("iri").primaryKey(),
    assemblyId: text("assembly_id").notNull(),
    authorIri: text("author_iri").notNull(),
    kind: text("kind", { enum: ["report", "crisis", "proposal", "reply", "pledge"] }).notNull(),
    contentHtml: text("content_html").notNull(),
    inReplyTo: text("in_reply_to"),
    publishedAt: text("published_at").notNull(),
    /**
     * When the convener announced it: the record's order, with the IRI to break ties. Null for this pod's own
     * contribution until the convener's Announce comes back (it is served at its IRI meanwhile).
     */
    announcedAt: text("announced_at"),
  },
  (t) => [index("assembly_contributions_order").on(t.assemblyId, t.announcedAt, t.iri)],
);

/**
 * Each pod's own ratification of a proposal in an assembly's record: an Accept (adopted) or Reject (declined)
 * served at its IRI by the pod that decided. Nothing here binds a pod that did not adopt.
 */
export const assemblyRatifications = sqliteTable(
  "assembly_ratifications",
  {
    /** The Accept or Reject activity's IRI, on the deciding pod's origin. */
    iri: text("iri").primaryKey(),
    assemblyId: text("assembly_id").notNull(),
    proposalIri: text("proposal_iri").notNull(),
    actorIri: text("actor_iri").notNull(),
    answer: text("answer", { enum: ["adopted", "declined"] }).notNull(),
    /** This pod's own decision in its memory (decisions log); null for other pods' ratifications. */
    decisionId: text("decision_id"),
    decidedAt: text("decided_at").notNull(),
  },
  (t) => [
    uniqueIndex("assembly_ratifications_one").on(t.proposalIri, t.actorIri),
    index("assembly_ratifications_assembly").on(t.assemblyId),
  ],
);

// Agenda drafts, pledges and crisis threads (asm-a): their own file, re-exported for drizzle-kit.
export * from "./schema-barter.ts";
