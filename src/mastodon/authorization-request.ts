import type { OAuthApp, OAuthStore } from "./oauth.ts";
import { parseScopes, withinScopes } from "./scopes.ts";

/** What an app's /oauth/authorize request says (the query the consent pages carry along). */
export interface AuthorizationInput {
  response_type?: string;
  client_id?: string;
  redirect_uri?: string;
  scope?: string;
  state?: string;
  code_challenge?: string;
  code_challenge_method?: string;
}

export type AuthorizationProblem = "unknownApp" | "badRedirect" | "badResponseType" | "badScopes" | "badPkce";

export type CheckedAuthorization =
  | { found: OAuthApp; scopes: string[]; redirect: string }
  | { problem: AuthorizationProblem };

/**
 * Checks an authorization request. Problems are shown on the page rather than sent back: registration is open, so an
 * unverified app's redirect URI must not be reachable without the operator's action (RFC 9700 §4.11.2).
 */
export async function checkAuthorizationRequest(
  oauth: OAuthStore,
  input: AuthorizationInput,
): Promise<CheckedAuthorization> {
  const found = input.client_id ? await oauth.app(input.client_id) : undefined;
  if (!found) return { problem: "unknownApp" };
  const registered = found.redirectUris.split("\n");
  const redirect = input.redirect_uri ?? (registered.length === 1 ? registered[0]! : "");
  if (!registered.includes(redirect)) return { problem: "badRedirect" };
  if (input.response_type !== "code") return { problem: "badResponseType" };
  const scopes = parseScopes(input.scope);
  if (!scopes || !withinScopes(found.scopes.split(" "), scopes)) return { problem: "badScopes" };
  if (input.code_challenge !== undefined) {
    if (input.code_challenge_method !== "S256" || !/^[A-Za-z0-9_-]{43}$/.test(input.code_challenge))
      return { problem: "badPkce" };
  }
  return { found, scopes, redirect };
}

const KEYS = [
  "response_type",
  "client_id",
  "redirect_uri",
  "scope",
  "state",
  "code_challenge",
  "code_challenge_method",
] as const satisfies (keyof AuthorizationInput)[];

/** The authorization request's own fields (nothing else a form carried, such as a token), as a query string. */
export function authorizationQuery(input: AuthorizationInput): string {
  const query = new URLSearchParams();
  for (const key of KEYS) if (typeof input[key] === "string") query.set(key, input[key]);
  return query.toString();
}

/** The request's fields from a parsed query or form (anything else is left behind). */
export function authorizationInput(fields: Record<string, unknown>): AuthorizationInput {
  const input: AuthorizationInput = {};
  for (const key of KEYS) {
    const value = fields[key];
    if (typeof value === "string" && value.length <= 2000) input[key] = value;
  }
  return input;
}
