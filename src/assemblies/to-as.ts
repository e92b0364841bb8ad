import {
  Accept,
  type Activity,
  Announce,
  Create,
  Event,
  Hashtag,
  Invite,
  Leave,
  Note,
  Place,
  PUBLIC_COLLECTION,
  Reject,
  TentativeAccept,
} from "@fedify/vocab";
import type { Config } from "../config/schema.ts";
import { toInstant } from "../federation/deps.ts";
import { escapeHtml } from "../web/html.ts";
import type { Assembly, Contribution, ContributionKind } from "./model.ts";

export const CONTRIBUTION_KINDS = ["report", "crisis", "proposal", "reply", "pledge"] as const;

/** Where the assembly is: a named place, the online link, or both (one Place, as Mobilizon reads it). */
function placeOf(row: Pick<Assembly, "placeName" | "onlineUrl">): Place | null {
  if (!row.placeName && !row.onlineUrl) return null;
  // Gancio files the event under location.name: an online-only assembly is named by its link.
  return new Place({ name: row.placeName || row.onlineUrl, url: row.onlineUrl ? new URL(row.onlineUrl) : null });
}

/** An assembly as an ActivityStreams Event, addressed only to the pods invited. */
export function assemblyToEvent(row: Assembly, invited: string[]): Event {
  return new Event({
    id: new URL(row.iri),
    url: new URL(row.iri),
    attribution: new URL(row.convenerIri),
    name: row.title,
    startTime: toInstant(new Date(row.startTime)),
    endTime: row.endTime ? toInstant(new Date(row.endTime)) : null,
    location: placeOf(row),
    // Gancio linkifies content unconditionally: never absent.
    content: row.agendaHtml || `<p>${escapeHtml(row.title)}</p>`,
    tos: [...(row.visibility === "public" ? [PUBLIC_COLLECTION] : []), ...invited.map((iri) => new URL(iri))],
    published: toInstant(new Date(row.createdAt)),
  });
}

/** The Invite each invited pod receives: one activity, addressed to all of them (not Public). */
export function assemblyInvite(row: Assembly, invited: string[]): Invite {
  return new Invite({
    id: new URL(row.inviteIri),
    actor: new URL(row.convenerIri),
    object: assemblyToEvent(row, invited),
    tos: invited.map((iri) => new URL(iri)),
  });
}

export type AnswerKind = "accepted" | "tentative" | "rejected" | "left";
const ANSWER_CLASS = { accepted: Accept, tentative: TentativeAccept, rejected: Reject, left: Leave } as const;

/** An invited pod's answer to the convener; its object is the Invite (Leave names the Event). */
export function answerActivity(
  me: URL,
  row: Pick<Assembly, "iri" | "inviteIri" | "convenerIri">,
  answer: AnswerKind,
  id: URL,
) {
  const Answer = ANSWER_CLASS[answer];
  return new Answer({
    id,
    actor: me,
    object: new URL(answer === "left" ? row.iri : row.inviteIri),
    to: new URL(row.convenerIri),
  });
}

export function answerKindOf(activity: unknown): AnswerKind | null {
  if (activity instanceof TentativeAccept) return "tentative";
  if (activity instanceof Accept) return "accepted";
  if (activity instanceof Reject) return "rejected";
  if (activity instanceof Leave) return "left";
  return null;
}

/** A contribution: a Note in the assembly's context, its kind as a hashtag people's servers show. */
export function contributionNote(config: Config, row: Contribution, convener: string): Note {
  return new Note({
    id: new URL(row.iri),
    attribution: new URL(row.authorIri),
    contexts: [new URL(row.eventIri)],
    replyTarget: row.inReplyTo ? new URL(row.inReplyTo) : null,
    content: row.contentHtml,
    tags: [new Hashtag({ name: `#${row.kind}`, href: kindTagIri(config, row.kind) })],
    tos: [new URL(convener)],
    published: toInstant(new Date(row.publishedAt)),
    url: new URL(row.iri),
  });
}

export function kindTagIri(config: Config, kind: ContributionKind): URL {
  return new URL(`/tags/${kind}`, config.url);
}

/** The kind a contribution's hashtags name; a reply when it answers another, a report otherwise. */
export function kindOf(note: Note, tagNames: string[]): ContributionKind {
  for (const name of tagNames) {
    const kind = name.replace(/^#/, "").toLowerCase();
    if ((CONTRIBUTION_KINDS as readonly string[]).includes(kind)) return kind as ContributionKind;
  }
  return note.replyTargetId ? "reply" : "report";
}

export function contributionCreate(note: Note, author: URL): Create {
  return new Create({
    id: new URL(`${note.id!.href}#create`),
    actor: author,
    object: note,
    tos: note.toIds,
  });
}

/**
 * The convener tells every invited pod how one of them answered: an Announce of the answer, embedded (the
 * answer's own id is not dereferenceable; the record of who answered what is the convener's word).
 */
export function answerAnnounce(convener: URL, event: string, answer: Activity, to: string[]) {
  return new Announce({
    id: new URL(`${event}/answers/${encodeURIComponent(answer.id!.href)}`),
    actor: convener,
    object: answer,
    contexts: [new URL(event)],
    tos: to.map((iri) => new URL(iri)),
  });
}

/** The convener re-distributes a contribution to every participant (FEP-1b12): the object by its IRI. */
export function contributionAnnounce(convener: URL, event: string, contribution: string, to: string[], at: Date) {
  return new Announce({
    id: new URL(`${event}/announces/${encodeURIComponent(contribution)}`),
    actor: convener,
    object: new URL(contribution),
    contexts: [new URL(event)],
    tos: to.map((iri) => new URL(iri)),
    published: toInstant(at),
  });
}
