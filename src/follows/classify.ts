import { Group, type Actor } from "@fedify/vocab";

/**
 * The marker this software puts on its pod actor (`generator`): an IRI in the pods namespace that
 * neither names a person nor changes how Mastodon shows the account (it ignores `generator`).
 */
export const POD_SOFTWARE = new URL("https://w3id.org/pods/software");

/** The per-kind collections every pod lists in its actor's `streams` (older pods carry no `generator`). */
const POD_STREAMS = ["charter", "offers", "needs", "practices"];

export type FollowerKind = "pod" | "social";

/**
 * What a follower reads, decided once from its actor document when it follows: a pod (a `Group` made by
 * this software) ingests the structured objects; anyone else is on a people's server and reads Notes.
 */
export function followerKind(actor: Actor): FollowerKind {
  if (!(actor instanceof Group)) return "social";
  if (actor.generatorIds.some((iri) => iri.href === POD_SOFTWARE.href)) return "pod";
  const streams = new Set(actor.streamIds.map((iri) => iri.pathname.split("/").at(-1)));
  return POD_STREAMS.every((name) => streams.has(name)) ? "pod" : "social";
}
