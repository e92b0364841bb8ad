import { Article, Link, type Measure, Place, PropertyValue, Proposal, type Object as APObject } from "@fedify/vocab";
import { z } from "zod";
import { htmlToText, sanitize } from "../web/sanitize.ts";
import type { ViewKind } from "../publishing/kind-names.ts";
import type { viewObjects } from "./schema.ts";
import { plainlyValid } from "./view-record-check.ts";

/** A neighbor's object as the view keeps it: sanitised, validated, with its origin. */
export type ViewRecord = Omit<typeof viewObjects.$inferSelect, "extra" | "receivedAt"> & {
  extra: { tags?: string[]; revision?: string; reviewDue?: string; entry?: MemoryEntryKind };
  services: ViewServiceRecord[];
};

export interface ViewServiceRecord {
  iri: string;
  name: string;
  categoryIri: string | null;
  status: "active" | "paused" | "planned";
  target: string | null;
}

/** A memory entry's kinds, as its Article's `entry` property names them (memory/to-as.ts). */
export const MEMORY_ENTRY_KINDS = ["decision", "workflow", "lesson"] as const;
export type MemoryEntryKind = (typeof MEMORY_ENTRY_KINDS)[number];
const isEntryKind = (value: string | undefined): value is MemoryEntryKind =>
  (MEMORY_ENTRY_KINDS as readonly string[]).includes(value ?? "");

const httpIri = z.url({ protocol: /^https?$/ }).max(2048);
const text = (max: number) => z.string().max(max);
const SUMMARY_MAX = 5000;
const milli = z.number().int().min(0).max(1e15).nullable();

/** The limits a record must meet to enter the view; anything else is refused with one log line. */
export const viewRecordSchema = z.object({
  iri: httpIri,
  // Set by kindOf, never read from the object.
  kind: z.custom<ViewKind>((value) => typeof value === "string"),
  podIri: httpIri,
  name: text(300).min(1),
  summary: text(SUMMARY_MAX),
  content: text(100_000),
  url: httpIri.nullable(),
  categoryIri: httpIri.nullable(),
  action: text(64).nullable(),
  unit: text(64).nullable(),
  quantityMilli: milli,
  availableMilli: milli,
  startsAt: z.iso.datetime({ offset: true }).nullable(),
  endsAt: z.iso.datetime({ offset: true }).nullable(),
  areaName: text(200).nullable(),
  latitude: z.number().min(-90).max(90).nullable(),
  longitude: z.number().min(-180).max(180).nullable(),
  extra: z.object({
    tags: z.array(text(64)).max(50).optional(),
    revision: text(20).optional(),
    reviewDue: text(40).optional(),
    entry: z.enum(MEMORY_ENTRY_KINDS).optional(),
  }),
  adaptedFrom: httpIri.nullable(),
  published: z.iso.datetime({ offset: true }),
  version: z.iso.datetime({ offset: true }),
  services: z
    .array(
      z.object({
        iri: httpIri,
        name: text(300).min(1),
        categoryIri: httpIri.nullable(),
        status: z.enum(["active", "paused", "planned"]),
        target: text(40).nullable(),
      }),
    )
    .max(100),
});

export class InvalidObjectError extends Error {
  override name = "InvalidObjectError";
}

const str = (value: unknown) => (value === null || value === undefined ? "" : String(value));
const textOf = (value: unknown) => (value === null || value === undefined ? null : String(value));
const instant = (value: { toString(): string } | null | undefined) =>
  value ? new Date(value.toString()).toISOString() : null;

/** "12.5" → 12500 (thousandths), the same unit the pod's own offers use; absent stays null. */
export function decimalToMilli(value: string | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  // A quantity that is there but not a non-negative decimal (negative, NaN, words) makes the object invalid.
  if (!/^\d+(\.\d+)?$/.test(value))
    throw new InvalidObjectError(`quantity "${value.slice(0, 40)}" is not a non-negative number`);
  return Math.round(Number(value) * 1000);
}

function propertyValues(attachments: unknown[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const a of attachments)
    if (a instanceof PropertyValue && a.name) values.set(str(a.name), htmlToText(str(a.value)));
  return values;
}

/** Which kind of our objects this is, or null for what the view does not keep (Notes and the rest). */
export async function kindOf(object: APObject): Promise<ViewRecord["kind"] | null> {
  if (object instanceof Proposal) return proposalKind(object.purpose);
  if (object instanceof Article) {
    const fields = propertyValues(await arrayOf(object.getAttachments()).catch(() => []));
    // A monthly sovereignty report (its figures are read by sovereignty/from-as.ts): not a view item.
    if (fields.has("period")) return null;
    if (isEntryKind(fields.get("entry"))) return "memory";
    return fields.has("revision") && fields.has("reviewDue") ? "charter" : "practice";
  }
  return null;
}

/** An offer (`purpose: offer`) or a need (`purpose: request`); null for any other purpose. */
export const proposalKind = (purpose: string | null | undefined): "offer" | "need" | null =>
  purpose === "request" ? "need" : purpose === "offer" ? "offer" : null;

/**
 * What every kind of object says, as plain values (instants as ISO strings): read from a Fedify object
 * here, or from the compact JSON of our own context by the inbox's fast path (fast-inbox.ts).
 */
export interface ObjectFields {
  iri: string;
  name: string | null;
  summary: string | null;
  content: string | null;
  url: string | null;
  startTime: string | null;
  endTime: string | null;
  published: string | null;
  updated: string | null;
}

/** An offer's or need's own values beyond the common ones: its Intent's and its Place's. */
export interface ProposalFields extends ObjectFields {
  purpose: string | null;
  action: string | null;
  categoryIri: string | null;
  resourceQuantity: { unit: string | null; value: string | null } | null;
  availableQuantity: { unit: string | null; value: string | null } | null;
  place: { name: string | null; latitude: number | null; longitude: number | null } | null;
}

/**
 * A neighbor's ActivityStreams object (as Fedify read it) to a view record. The record itself is built in
 * one place for both inbox paths (commonRecord, proposalRecord): remote HTML is sanitised and the record
 * validated there, before anything is stored.
 */
export async function toViewRecord(object: APObject, podIri: string): Promise<ViewRecord> {
  const kind = await kindOf(object);
  if (!kind || !object.id) throw new InvalidObjectError("not an offer, need, charter or practice");
  const fields: ObjectFields = {
    iri: object.id.href,
    name: textOf(object.name),
    summary: textOf(object.summary),
    content: textOf(object.content),
    url:
      object.url instanceof URL ? object.url.href : object.url instanceof Link ? (object.url.href?.href ?? null) : null,
    startTime: instant(object.startTime),
    endTime: instant(object.endTime),
    published: instant(object.published),
    updated: instant(object.updated),
  };

  if (object instanceof Proposal) {
    const intent = object.publishes;
    const quantity = (measure: Measure | null | undefined) =>
      measure ? { unit: measure.unit ?? null, value: measure.numericalValue ?? null } : null;
    const place = await object.getLocation().catch(() => null);
    return proposalRecord(
      {
        ...fields,
        purpose: object.purpose,
        action: intent?.action ?? null,
        categoryIri: intent?.resourceConformsTo?.href ?? null,
        resourceQuantity: quantity(intent?.resourceQuantity),
        availableQuantity: quantity(intent?.availableQuantity),
        place:
          place instanceof Place
            ? { name: textOf(place.name), latitude: place.latitude, longitude: place.longitude }
            : null,
      },
      podIri,
    );
  }

  const base = commonRecord(kind, podIri, fields);
  if (kind === "charter") {
    const attachments = await arrayOf(object.getAttachments());
    const values = propertyValues(attachments);
    base.extra = { revision: values.get("revision"), reviewDue: values.get("reviewDue") };
    for (const service of attachments) {
      // A charter speaks only for its own pod's services.
      if (!(service instanceof Proposal) || !service.id || service.id.host !== object.id.host) continue;
      const serviceFields = propertyValues(await arrayOf(service.getAttachments()));
      const status = serviceFields.get("status");
      base.services.push({
        iri: service.id.href,
        name: htmlToText(str(service.name)),
        categoryIri: service.publishes?.resourceConformsTo?.href ?? null,
        status: status === "paused" || status === "planned" ? status : "active",
        target: serviceFields.get("target") ?? null,
      });
    }
    return validated(base);
  }
  const entry = kind === "memory" ? propertyValues(await arrayOf(object.getAttachments())) : null;
  const tags: string[] = [];
  let adaptedFrom: string | null = null;
  for await (const tag of object.getTags()) {
    if (tag instanceof Link && tag.href && /activitystreams/.test(tag.mediaType ?? "")) adaptedFrom = tag.href.href;
    else if (tag.name) tags.push(str(tag.name).replace(/^#/, ""));
  }
  if (entry) {
    const kindOfEntry = entry.get("entry");
    if (!isEntryKind(kindOfEntry)) throw new InvalidObjectError("not a memory entry");
    return memoryRecord(
      { ...fields, adaptedFrom, entry: kindOfEntry, revision: entry.get("revision") ?? null },
      podIri,
    );
  }
  return practiceRecord({ ...fields, tags, adaptedFrom }, podIri);
}

/** A memory entry's own values beyond the common ones. */
export interface MemoryFields extends ObjectFields {
  entry: MemoryEntryKind;
  revision: string | null;
  adaptedFrom: string | null;
}

/** A memory entry's view record: from a neighbor's Article, or from this pod's own entry (memory/to-view.ts). */
export function memoryRecord(fields: MemoryFields, podIri: string): ViewRecord {
  const record = commonRecord("memory", podIri, fields);
  record.adaptedFrom = fields.adaptedFrom;
  record.extra = { entry: fields.entry, ...(fields.revision ? { revision: fields.revision } : {}) };
  return validated(record);
}

/** A practice's own values beyond the common ones. */
export interface PracticeFields extends ObjectFields {
  tags: string[];
  adaptedFrom: string | null;
}

/** A practice's view record: from a neighbor's Article, or from this pod's own practice (practices/to-view.ts). */
export function practiceRecord(fields: PracticeFields, podIri: string): ViewRecord {
  const record = commonRecord("practice", podIri, fields);
  record.adaptedFrom = fields.adaptedFrom;
  record.extra = { tags: fields.tags };
  return validated(record);
}

/** An offer's or need's view record, from whichever path read it (or from this pod's own offer, offers/to-view.ts). */
export function proposalRecord(fields: ProposalFields, podIri: string): ViewRecord {
  const kind = proposalKind(fields.purpose);
  if (!kind) throw new InvalidObjectError("not an offer or a need");
  const record = commonRecord(kind, podIri, fields);
  // The view's summary is what the pod wrote about it (the description, in `content`), for search and
  // matching, as for this pod's own; the Proposal's summary is a line for Mastodon (name, quantity, area).
  record.summary = htmlToText(fields.content ?? "").slice(0, SUMMARY_MAX);
  record.action = fields.action;
  record.categoryIri = fields.categoryIri;
  record.unit = fields.resourceQuantity?.unit ?? fields.availableQuantity?.unit ?? null;
  record.quantityMilli = decimalToMilli(fields.resourceQuantity?.value);
  record.availableMilli = decimalToMilli(fields.availableQuantity?.value) ?? record.quantityMilli;
  if (fields.place) {
    record.areaName = fields.place.name ? htmlToText(fields.place.name) : null;
    record.latitude = fields.place.latitude;
    record.longitude = fields.place.longitude;
  }
  return validated(record);
}

function commonRecord(kind: ViewRecord["kind"], podIri: string, fields: ObjectFields): ViewRecord {
  const published = fields.published ?? new Date().toISOString();
  return {
    iri: fields.iri,
    kind,
    podIri,
    name: htmlToText(fields.name ?? "").slice(0, 300),
    summary: htmlToText(fields.summary ?? ""),
    content: sanitize(fields.content ?? ""),
    url: fields.url,
    categoryIri: null,
    action: null,
    unit: null,
    quantityMilli: null,
    availableMilli: null,
    startsAt: fields.startTime,
    endsAt: fields.endTime,
    areaName: null,
    latitude: null,
    longitude: null,
    extra: {},
    adaptedFrom: null,
    published,
    version: fields.updated ?? published,
    services: [],
  };
}

const LIMITS = { summaryMax: SUMMARY_MAX, entryKinds: MEMORY_ENTRY_KINDS };

function validated(record: ViewRecord): ViewRecord {
  if (plainlyValid(record, LIMITS)) return record;
  const parsed = viewRecordSchema.safeParse(record);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidObjectError(`${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

async function arrayOf<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
