import { createHash, randomBytes } from "node:crypto";
import { TEST_ADMIN_TOKEN } from "./pod-process.ts";

/** A PKCE verifier and its S256 challenge (RFC 7636). */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

/**
 * What the operator's browser does on the consent page: open /oauth/authorize, read the form, sign in
 * with the operator token and allow; returns the redirect the pod answers with.
 */
export async function signInOnConsentPage(
  podUrl: string,
  params: Record<string, string>,
  options: { operatorToken?: string; decision?: "approve" | "deny" } = {},
): Promise<{ status: number; location: string | null; page: string }> {
  const authorize = new URL("/oauth/authorize", podUrl);
  for (const [key, value] of Object.entries(params)) authorize.searchParams.set(key, value);
  const consent = await fetch(authorize);
  const page = await consent.text();
  if (consent.status !== 200) return { status: consent.status, location: null, page };
  // The form's hidden fields, as a browser would submit them.
  const form = new URLSearchParams();
  for (const match of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    form.set(match[1]!, match[2]!.replaceAll("&amp;", "&").replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll("&lt;", "<").replaceAll("&gt;", ">"));
  }
  form.set("operator_token", options.operatorToken ?? TEST_ADMIN_TOKEN);
  form.set("decision", options.decision ?? "approve");
  const answer = await fetch(new URL("/oauth/authorize", podUrl), { method: "POST", body: form, redirect: "manual" });
  return { status: answer.status, location: answer.headers.get("location"), page: await answer.text() };
}
