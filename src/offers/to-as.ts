import { guideParagraphs, type GuideLink } from "../publishing/guides.ts";
import type { Context } from "@fedify/fedify";
import { Intent, Measure, Note, Place, Proposal } from "@fedify/vocab";
import { parseDecimal } from "@fedify/vocab-runtime";
import type { Category } from "../categories/service.ts";
import type { Config } from "../config/schema.ts";
import { toInstant } from "../federation/deps.ts";
import { announceChange, type ChangeVerb } from "../publishing/announce.ts";
import { forPeople, forPods, objectLink, publicAddressing, type Delivery } from "../publishing/deliver.ts";
import { offerIri, offerNoteIri } from "../publishing/iris.ts";
import { formatDate, inLanguage, paragraphs } from "../publishing/text.ts";
import { escapeHtml } from "../web/html.ts";
import { formatMilli, offerQuantityLine } from "./quantity.ts";
import type { Offer } from "./model.ts";

/** Categories whose offers are a service someone performs rather than goods handed over. */
const SERVICE_CATEGORIES = new Set([
  "childcare",
  "eldercare",
  "transport",
  "repair",
  "education",
  "legal",
  "mediation",
  "health",
  "mental-health",
]);

/** The Intent's action: a service someone performs, or goods handed over. */
export const offerAction = (category: Pick<Category, "slug">) =>
  SERVICE_CATEGORIES.has(category.slug) ? "deliverService" : "transfer";

const measure = (milli: number, unit: string) =>
  new Measure({ unit, numericalValue: parseDecimal(formatMilli(milli)) });

const STATUS_WORDS: Record<Offer["status"], string> = {
  open: "",
  partly_claimed: "",
  claimed: "All claimed. ",
  expired: "Expired. ",
  withdrawn: "Withdrawn. ",
};

/** The Proposal's summary: a line Mastodon shows (status, kind, name, quantity, area). */
export const offerSummary = (row: Offer) =>
  `${STATUS_WORDS[row.status]}${row.kind === "offer" ? "Offer" : "Need"}: ${row.name} — ` +
  `${offerQuantityLine(row)}, ${row.areaName}`;

/** The Proposal's content: the description and the conditions, as HTML. */
export const offerContent = (row: Pick<Offer, "description" | "conditions">) =>
  paragraphs(escapeHtml(row.description)) + (row.conditions ? `<p>Conditions: ${escapeHtml(row.conditions)}</p>` : "");

/** An offer or need as a FEP-0837 Proposal publishing an Intent: the structure other pods read. */
export function offerToProposal(ctx: Context<null>, config: Config, row: Offer, category: Category): Proposal {
  const actor = ctx.getActorUri(config.handle);
  const id = offerIri(config, row);
  const summary = offerSummary(row);
  const content = offerContent(row);
  return new Proposal({
    id,
    url: id,
    attribution: actor,
    ...publicAddressing(ctx, config),
    name: row.name,
    summary: escapeHtml(summary),
    contents: inLanguage(content, row.language),
    purpose: row.kind === "offer" ? "offer" : "request",
    unitBased: false,
    publishes: new Intent({
      action: offerAction(category),
      resourceConformsTo: new URL(category.iri),
      resourceQuantity: measure(row.quantityMilli, row.unit),
      availableQuantity: measure(row.availableMilli, row.unit),
    }),
    location: new Place({
      name: row.areaName,
      latitude: row.latitude,
      longitude: row.longitude,
      ...(row.latitude === null ? {} : { radius: 1, units: "km" as const }),
    }),
    startTime: row.availableFrom ? toInstant(new Date(row.availableFrom)) : null,
    endTime: row.availableUntil ? toInstant(new Date(row.availableUntil)) : null,
    published: toInstant(new Date(row.createdAt)),
    updated: row.updatedAt === row.createdAt ? null : toInstant(new Date(row.updatedAt)),
  });
}

/** The readable post Mastodon users see for an offer or need (Mastodon drops Proposal silently). */
export function offerToNote(
  ctx: Context<null>,
  config: Config,
  row: Offer,
  category: Category,
  guides: GuideLink[] = [],
): Note {
  const id = offerIri(config, row);
  const what = row.kind === "offer" ? "Surplus to share" : "Looking for";
  const window = [
    row.availableFrom ? `from ${formatDate(row.availableFrom, row.language)}` : "",
    row.availableUntil ? `until ${formatDate(row.availableUntil, row.language)}` : "",
  ]
    .filter(Boolean)
    .join(" ");
  const ask = row.kind === "offer" ? "Reply to this post to ask for some." : "Reply to this post if you can help.";
  const asking = row.status === "open" || row.status === "partly_claimed" ? `${ask} ` : "";
  const content =
    `<p>${escapeHtml(STATUS_WORDS[row.status])}<strong>${what}: ${escapeHtml(row.name)}</strong> — ` +
    escapeHtml(offerQuantityLine(row)) +
    ` · ${escapeHtml(category.label)} · ${escapeHtml(row.areaName)}${window ? ` · ${escapeHtml(window)}` : ""}</p>` +
    offerContent(row) +
    guideParagraphs(guides) +
    `<p>${asking}Details: <a href="${id.href}">${escapeHtml(id.href)}</a></p>`;
  return new Note({
    id: offerNoteIri(config, row),
    url: id,
    attribution: ctx.getActorUri(config.handle),
    ...publicAddressing(ctx, config),
    contents: inLanguage(content, row.language),
    tags: [objectLink(id, `${row.kind === "offer" ? "Offer" : "Need"}: ${row.name}`)],
    published: toInstant(new Date(row.createdAt)),
    updated: row.updatedAt === row.createdAt ? null : toInstant(new Date(row.updatedAt)),
  });
}

/** The activities that announce a change: the structured Proposal for pods, its companion Note for people. */
export function offerActivities(
  ctx: Context<null>,
  config: Config,
  row: Offer,
  category: Category,
  verb: ChangeVerb,
  now: Date,
  guides: GuideLink[] = [],
): Delivery[] {
  const activity = (object: Proposal | Note) => announceChange(ctx, config, verb, object, now);
  return [
    forPods(activity(offerToProposal(ctx, config, row, category))),
    forPeople(activity(offerToNote(ctx, config, row, category, guides))),
  ];
}
