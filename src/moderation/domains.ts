/** A domain as a coordinator types it (with or without scheme, path, port, upper case, Unicode) → ASCII host. */
export function normalizeDomain(input: string): string | null {
  const trimmed = input.trim().replace(/^@+/, "");
  if (!trimmed || trimmed.length > 253) return null;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed.split("@").pop()}`;
  if (!URL.canParse(withScheme)) return null;
  const host = new URL(withScheme).hostname.replace(/\.$/, "");
  return /^[a-z0-9.-]+$/.test(host) && host.includes(".") ? host : null;
}

/** An IRI's host as blocks compare it: lowercase, without the trailing dot DNS and TLS ignore. */
export function hostOf(iri: string): string | null {
  return URL.canParse(iri) ? new URL(iri).hostname.replace(/\.$/, "") : null;
}

/** An actor IRI as account blocks compare it: the same account written with a trailing-dot host is the same. */
export function canonicalIri(iri: string): string {
  if (!URL.canParse(iri)) return iri;
  const url = new URL(iri);
  url.hostname = url.hostname.replace(/\.$/, "");
  return url.href;
}

/** The ways an actor IRI may have been stored: as blocks compare it, and with its host's trailing dot. */
export function iriSpellings(iri: string): string[] {
  const canonical = canonicalIri(iri);
  if (!URL.canParse(canonical)) return [iri];
  const url = new URL(canonical);
  url.hostname = `${url.hostname}.`;
  return [...new Set([iri, canonical, url.href])];
}

/** Whether an IRI's host is the domain or one of its subdomains. */
export function onDomain(iri: string, domain: string): boolean {
  const host = hostOf(iri);
  return host !== null && (host === domain || host.endsWith(`.${domain}`));
}
