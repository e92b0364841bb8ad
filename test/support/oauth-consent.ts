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
    form.set(
      match[1]!,
      match[2]!
        .replaceAll("&amp;", "&")
        .replaceAll("&quot;", '"')
        .replaceAll("&#39;", "'")
        .replaceAll("&lt;", "<")
        .replaceAll("&gt;", ">"),
    );
  }
  form.set("operator_token", options.operatorToken ?? TEST_ADMIN_TOKEN);
  form.set("decision", options.decision ?? "approve");
  const answer = await fetch(new URL("/oauth/authorize", podUrl), { method: "POST", body: form, redirect: "manual" });
  return { status: answer.status, location: answer.headers.get("location"), page: await answer.text() };
}

/** An app registered on the pod and the authorization request it makes (PKCE), as a phone app starts one. */
export interface AppAuthorization {
  clientId: string;
  redirect: string;
  verifier: string;
  query: URLSearchParams;
}

export async function startAppAuthorization(
  podUrl: string,
  clientName: string,
  scopes: string,
  extra: Record<string, string> = {},
): Promise<AppAuthorization> {
  const redirect = "https://app.example/callback";
  const registered = await (
    await fetch(new URL("/api/v1/apps", podUrl), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client_name: clientName, redirect_uris: redirect, scopes }),
    })
  ).json();
  const { verifier, challenge } = pkcePair();
  const query = new URLSearchParams({
    response_type: "code",
    client_id: registered.client_id,
    redirect_uri: redirect,
    scope: scopes,
    ...extra,
    code_challenge: challenge,
    code_challenge_method: "S256",
  });
  return { clientId: registered.client_id, redirect, verifier, query };
}

/** Trades the code the consent page gave for the app's access token. */
export async function exchangeCode(podUrl: string, app: AppAuthorization, code: string): Promise<string> {
  const token = await (
    await fetch(new URL("/oauth/token", podUrl), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        client_id: app.clientId,
        code,
        redirect_uri: app.redirect,
        code_verifier: app.verifier,
      }),
    })
  ).json();
  return token.access_token;
}

/** Registers an app and signs in through the consent page: a user token for the pod, as an app gets one. */
export async function operatorAppToken(podUrl: string, scopes = "read write follow"): Promise<string> {
  const app = await startAppAuthorization(podUrl, "test app", scopes);
  const consent = await signInOnConsentPage(podUrl, Object.fromEntries(app.query));
  return exchangeCode(podUrl, app, new URL(consent.location!).searchParams.get("code")!);
}

/** Calls the pod's Mastodon API with a token. */
export async function mastodonGet(podUrl: string, token: string, path: string): Promise<{ status: number; body: any }> {
  const response = await fetch(new URL(path, podUrl), { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.json() };
}
