type Iri = string | URL | null | undefined;

/** True when both IRIs are there and on one origin (scheme, host and port). */
export function sameOrigin(a: Iri, b: Iri): boolean {
  const origin = (iri: Iri) => (iri instanceof URL ? iri.origin : iri ? URL.parse(iri)?.origin : undefined);
  const left = origin(a);
  return left !== undefined && left !== "null" && left === origin(b);
}

/**
 * The origin check for what other servers send: origin is the actor, not the host. An object counts as
 * the actor's only when it says so (`attributedTo` is the actor) and its id lives on the actor's origin;
 * another actor on the same host is somebody else.
 */
export function belongsTo(actorIri: Iri, objectIri: Iri, attributedTo: Iri): boolean {
  const href = (iri: Iri) => (iri instanceof URL ? iri.href : iri ? URL.parse(iri)?.href : undefined);
  const actor = href(actorIri);
  return actor !== undefined && href(attributedTo) === actor && sameOrigin(objectIri, actor);
}
