import type { Assembly, Participant } from "./model.ts";

/**
 * The rotation every copy computes the same way: the convener and the invited pods in one ring ordered by actor
 * IRI; the next convener is the first pod after the current one that accepted outright (a tentative answer, a
 * decline or a departure is skipped). When nobody else accepted, the convener convenes again.
 */
export function rotationNext(convenerIri: string, participants: Pick<Participant, "actorIri" | "answer">[]): string {
  const ring = [...new Set([convenerIri, ...participants.map((p) => p.actorIri)])].sort();
  const accepted = new Set(participants.filter((p) => p.answer === "accepted").map((p) => p.actorIri));
  const start = ring.indexOf(convenerIri);
  for (let step = 1; step < ring.length; step++) {
    const candidate = ring[(start + step) % ring.length]!;
    if (accepted.has(candidate)) return candidate;
  }
  return convenerIri;
}

/** Who convenes next on this copy: what the minutes confirmed, else what the rotation gives today. */
export function nextConvenerOf(row: Assembly, participants: Participant[]) {
  return row.nextConvenerIri
    ? { iri: row.nextConvenerIri, confirmed: true }
    : { iri: rotationNext(row.convenerIri, participants), confirmed: false };
}

/** Pods that may convene next: the convener and those that attended (accepted, even tentatively). */
export const eligibleConveners = (row: Assembly, participants: Participant[]) => [
  row.convenerIri,
  ...participants.filter((p) => p.answer === "accepted" || p.answer === "tentative").map((p) => p.actorIri),
];

/**
 * The convene form prefilled for the next assembly: the same title marked "next", the same pods this pod can
 * invite (every other participant it follows), the previous minutes linked from the draft agenda.
 */
export function nextAssemblyValues(
  row: Assembly,
  participants: Participant[],
  self: string,
  followed: Set<string>,
  words: { title: string; agenda: string },
) {
  const pods = [row.convenerIri, ...participants.map((p) => p.actorIri)].filter(
    (iri) => iri !== self && followed.has(iri),
  );
  return { title: words.title, invited: [...new Set(pods)], agenda: row.minutesIri ? words.agenda : "" };
}
