import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { isValidPublicIPv4Address, isValidPublicIPv6Address } from "@fedify/vocab-runtime";

/** A URL's host name without the brackets an IPv6 literal carries in URLs. */
export function bareHostname(hostname: string): string {
  return hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
}

/** Whether an IP address (v4 or v6 literal) is public, by the same tables Fedify's GETs use. */
export function isPublicIp(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return isValidPublicIPv4Address(address);
  if (family === 6) return isValidPublicIPv6Address(address);
  return false;
}

/**
 * Why a remote actor's inbox (or shared inbox) may not be stored or posted to, or null when it may:
 * it must be an http(s) URL on the actor's own host, and, unless private addresses are allowed, a host
 * that is not an internal address written literally. Names are resolved when the request is made
 * (see safe-fetch.ts), which also catches a name that resolves to an internal address.
 */
export function inboxRefusal(actorIri: string, inbox: string, allowPrivateAddress: boolean): string | null {
  const actor = URL.parse(actorIri);
  const url = URL.parse(inbox);
  if (!actor || !url) return "not a URL";
  if (url.protocol !== "https:" && url.protocol !== "http:") return `unsupported scheme ${url.protocol}`;
  if (url.username || url.password) return "carries credentials";
  if (url.host !== actor.host) return `not on the actor's host ${actor.host}`;
  if (allowPrivateAddress) return null;
  const hostname = bareHostname(url.hostname);
  if (hostname === "localhost" || hostname.endsWith(".localhost")) return "a local address";
  if (isIP(hostname) !== 0 && !isPublicIp(hostname)) return "a private or internal address";
  return null;
}

/**
 * Whether a host name resolves to an address that is not public. A name that does not resolve (now)
 * is not called private: the request itself will fail, and be retried, like any unreachable host.
 */
export async function resolvesToPrivateAddress(hostname: string): Promise<boolean> {
  const bare = bareHostname(hostname);
  if (isIP(bare) !== 0) return !isPublicIp(bare);
  const known = recentLookups.get(bare);
  if (known && known.until > Date.now()) return known.private;
  const addresses = await lookup(bare, { all: true }).catch(() => []);
  const isPrivate = addresses.some((entry) => !isPublicIp(entry.address));
  if (addresses.length > 0) {
    if (recentLookups.size >= 10_000) recentLookups.clear();
    recentLookups.set(bare, { private: isPrivate, until: Date.now() + LOOKUP_TTL_MS });
  }
  return isPrivate;
}

/** Deliveries to one host come in bursts: one lookup a minute per host is enough for this early check. */
const LOOKUP_TTL_MS = 60_000;
const recentLookups = new Map<string, { private: boolean; until: number }>();
