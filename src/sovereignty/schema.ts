import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Metric types this pod added to the shared taxonomy; their IRIs live under the pod's own URL. */
export const sovereigntyMetricTypes = sqliteTable("sovereignty_metric_types", {
  slug: text("slug").primaryKey(),
  labelEn: text("label_en").notNull(),
  labelEs: text("label_es").notNull(),
  unit: text("unit").notNull(),
  category: text("category").notNull(),
  replaces: text("replaces").notNull(),
  /** Hours of life liberated per unit unless the pod's weights say otherwise (sovereignty_weights). */
  defaultWeightMilli: integer("default_weight_milli").notNull().default(0),
  createdAt: text("created_at").notNull(),
});

/**
 * The ledger. An entry is never changed after insert: a correction is a new entry that supersedes it (the
 * current entries are those nothing supersedes). No column names or identifies a person helped.
 */
export const sovereigntyEntries = sqliteTable(
  "sovereignty_entries",
  {
    id: text("id").primaryKey(),
    metric: text("metric").notNull(),
    /** The day it happened, in the pod's time zone (YYYY-MM-DD). */
    date: text("date").notNull(),
    quantityMilli: integer("quantity_milli").notNull(),
    /** Hours the pod's people put in (optional). */
    effortMilli: integer("effort_milli"),
    /** The charter service's key, if any. */
    service: text("service"),
    /** Private to the pod's members; never published. */
    note: text("note").notNull(),
    source: text("source", { enum: ["app", "csv", "api"] }).notNull(),
    /** Who entered it (a member id, or "operator"): the author, never the person helped. */
    enteredBy: text("entered_by").notNull(),
    supersedes: text("supersedes"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("sovereignty_entries_date").on(t.date), index("sovereignty_entries_supersedes").on(t.supersedes)],
);

/** The pod's weights (hours of life liberated per unit), where it changed a default. */
export const sovereigntyWeights = sqliteTable("sovereignty_weights", {
  metric: text("metric").primaryKey(),
  hoursPerUnitMilli: integer("hours_per_unit_milli").notNull(),
  reason: text("reason").notNull(),
  updatedAt: text("updated_at").notNull(),
});

/** One row: the pod's choices for its reports. */
export const sovereigntySettings = sqliteTable("sovereignty_settings", {
  id: integer("id").primaryKey(),
  /** Counts below this are published as "fewer than N". */
  smallCountThreshold: integer("small_count_threshold").notNull(),
});

/** Monthly reports: drafted from the ledger, edited and published by coordinators. */
export const sovereigntyReports = sqliteTable("sovereignty_reports", {
  id: text("id").primaryKey(),
  /** YYYY-MM, in the pod's time zone. */
  month: text("month").notNull().unique(),
  status: text("status", { enum: ["draft", "published"] }).notNull(),
  /** JSON: the figures as drafted (see report.ts ReportFigures). */
  figures: text("figures", { mode: "json" }).notNull(),
  /** The coordinators' words. */
  intro: text("intro").notNull(),
  progress: text("progress").notNull(),
  language: text("language").notNull(),
  /** How many times it was published (1: first; more: corrections, sent as Updates). */
  revision: integer("revision").notNull(),
  createdAt: text("created_at").notNull(),
  updatedAt: text("updated_at").notNull(),
  publishedAt: text("published_at"),
});

/**
 * Figures from followed pods' reports: the latest version of each pod's report for a month replaces the
 * earlier one (all of that pod-month's rows go together).
 */
export const sovereigntyNeighborFigures = sqliteTable(
  "sovereignty_neighbor_figures",
  {
    podIri: text("pod_iri").notNull(),
    month: text("month").notNull(),
    metricIri: text("metric_iri").notNull(),
    reportIri: text("report_iri").notNull(),
    unit: text("unit").notNull(),
    /** Null when the pod published "fewer than" (fewerThan set). */
    quantityMilli: integer("quantity_milli"),
    fewerThan: integer("fewer_than"),
    version: text("version").notNull(),
    receivedAt: text("received_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.podIri, t.month, t.metricIri] }),
    index("sovereignty_figures_metric_month").on(t.metricIri, t.month),
  ],
);

/**
 * The confederal totals per metric type and month, kept in step with sovereignty_neighbor_figures (the same
 * transaction replaces a pod's month there and moves its share here), so reading a chart is 24 rows.
 */
export const sovereigntyTotals = sqliteTable(
  "sovereignty_totals",
  {
    metricIri: text("metric_iri").notNull(),
    month: text("month").notNull(),
    unit: text("unit").notNull(),
    quantityMilli: integer("quantity_milli").notNull(),
    podCount: integer("pod_count").notNull(),
    fewerThanCount: integer("fewer_than_count").notNull(),
    fewerThan: integer("fewer_than"),
  },
  (t) => [primaryKey({ columns: [t.metricIri, t.month] })],
);
