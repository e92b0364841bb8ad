import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** The convener's draft agenda (Markdown), kept apart from the published one until the convener publishes it. */
export const assemblyAgendaDrafts = sqliteTable("assembly_agenda_drafts", {
  assemblyId: text("assembly_id").primaryKey(),
  markdown: text("markdown").notNull(),
  draftedAt: text("drafted_at").notNull(),
  /** When the convener last published an agenda (an Update of the Event); null while it is only a draft. */
  publishedAt: text("published_at"),
});

/**
 * Pledges made at an assembly: one pod sends some of one of its offers to another. The pledge is a contribution
 * in the shared record (its IRI); its confirmation is the giving pod's reply there.
 */
export const assemblyPledges = sqliteTable(
  "assembly_pledges",
  {
    iri: text("iri").primaryKey(),
    assemblyId: text("assembly_id").notNull(),
    proposerIri: text("proposer_iri").notNull(),
    giverIri: text("giver_iri").notNull(),
    receiverIri: text("receiver_iri").notNull(),
    /** The giver's offer (its FEP-0837 Proposal IRI). */
    offerIri: text("offer_iri").notNull(),
    offerName: text("offer_name").notNull(),
    quantityMilli: integer("quantity_milli").notNull(),
    unit: text("unit").notNull(),
    /** The day it is due by (YYYY-MM-DD). */
    due: text("due").notNull(),
    state: text("state", { enum: ["proposed", "confirmed"] }).notNull(),
    /** The giving pod's confirming contribution. */
    confirmationIri: text("confirmation_iri"),
    confirmedAt: text("confirmed_at"),
    /** Giver's side only: the claim the confirmation made on its offer. */
    claimId: text("claim_id"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("assembly_pledges_assembly").on(t.assemblyId)],
);

/** Crisis threads: opened by one participant, answered by others, closed only by the opener. */
export const assemblyCrises = sqliteTable(
  "assembly_crises",
  {
    iri: text("iri").primaryKey(),
    assemblyId: text("assembly_id").notNull(),
    openerIri: text("opener_iri").notNull(),
    what: text("what").notNull(),
    place: text("place").notNull(),
    needed: text("needed").notNull(),
    state: text("state", { enum: ["open", "closed"] }).notNull(),
    /** The opener's closing contribution. */
    closingIri: text("closing_iri"),
    closedAt: text("closed_at"),
    openedAt: text("opened_at").notNull(),
  },
  (t) => [index("assembly_crises_assembly").on(t.assemblyId, t.state)],
);
