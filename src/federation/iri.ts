/** True when every IRI is there and all are on one host: the origin check for what other servers send. */
export function sameHost(...iris: (string | URL | null | undefined)[]): boolean {
  const hosts = iris.map((iri) => (iri instanceof URL ? iri.host : iri ? URL.parse(iri)?.host : undefined));
  return hosts.every((host) => host !== undefined && host === hosts[0]);
}
