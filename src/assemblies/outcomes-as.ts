import {
  Accept,
  Announce,
  Article,
  Create,
  type Event,
  Link,
  Mention,
  Note,
  PUBLIC_COLLECTION,
  Reject,
} from "@fedify/vocab";
import { toInstant } from "../federation/deps.ts";
import type { Assembly } from "./model.ts";

/** A new assembly has no minutes and no confirmed next convener yet. */
export const noOutcomes = {
  minutesIri: null,
  minutesHtml: null,
  minutesPublicHtml: null,
  minutesNoteHtml: null,
  minutesAt: null,
  nextConvenerIri: null,
} as const;

export const addressedToPublic = (object: Pick<Event, "toIds" | "ccIds">) =>
  [...object.toIds, ...object.ccIds].some((iri) => iri.href === PUBLIC_COLLECTION.href);

export type RatificationAnswer = "adopted" | "declined";

export interface Ratification {
  iri: string;
  actorIri: string;
  proposalIri: string;
  eventIri: string;
  convenerIri: string;
  answer: RatificationAnswer;
  decidedAt: string;
}

/**
 * A pod's own ratification of a proposal: Accept (adopted) or Reject (declined) of the proposal's Note, in the
 * assembly's context. It is served at its IRI by the pod that decided: every copy verifies it there.
 */
export function ratificationActivity(row: Ratification): Accept | Reject {
  const Answer = row.answer === "adopted" ? Accept : Reject;
  return new Answer({
    id: new URL(row.iri),
    actor: new URL(row.actorIri),
    object: new URL(row.proposalIri),
    contexts: [new URL(row.eventIri)],
    to: new URL(row.convenerIri),
    published: toInstant(new Date(row.decidedAt)),
  });
}

export const ratificationAnswerOf = (activity: unknown): RatificationAnswer | null =>
  activity instanceof Accept ? "adopted" : activity instanceof Reject ? "declined" : null;

/** Where the convener's re-distribution of a ratification lives: participants route it by this prefix. */
export const ratificationAnnouncePrefix = (eventIri: string) => `${eventIri}/ratifications/`;

/** The convener re-distributes a ratification to every participant, by its IRI (verified at its origin). */
export function ratificationAnnounce(convener: URL, eventIri: string, ratificationIri: string, to: string[], at: Date) {
  return new Announce({
    id: new URL(`${ratificationAnnouncePrefix(eventIri)}${encodeURIComponent(ratificationIri)}`),
    actor: convener,
    object: new URL(ratificationIri),
    contexts: [new URL(eventIri)],
    tos: to.map((iri) => new URL(iri)),
    published: toInstant(at),
  });
}

export const minutesIriOf = (row: Pick<Assembly, "iri">) => `${row.iri}/minutes`;
export const minutesNoteIriOf = (row: Pick<Assembly, "iri">) => `${row.iri}/minutes/note`;

export interface MinutesShape {
  row: Assembly;
  /** The participants the minutes go to (the convener's attending pods). */
  to: string[];
  title: string;
  html: string;
  /** The readable Note's text (already HTML, no name, no summary). */
  noteHtml: string;
  nextConvener: { iri: string; name: string } | null;
}

const audience = (shape: MinutesShape) => [
  ...(shape.row.visibility === "public" ? [PUBLIC_COLLECTION] : []),
  ...shape.to.map((iri) => new URL(iri)),
];

/**
 * The minutes for pods: an Article in the assembly's context, addressed to the participants only (it quotes their
 * contributions), also for a public assembly. The next convener it confirms is a Mention (a participant reads it
 * as the rotation's confirmed choice).
 */
export function minutesArticle(shape: MinutesShape): Article {
  const { row } = shape;
  return new Article({
    id: new URL(minutesIriOf(row)),
    url: new URL(minutesIriOf(row)),
    attribution: new URL(row.convenerIri),
    name: shape.title,
    content: shape.html,
    contexts: [new URL(row.iri)],
    tos: shape.to.map((iri) => new URL(iri)),
    tags: shape.nextConvener
      ? [new Mention({ href: new URL(shape.nextConvener.iri), name: shape.nextConvener.name })]
      : [],
    published: toInstant(new Date(row.minutesAt ?? row.createdAt)),
  });
}

/** The readable companion: a Note without name or summary (a content warning on Mastodon), linking the Article. */
export function minutesNote(shape: MinutesShape): Note {
  const { row } = shape;
  return new Note({
    id: new URL(minutesNoteIriOf(row)),
    url: new URL(minutesIriOf(row)),
    attribution: new URL(row.convenerIri),
    content: shape.noteHtml,
    contexts: [new URL(row.iri)],
    tos: audience(shape),
    tags: [new Link({ href: new URL(minutesIriOf(row)), mediaType: "text/html", name: shape.title })],
    published: toInstant(new Date(row.minutesAt ?? row.createdAt)),
  });
}

export const minutesCreate = (object: Article | Note, convener: URL) =>
  new Create({ id: new URL(`${object.id!.href}#create`), actor: convener, object, tos: object.toIds });

/**
 * The JSON served at an object's IRI, with Public written out in full: Fedify compacts it to "as:Public", which
 * Mobilizon (comparing the full IRI in `to`) would read as unlisted. Mastodon accepts every form.
 */
export function withFullPublicIri(json: unknown): unknown {
  if (typeof json !== "object" || json === null) return json;
  const out = { ...(json as Record<string, unknown>) };
  for (const key of ["to", "cc"]) {
    const value = out[key];
    const full = (iri: unknown) => (iri === "as:Public" || iri === "Public" ? PUBLIC_COLLECTION.href : iri);
    if (Array.isArray(value)) out[key] = value.map(full);
    else if (value !== undefined) out[key] = full(value);
  }
  return out;
}
