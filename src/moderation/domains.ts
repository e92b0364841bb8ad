/** A domain as a coordinator types it (with or without scheme, path, port, upper case, Unicode) → ASCII host. */
export function normalizeDomain(input: string): string | null {
  const trimmed = input.trim().replace(/^@+/, "");
  if (!trimmed || trimmed.length > 253) return null;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed.split("@").pop()}`;
  if (!URL.canParse(withScheme)) return null;
  const host = new URL(withScheme).hostname.replace(/\.$/, "");
  return /^[a-z0-9.-]+$/.test(host) && host.includes(".") ? host : null;
}

/** Whether an IRI's host is the domain or one of its subdomains. */
export function onDomain(iri: string, domain: string): boolean {
  if (!URL.canParse(iri)) return false;
  const host = new URL(iri).hostname;
  return host === domain || host.endsWith(`.${domain}`);
}
