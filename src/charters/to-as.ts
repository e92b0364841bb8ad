import type { Context } from "@fedify/fedify";
import { Intent, Note, Place, PropertyValue, Proposal, type Activity } from "@fedify/vocab";
import { uuidv7 } from "uuidv7";
import type { Category } from "../categories/service.ts";
import type { Config } from "../config/schema.ts";
import { toInstant } from "../federation/deps.ts";
import { forPeople, forPods, objectLink, publicAddressing, type Delivery } from "../publishing/deliver.ts";
import { PodArticle, PodCreate, PodUpdate } from "../publishing/vocab.ts";
import { charterIri, charterNoteIri, serviceIri } from "../publishing/iris.ts";
import type { GuideLink } from "../publishing/guides.ts";
import { paragraphs } from "../publishing/text.ts";
import { escapeHtml } from "../web/html.ts";
import type { CharterService, PlannedService } from "./model.ts";
import type { Charter, RotatedRole } from "./model.ts";
import { translator, type Translate } from "../webapp/i18n/index.ts";

/** "We rotate roles …: Driver (weekly), Dispatcher (monthly)." or "" when there is nothing to say. */
export function rotationLine(t: Translate, roles: readonly RotatedRole[]): string {
  if (!roles.length) return "";
  const named = roles.map((r) => t("rota.public.role", { role: r.name, period: t(`rota.period.${r.period}`) }));
  return t("rota.public.line", { roles: named.join(", ") });
}

/** The later of two ISO 8601 UTC times (they compare as text). */
const laterOf = (a: string, b: string) => (a > b ? a : b);

type CategoryOf = (slug: string) => Category;

const day = (iso: string) => iso.slice(0, 10);

/** "2027-Q2" starts on 2027-04-01; a date is itself. */
export function targetStart(target: string): Date {
  const quarter = /^(\d{4})-Q([1-4])$/.exec(target);
  if (quarter) return new Date(Date.UTC(Number(quarter[1]), (Number(quarter[2]) - 1) * 3, 1));
  return new Date(`${target}T00:00:00Z`);
}

export function needsLine(needs: PlannedService["needs"]): string {
  const parts = [
    needs.people > 0 ? `${needs.people} ${needs.people === 1 ? "person" : "people"}` : "",
    needs.skills.length ? `skills: ${needs.skills.join(", ")}` : "",
    needs.materials.length ? `materials: ${needs.materials.join(", ")}` : "",
  ].filter(Boolean);
  return parts.join("; ");
}

// Service proposals carry no `url`: Mastodon would take an attachment with a url for media.

/** A service the pod provides now, as a Proposal offering to deliver it (FEP-0837, action deliverService). */
function providedToProposal(ctx: Context<null>, config: Config, service: CharterService, category: Category): Proposal {
  const id = serviceIri(config, service.key);
  return new Proposal({
    id,
    attribution: ctx.getActorUri(config.handle),
    ...publicAddressing(ctx, config),
    name: service.name,
    summary: escapeHtml(
      `${service.status === "paused" ? "Paused: " : ""}${service.name} — ${category.label}, ${service.area}`,
    ),
    content: paragraphs(escapeHtml(service.description)),
    purpose: "offer",
    publishes: new Intent({ action: "deliverService", resourceConformsTo: new URL(category.iri) }),
    location: new Place({ name: service.area }),
    attachments: [
      new PropertyValue({ name: "status", value: service.status }),
      new PropertyValue({ name: "schedule", value: service.schedule }),
      new PropertyValue({ name: "languages", value: service.languages.join(", ") }),
    ],
  });
}

/** A service the pod intends to take on: a Proposal whose start lies ahead, with what it still needs. */
function plannedToProposal(ctx: Context<null>, config: Config, service: PlannedService, category: Category): Proposal {
  const needs = needsLine(service.needs);
  return new Proposal({
    id: serviceIri(config, service.key),
    attribution: ctx.getActorUri(config.handle),
    ...publicAddressing(ctx, config),
    name: service.name,
    summary: escapeHtml(
      `Planned for ${service.target}: ${service.name} — ${category.label}${needs ? `. Still needs ${needs}` : ""}`,
    ),
    content: paragraphs(escapeHtml(service.description)),
    purpose: "offer",
    publishes: new Intent({ action: "deliverService", resourceConformsTo: new URL(category.iri) }),
    startTime: toInstant(targetStart(service.target)),
    attachments: [
      new PropertyValue({ name: "status", value: "planned" }),
      new PropertyValue({ name: "target", value: service.target }),
      new PropertyValue({ name: "needs", value: needs }),
    ],
  });
}

export function serviceToProposal(
  ctx: Context<null>,
  config: Config,
  charter: Charter,
  key: string,
  categoryOf: CategoryOf,
): Proposal | null {
  const provided = charter.services.find((s) => s.key === key);
  if (provided) return providedToProposal(ctx, config, provided, categoryOf(provided.category));
  const planned = charter.planned.find((s) => s.key === key);
  return planned ? plannedToProposal(ctx, config, planned, categoryOf(planned.category)) : null;
}

/** Plain words for the summary and the Note: what the pod does now and what comes next. */
export function charterSummary(config: Config, charter: Charter): string {
  const now = charter.services.filter((s) => s.status === "active").map((s) => s.name);
  const paused = charter.services.filter((s) => s.status === "paused").map((s) => s.name);
  const next = charter.planned.map((p) => `${p.name} (${p.target})`);
  return [
    `${config.name} provides now: ${now.length ? now.join(", ") : "nothing yet"}.`,
    paused.length ? `Paused: ${paused.join(", ")}.` : "",
    next.length ? `Next: ${next.join(", ")}.` : "",
    `Revision ${charter.number}, reviewed ${day(charter.reviewedAt)}; next review due ${day(charter.reviewDue)}.`,
  ]
    .filter(Boolean)
    .join(" ");
}

/** " Guides: <a>…</a>, <a>…</a>" after a service, or "" when it has none. */
function guideLine(guides: readonly GuideLink[] | undefined): string {
  if (!guides?.length) return "";
  return ` Guides: ${guides.map((g) => `<a href="${escapeHtml(g.url)}">${escapeHtml(g.name)}</a>`).join(", ")}`;
}

function charterHtml(charter: Charter, categoryOf: CategoryOf, rotated: readonly RotatedRole[]): string {
  const rotation = rotationLine(translator("en"), rotated);
  const provided = charter.services
    .map((s) => {
      const details = [
        categoryOf(s.category).label,
        s.area,
        s.schedule,
        s.languages.join(", "),
        s.status === "paused" ? "paused" : "",
      ].filter(Boolean);
      const description = s.description ? ` — ${escapeHtml(s.description)}` : "";
      return `<li><strong>${escapeHtml(s.name)}</strong> (${escapeHtml(details.join(" · "))})${description}${guideLine(
        charter.guides?.[s.key],
      )}</li>`;
    })
    .join("");
  const planned = charter.planned
    .map((p) => {
      const needs = needsLine(p.needs);
      const details = escapeHtml(`${categoryOf(p.category).label} · from ${p.target}`);
      const description = p.description ? ` — ${escapeHtml(p.description)}` : "";
      const stillNeeds = needs ? `. Still needs ${escapeHtml(needs)}.` : "";
      const guides = guideLine(charter.guides?.[p.key]);
      return `<li><strong>${escapeHtml(p.name)}</strong> (${details})${description}${stillNeeds}${guides}</li>`;
    })
    .join("");
  return (
    `<h2>Services we provide now</h2>${provided ? `<ul>${provided}</ul>` : "<p>None yet.</p>"}` +
    `<h2>What we intend to take on next</h2>${planned ? `<ul>${planned}</ul>` : "<p>Nothing planned yet.</p>"}` +
    (rotation ? `<p>${escapeHtml(rotation)}</p>` : "") +
    `<p>Revision ${charter.number}: ${escapeHtml(charter.changeNote)}</p>` +
    `<p>Last reviewed ${day(charter.reviewedAt)}; next review due ${day(charter.reviewDue)}.</p>`
  );
}

/**
 * The charter as an Article (Mastodon shows its name and summary with a link); its services travel
 * inside it as attached Proposals, so a pod gets the full structure in one object.
 * `id` is the stable /charter for the current revision, or /charter/revisions/N for history.
 */
export function charterToArticle(
  ctx: Context<null>,
  config: Config,
  charter: Charter,
  categoryOf: CategoryOf,
  id = charterIri(config),
  rotated: readonly RotatedRole[] = [],
): PodArticle {
  const proposals = [
    ...charter.services.map((s) => providedToProposal(ctx, config, s, categoryOf(s.category))),
    ...charter.planned.map((p) => plannedToProposal(ctx, config, p, categoryOf(p.category))),
  ];
  return new PodArticle({
    id,
    url: id,
    attribution: ctx.getActorUri(config.handle),
    ...publicAddressing(ctx, config),
    name: `People's Service Charter — ${config.name}`,
    summary: escapeHtml(charterSummary(config, charter)),
    content: charterHtml(charter, categoryOf, rotated),
    published: toInstant(new Date(charter.firstPublishedAt)),
    updated: toInstant(new Date(laterOf(charter.reviewedAt, charter.publishedAt))),
    attachments: [
      ...proposals,
      new PropertyValue({ name: "revision", value: String(charter.number) }),
      new PropertyValue({ name: "changeNote", value: charter.changeNote }),
      new PropertyValue({ name: "reviewedAt", value: charter.reviewedAt }),
      new PropertyValue({ name: "reviewDue", value: charter.reviewDue }),
    ],
  });
}

/** The charter's human summary as a Note: what Mastodon users read, and what the actor pins in `featured`. */
export function charterToNote(
  ctx: Context<null>,
  config: Config,
  charter: Charter,
  rotated: readonly RotatedRole[] = [],
): Note {
  const id = charterIri(config);
  const rotation = rotationLine(translator("en"), rotated);
  const content =
    `<p><strong>People's Service Charter of ${escapeHtml(config.name)}</strong> (revision ${charter.number})</p>` +
    `<p>${escapeHtml(charterSummary(config, charter))}</p>` +
    charter.planned
      .filter((p) => needsLine(p.needs))
      .map(
        (p) =>
          `<p>To start ${escapeHtml(p.name)} we still need ${escapeHtml(needsLine(p.needs))}.` +
          " Reply if you can help.</p>",
      )
      .join("") +
    [...charter.services, ...charter.planned]
      .filter((s) => charter.guides?.[s.key]?.length)
      .map((s) => `<p>${escapeHtml(s.name)}.${guideLine(charter.guides?.[s.key])}</p>`)
      .join("") +
    (rotation ? `<p>${escapeHtml(rotation)}</p>` : "") +
    `<p>What changed: ${escapeHtml(charter.changeNote)}</p>` +
    `<p>Full charter: <a href="${id.href}">${escapeHtml(id.href)}</a></p>`;
  return new Note({
    id: charterNoteIri(config),
    url: id,
    attribution: ctx.getActorUri(config.handle),
    ...publicAddressing(ctx, config),
    content,
    tags: [objectLink(id, `People's Service Charter — ${config.name}`)],
    published: toInstant(new Date(charter.firstPublishedAt)),
    updated:
      charter.number === 1 && charter.reviewedAt === charter.publishedAt
        ? null
        : toInstant(new Date(laterOf(charter.reviewedAt, charter.publishedAt))),
  });
}

export function charterActivities(
  ctx: Context<null>,
  config: Config,
  charter: Charter,
  categoryOf: CategoryOf,
  verb: "create" | "update",
  now: Date,
  rotated: readonly RotatedRole[] = [],
): Delivery[] {
  const actor = ctx.getActorUri(config.handle);
  const addressing = publicAddressing(ctx, config);
  const activity = (object: PodArticle | Note): Activity => {
    const id = new URL(`${object.id!.href}#${verb}-${uuidv7()}`);
    return verb === "create"
      ? new PodCreate({ id, actor, object, ...addressing, published: toInstant(now) })
      : new PodUpdate({ id, actor, object, ...addressing, updated: toInstant(now) });
  };
  // Pods read the Article; people read the Note (an Article would show the charter a second time).
  return [
    forPods(activity(charterToArticle(ctx, config, charter, categoryOf, charterIri(config), rotated))),
    forPeople(activity(charterToNote(ctx, config, charter, rotated))),
  ];
}
