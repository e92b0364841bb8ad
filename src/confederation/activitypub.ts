import { Article, Link, Place, PropertyValue, Proposal, type Object as APObject } from "@fedify/vocab";
import { z } from "zod";
import { htmlToText, sanitize } from "../web/sanitize.ts";
import type { viewObjects } from "./schema.ts";

/** A neighbor's object as the view keeps it: sanitised, validated, with its origin. */
export type ViewRecord = Omit<typeof viewObjects.$inferSelect, "extra" | "receivedAt"> & {
  extra: { tags?: string[]; revision?: string; reviewDue?: string };
  services: ViewServiceRecord[];
};

export interface ViewServiceRecord {
  iri: string;
  name: string;
  categoryIri: string | null;
  status: "active" | "paused" | "planned";
  target: string | null;
}

const httpIri = z.url({ protocol: /^https?$/ }).max(2048);
const text = (max: number) => z.string().max(max);
const milli = z.number().int().min(0).max(1e15).nullable();

/** The limits a record must meet to enter the view; anything else is refused with one log line. */
const viewRecordSchema = z.object({
  iri: httpIri,
  kind: z.enum(["offer", "need", "charter", "practice"]),
  podIri: httpIri,
  name: text(300).min(1),
  summary: text(5000),
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
  extra: z.object({ tags: z.array(text(64)).max(50).optional(), revision: text(20).optional(), reviewDue: text(40).optional() }),
  adaptedFrom: httpIri.nullable(),
  published: z.iso.datetime({ offset: true }),
  version: z.iso.datetime({ offset: true }),
  services: z
    .array(z.object({ iri: httpIri, name: text(300).min(1), categoryIri: httpIri.nullable(), status: z.enum(["active", "paused", "planned"]), target: text(40).nullable() }))
    .max(100),
});

export class InvalidObjectError extends Error {
  override name = "InvalidObjectError";
}

const str = (value: unknown) => (value === null || value === undefined ? "" : String(value));
const instant = (value: { toString(): string } | null | undefined) => (value ? new Date(value.toString()).toISOString() : null);

/** "12.5" → 12500 (thousandths), the same unit the pod's own offers use; absent stays null. */
export function decimalToMilli(value: string | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  // A quantity that is there but not a non-negative decimal (negative, NaN, words) makes the object invalid.
  if (!/^\d+(\.\d+)?$/.test(value)) throw new InvalidObjectError(`quantity "${value.slice(0, 40)}" is not a non-negative number`);
  return Math.round(Number(value) * 1000);
}

function propertyValues(attachments: unknown[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const a of attachments) if (a instanceof PropertyValue && a.name) values.set(str(a.name), htmlToText(str(a.value)));
  return values;
}

/** Which kind of our objects this is, or null for what the view does not keep (Notes and the rest). */
export async function kindOf(object: APObject): Promise<ViewRecord["kind"] | null> {
  if (object instanceof Proposal) return object.purpose === "request" ? "need" : object.purpose === "offer" ? "offer" : null;
  if (object instanceof Article) {
    const fields = propertyValues(await arrayOf(object.getAttachments()).catch(() => []));
    return fields.has("revision") && fields.has("reviewDue") ? "charter" : "practice";
  }
  return null;
}

/**
 * One converter from a neighbor's ActivityStreams object to a view record. Remote HTML is sanitised and
 * the record validated here, before anything is stored.
 */
export async function toViewRecord(object: APObject, podIri: string): Promise<ViewRecord> {
  const kind = await kindOf(object);
  if (!kind || !object.id) throw new InvalidObjectError("not an offer, need, charter or practice");
  const published = instant(object.published) ?? new Date().toISOString();
  const base = {
    iri: object.id.href,
    kind,
    podIri,
    name: htmlToText(str(object.name)).slice(0, 300),
    summary: htmlToText(str(object.summary)),
    content: sanitize(str(object.content)),
    url: object.url instanceof URL ? object.url.href : object.url instanceof Link ? (object.url.href?.href ?? null) : null,
    categoryIri: null as string | null,
    action: null as string | null,
    unit: null as string | null,
    quantityMilli: null as number | null,
    availableMilli: null as number | null,
    startsAt: instant(object.startTime),
    endsAt: instant(object.endTime),
    areaName: null as string | null,
    latitude: null as number | null,
    longitude: null as number | null,
    extra: {} as ViewRecord["extra"],
    adaptedFrom: null as string | null,
    published,
    version: instant(object.updated) ?? published,
    services: [] as ViewServiceRecord[],
  };

  if (object instanceof Proposal) {
    const intent = object.publishes;
    base.action = intent?.action ?? null;
    base.categoryIri = intent?.resourceConformsTo?.href ?? null;
    base.unit = intent?.resourceQuantity?.unit ?? intent?.availableQuantity?.unit ?? null;
    base.quantityMilli = decimalToMilli(intent?.resourceQuantity?.numericalValue);
    base.availableMilli = decimalToMilli(intent?.availableQuantity?.numericalValue) ?? base.quantityMilli;
    const place = await object.getLocation().catch(() => null);
    if (place instanceof Place) {
      base.areaName = place.name ? htmlToText(str(place.name)) : null;
      base.latitude = place.latitude ?? null;
      base.longitude = place.longitude ?? null;
    }
  } else if (kind === "charter") {
    const attachments = await arrayOf(object.getAttachments());
    const fields = propertyValues(attachments);
    base.extra = { revision: fields.get("revision"), reviewDue: fields.get("reviewDue") };
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
  } else {
    const tags: string[] = [];
    for await (const tag of object.getTags()) {
      if (tag instanceof Link && tag.href && /activitystreams/.test(tag.mediaType ?? "")) base.adaptedFrom = tag.href.href;
      else if (tag.name) tags.push(str(tag.name).replace(/^#/, ""));
    }
    base.extra = { tags };
  }

  const parsed = viewRecordSchema.safeParse(base);
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
