import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { ViewKind } from "../publishing/kind-names.ts";

/**
 * Activities received from other pods after their signatures were verified: the raw material of the
 * confederal view. Only structure is kept (types and ids), not bodies. Written for every activity, so
 * indexed only where it is read: by id (was it seen?) and by seq (the operators' list).
 */
export const receivedActivities = sqliteTable("received_activities", {
  seq: integer("seq").primaryKey({ autoIncrement: true }),
  activityIri: text("activity_iri").notNull().unique(),
  type: text("type").notNull(),
  actorIri: text("actor_iri").notNull(),
  objectIri: text("object_iri"),
  objectType: text("object_type"),
  /** Whether this pod follows the sender (only followed pods feed the view). */
  fromFollowed: integer("from_followed", { mode: "boolean" }).notNull(),
  receivedAt: text("received_at").notNull(),
});

/** Pods whose objects are in the view: the ones this pod follows, and origins of relayed objects. */
export const neighborPods = sqliteTable("neighbor_pods", {
  actorIri: text("actor_iri").primaryKey(),
  name: text("name").notNull(),
  handle: text("handle"),
  url: text("url"),
  updatedAt: text("updated_at").notNull(),
});

/** The columns of an object in the view's shape: a neighbor's (view_objects) or this pod's own (view_own_objects). */
const viewObjectColumns = () => ({
  iri: text("iri").primaryKey(),
  kind: text("kind").$type<ViewKind>().notNull(),
  podIri: text("pod_iri").notNull(),
  name: text("name").notNull(),
  /** Plain text, for search, feeds and CSV. */
  summary: text("summary").notNull(),
  /** Sanitised HTML. */
  content: text("content").notNull(),
  url: text("url"),
  categoryIri: text("category_iri"),
  action: text("action"),
  unit: text("unit"),
  quantityMilli: integer("quantity_milli"),
  availableMilli: integer("available_milli"),
  startsAt: text("starts_at"),
  endsAt: text("ends_at"),
  areaName: text("area_name"),
  latitude: real("latitude"),
  longitude: real("longitude"),
  /** JSON: tags (practices) or the charter's services (see charterServices). */
  extra: text("extra").notNull().default("{}"),
  adaptedFrom: text("adapted_from"),
  published: text("published").notNull(),
  /** The object's own `updated` (or `published`): decides between out-of-order updates. */
  version: text("version").notNull(),
});

/**
 * The confederal view: the current offers, needs, charters and practices of neighbor pods, as received
 * (sanitised and validated). One row per object IRI, whichever paths it arrived by.
 */
export const viewObjects = sqliteTable(
  "view_objects",
  {
    ...viewObjectColumns(),
    receivedAt: text("received_at").notNull(),
  },
  (t) => [
    index("view_kind_category").on(t.kind, t.categoryIri, t.published),
    index("view_kind_published").on(t.kind, t.published),
    index("view_pod").on(t.podIri),
    index("view_ends").on(t.kind, t.endsAt),
    /** near=lat,lon with a small radius: a latitude range instead of reading every object (view.ts planFor). */
    index("view_position").on(t.latitude, t.longitude),
  ],
);

/**
 * This pod's own published objects in the view's shape, so matching and practice spread read them with
 * the neighbors' by one query. Each owning room maintains its rows (through view-projection.ts, with the record
 * its converter makes: the same item a neighbor gets) and the pod rebuilds them at start.
 */
export const viewOwnObjects = sqliteTable("view_own_objects", viewObjectColumns(), (t) => [
  index("view_own_kind_category").on(t.kind, t.categoryIri, t.published),
  index("view_own_kind_published").on(t.kind, t.published),
  index("view_own_ends").on(t.kind, t.endsAt),
  index("view_own_adapted").on(t.adaptedFrom),
]);

/** The services of neighbor charters, one row each: what the service map is made of. */
export const viewServices = sqliteTable(
  "view_services",
  {
    iri: text("iri").primaryKey(),
    charterIri: text("charter_iri")
      .notNull()
      .references(() => viewObjects.iri, { onDelete: "cascade" }),
    podIri: text("pod_iri").notNull(),
    name: text("name").notNull(),
    categoryIri: text("category_iri"),
    /** active, paused or planned */
    status: text("status").notNull(),
    target: text("target"),
  },
  (t) => [index("view_services_category").on(t.categoryIri), index("view_services_charter").on(t.charterIri)],
);

/** How each object reached this pod: directly from its origin, or re-shared (Announce) by a followed pod. */
export const viewPaths = sqliteTable(
  "view_paths",
  {
    objectIri: text("object_iri")
      .notNull()
      .references(() => viewObjects.iri, { onDelete: "cascade" }),
    /** The followed pod it came through (the origin itself for a direct delivery). */
    viaIri: text("via_iri").notNull(),
    announceIri: text("announce_iri"),
    receivedAt: text("received_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.objectIri, t.viaIri] }), index("view_paths_via").on(t.viaIri)],
);

/** Neighbor objects this pod's operator re-shared (Announce) to its own followers. */
export const relayedObjects = sqliteTable("relayed_objects", {
  objectIri: text("object_iri").primaryKey(),
  originIri: text("origin_iri").notNull(),
  announceIri: text("announce_iri").notNull(),
  createdAt: text("created_at").notNull(),
});

/**
 * Objects their origin deleted. ActivityPub ids are never reused, so a deleted id stays deleted: a
 * Create or Update that arrives after its Delete (a retry, a replay, a slow relay) does not bring it back.
 */
export const viewDeletions = sqliteTable("view_deletions", {
  iri: text("iri").primaryKey(),
  podIri: text("pod_iri").notNull(),
  deletedAt: text("deleted_at").notNull(),
});
