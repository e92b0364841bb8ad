import { isIP } from "node:net";

const isLoopbackHost = (hostname: string) => {
  const host = hostname.replace(/^\[(.*)\]$/, "$1");
  if (isIP(host) === 6) return host === "::1";
  return isIP(host) === 4 && host.startsWith("127.");
};

/**
 * Whether the pod may send the operator's browser to `redirect` without the operator's own click (Deny,
 * and any other answer the operator did not approve). RFC 9700 §4.11.2 allows automatic redirects only to
 * a verified URI; registration here is open, so anyone can register any https URI, and the pod cannot
 * know one is the app's rather than a phishing page: a registered https URI is NOT verified.
 *
 * Verified means: the authorize request named this exact redirect_uri (none was defaulted), the app
 * registered it byte for byte, and it is a native-app URI of RFC 8252, which leads only to the operator's
 * own device: a loopback IP literal over http(s) (§7.3; `localhost` is not, §8.3), or a private-use scheme
 * in reverse-domain form, i.e. a scheme with a dot such as `org.joinmastodon.app:` (§7.1). Everything else
 * gets its answer on the page.
 */
export function isVerifiedRedirect(
  redirect: string,
  requested: string | undefined,
  registered: readonly string[],
): boolean {
  if (requested !== redirect || !registered.includes(redirect) || !URL.canParse(redirect)) return false;
  const url = new URL(redirect);
  if (url.protocol === "http:" || url.protocol === "https:") return isLoopbackHost(url.hostname);
  return /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/.test(url.protocol);
}
