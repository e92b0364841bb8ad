import type { FastifyReply, FastifyRequest } from "fastify";
import { sendError } from "./errors.ts";
import type { OAuthStore, OAuthToken } from "./oauth.ts";
import { grants } from "./scopes.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The OAuth scope a Mastodon API route needs (any one of a list); routes without one are public. */
    scope?: string | string[];
    /** True when the route acts as the pod: an app-only (client credentials) token is not enough. */
    user?: boolean;
  }
  interface FastifyRequest {
    /** The access token of a Mastodon API request; null without one (decorated, so never inherited). */
    oauthToken: OAuthToken | null;
  }
}

/**
 * Checks the Bearer token of every Mastodon API request: a bad or expired token is 401 even on public
 * routes (as Mastodon does), a missing scope 403, an app-only token on a pod route 422.
 */
export function mastodonAuth(oauth: OAuthStore, grantStands: (operatorTokenId: string) => Promise<boolean>) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization;
    const config = request.routeOptions.config;
    // Other schemes (HTTP Basic client authentication at /oauth/token) are not access tokens.
    if (header && /^Bearer\s/i.test(header)) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      const found = match ? await oauth.token(match[1]!) : null;
      // An app a member allowed stops with that member (disabled, or no longer a coordinator).
      const token = found && (found.grantedBy === null || (await grantStands(found.grantedBy))) ? found : null;
      if (!token)
        return sendError(
          reply.header("www-authenticate", 'Bearer error="invalid_token"'),
          401,
          "The access token is invalid",
        );
      request.oauthToken = token;
    }
    if (!config.scope) return;
    const token = request.oauthToken;
    if (!token) return sendError(reply.header("www-authenticate", "Bearer"), 401, "The access token is invalid");
    const needed = [config.scope].flat();
    if (!needed.some((scope) => grants(token.scopes.split(" "), scope))) {
      return sendError(
        reply.header("www-authenticate", `Bearer error="insufficient_scope", scope="${needed.join(" ")}"`),
        403,
        "This action is outside the authorized scopes",
      );
    }
    if (config.user && !token.operator) return sendError(reply, 422, "This method requires an authenticated user");
  };
}

/**
 * True when the caller may read what only the pod sees (followers-only and direct posts, its source
 * text): a token the operator granted, with a scope to read statuses.
 */
export function readsAsPod(request: FastifyRequest): boolean {
  const token = request.oauthToken;
  return token?.operator === true && grants(token.scopes.split(" "), "read:statuses");
}
