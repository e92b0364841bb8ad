import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { FastifyReply, FastifyRequest } from "fastify";
import { roomsOf } from "../../db/room-db.ts";
import { z } from "zod";
import type { PodDeps } from "../../federation/deps.ts";
import { operatorTokenIdOf, type IsCoordinator } from "../../operators/service.ts";
import { html, page } from "../../web/html.ts";
import { localeFromAcceptLanguage, translator, type Locale, type Translate } from "../../webapp/i18n/index.ts";
import { toApplication } from "../entities/application.ts";
import { MastodonError } from "../errors.ts";
import { OAuthError, OOB_REDIRECT, type OAuthApp, type OAuthStore } from "../oauth.ts";
import { isVerifiedRedirect } from "../redirect-trust.ts";
import { KNOWN_SCOPES, parseScopes, withinScopes } from "../scopes.ts";
import { SESSION_COOKIE } from "../../webapp/plugin.ts";
import { authorizationQuery, checkAuthorizationRequest } from "../authorization-request.ts";

interface Speaker {
  locale: Locale;
  t: Translate;
}

/** Schemes a redirect may never use: they would run or read something in the operator's browser. */
const UNSAFE_SCHEMES = new Set(["javascript:", "data:", "vbscript:", "file:", "blob:"]);
const isRedirectUri = (uri: string) =>
  uri === OOB_REDIRECT || (URL.canParse(uri) && !new URL(uri).hash && !UNSAFE_SCHEMES.has(new URL(uri).protocol));
const httpUrl = (value: string) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);

const appInput = z.object({
  client_name: z.string().trim().min(1).max(100),
  // One URI, several separated by whitespace, or a list: each must be an absolute URI (an app's own scheme is fine).
  redirect_uris: z
    .union([z.string().max(4000), z.array(z.string().max(2000)).min(1).max(10)])
    .transform((v) => (Array.isArray(v) ? v : v.split(/\s+/).filter(Boolean)))
    .pipe(
      z
        .array(
          z
            .string()
            .refine(
              isRedirectUri,
              "each must be an absolute URI without a fragment (not javascript:, data: or file:), " +
                "or urn:ietf:wg:oauth:2.0:oob",
            ),
        )
        .min(1)
        .max(10),
    ),
  scopes: z.string().max(1000).optional(),
  website: z.string().max(500).refine(httpUrl, "must be an http(s) URL").nullish().or(z.literal("")),
});

const authorizeQuery = z.object({
  response_type: z.string().optional(),
  client_id: z.string().optional(),
  redirect_uri: z.string().optional(),
  scope: z.string().optional(),
  state: z.string().max(1000).optional(),
  code_challenge: z.string().optional(),
  code_challenge_method: z.string().optional(),
  force_login: z.string().optional(),
  lang: z.string().optional(),
});
const decision = authorizeQuery.extend({
  operator_token: z.string().max(500).optional(),
  decision: z.enum(["approve", "deny"]).optional(),
});
type AuthorizeRequest = z.infer<typeof decision>;

/** Per client address: plenty for people signing in, a brake on a loop guessing operator tokens or codes. */
export const SIGN_IN_LIMIT = { max: 40, timeWindow: "1 minute" };

const tokenInput = z.object({
  grant_type: z.string().optional(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  code: z.string().optional(),
  redirect_uri: z.string().optional(),
  code_verifier: z.string().optional(),
  scope: z.string().optional(),
});

/** RFC 6749 §2.3.1: client credentials may come in an HTTP Basic header instead of the body. */
function basicCredentials(header: string | undefined): { id: string; secret: string } | null {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? "");
  if (!match) return null;
  const [id, secret] = Buffer.from(match[1]!, "base64").toString("utf8").split(":");
  if (!id || secret === undefined) return null;
  try {
    return { id: decodeURIComponent(id), secret: decodeURIComponent(secret) };
  } catch {
    throw new OAuthError(401, "invalid_client", "the Basic credentials are not well-formed");
  }
}

function redirectWith(reply: FastifyReply, uri: string, params: Record<string, string | undefined>) {
  const target = new URL(uri);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) target.searchParams.set(key, value);
  return reply.redirect(target.href, 302);
}

/** OAuth 2 for Mastodon apps: app registration, the consent page the operator signs in on, tokens, revocation. */
interface Options {
  deps: PodDeps;
  oauth: OAuthStore;
  isCoordinator: IsCoordinator;
}

export const oauthRoutes: FastifyPluginAsyncZod<Options> = async (app, { deps, oauth, isCoordinator }) => {
  const { config } = deps;

  app.post("/api/v1/apps", { config: { rateLimit: SIGN_IN_LIMIT }, schema: { body: appInput } }, async (request) => {
    const scopes = parseScopes(request.body.scopes);
    if (!scopes)
      throw new MastodonError(422, `Validation failed: scopes: unknown scope (known: ${[...KNOWN_SCOPES].join(" ")})`);
    const { app: row, clientSecret } = await oauth.register({
      name: request.body.client_name,
      website: request.body.website || null,
      redirectUris: request.body.redirect_uris,
      scopes,
    });
    return toApplication(row, clientSecret);
  });

  // Any valid token of the app may ask (as in Mastodon), whatever its scopes.
  app.get("/api/v1/apps/verify_credentials", async (request) => {
    const row = request.oauthToken ? await oauth.appById(request.oauthToken.appId) : undefined;
    if (!row) throw new MastodonError(401, "The access token is invalid");
    const { client_id: _id, ...entity } = toApplication(row);
    return entity;
  });

  /** The operator's pages speak the browser's language (there is no session to hold a choice). */
  function speaker(request: FastifyRequest): Speaker {
    const locale = localeFromAcceptLanguage(request.headers["accept-language"]);
    return { locale, t: translator(locale) };
  }

  /** Checks an authorization request; problems are shown on the page (see checkAuthorizationRequest). */
  async function checkAuthorization(
    reply: FastifyReply,
    input: AuthorizeRequest,
    speak: Speaker,
  ): Promise<{ found: OAuthApp; scopes: string[]; redirect: string } | null> {
    const checked = await checkAuthorizationRequest(oauth, input);
    if (!("problem" in checked)) return checked;
    // Sent, not returned: a reply is a thenable, so an async function returning one would wait for it to be sent.
    void consentError(reply, speak, speak.t(`consent.${checked.problem}`));
    return null;
  }

  function consentError(reply: FastifyReply, { t, locale }: Speaker, message: string) {
    const title = t("consent.cannot");
    return reply
      .code(400)
      .type("text/html; charset=utf-8")
      .send(page(title, html`<h1>${title}</h1><p>${message}</p>`, locale));
  }

  function deniedPage(reply: FastifyReply, { t, locale }: Speaker, found: OAuthApp) {
    const title = t("consent.deniedTitle");
    return reply
      .header("cache-control", "no-store")
      .type("text/html; charset=utf-8")
      .send(page(title, html`<h1>${title}</h1><p>${t("consent.denied", { app: found.name })}</p>`, locale));
  }

  function consentPage(
    reply: FastifyReply,
    { t, locale }: Speaker,
    input: AuthorizeRequest,
    found: OAuthApp,
    scopes: string[],
    problem?: string,
  ) {
    const hidden = Object.entries(input)
      .filter(([key, value]) => value !== undefined && key !== "operator_token" && key !== "decision")
      .map(([key, value]) => html`<input type="hidden" name="${key}" value="${value}">`);
    const website = found.website ? html` (<a href="${found.website}">${found.website}</a>)` : "";
    const title = t("consent.operatorTitle", { pod: config.name });
    // The page must not be framed (a framed consent form is a clickjacking target); the pod-wide page
    // policy (no scripts, frame-ancestors 'none') is added to every page.
    return reply
      .code(problem ? 401 : 200)
      .header("x-frame-options", "DENY")
      .header("cache-control", "no-store")
      .type("text/html; charset=utf-8")
      .send(
        page(
          title,
          html`<h1>${title}</h1>
<p>${t("consent.operatorIntro", { app: found.name, scopes: scopes.join(" ") })}${website}</p>
${problem ? html`<p role="alert"><strong>${problem}</strong></p>` : ""}
<p><a href="/app/authorize?${authorizationQuery(input)}">${t("consent.operatorMember")}</a>
${t("consent.operatorOr")}</p>
<form method="post" action="/oauth/authorize">
${hidden}
<p><label>${t("consent.operatorToken")} <input type="password" name="operator_token"
 autocomplete="current-password" required></label></p>
<p><button type="submit" name="decision" value="approve">${t("consent.allow")}</button>
<button type="submit" name="decision" value="deny" formnovalidate>${t("consent.deny")}</button></p>
</form>`,
          locale,
        ),
      );
  }

  app.get("/oauth/authorize", { schema: { querystring: authorizeQuery } }, async (request, reply) => {
    const speak = speaker(request);
    const checked = await checkAuthorization(reply, request.query, speak);
    if (!checked) return reply;
    // A browser with a member's session approves on the app's own consent page (sign-in, CSRF, its language).
    const cookies = request.headers.cookie ?? "";
    if (cookies.split(/;\s*/).some((pair) => pair.startsWith(`${SESSION_COOKIE}=`)))
      return reply.redirect(`/app/authorize?${authorizationQuery(request.query)}`, 303);
    return consentPage(reply, speak, request.query, checked.found, checked.scopes);
  });

  app.post(
    "/oauth/authorize",
    { config: { rateLimit: SIGN_IN_LIMIT }, schema: { body: decision } },
    async (request, reply) => {
      const input = request.body;
      const speak = speaker(request);
      const checked = await checkAuthorization(reply, input, speak);
      if (!checked) return reply;
      const { found, scopes, redirect } = checked;
      if (input.decision !== "approve") {
        if (isVerifiedRedirect(redirect, input.redirect_uri, found.redirectUris.split("\n"))) {
          const denied = {
            error: "access_denied",
            error_description: "the operator denied access",
            state: input.state,
          };
          return redirectWith(reply, redirect, denied);
        }
        return deniedPage(reply, speak, found);
      }
      const operatorTokenId = input.operator_token
        ? await operatorTokenIdOf(roomsOf(deps), input.operator_token, isCoordinator)
        : null;
      if (!operatorTokenId) return consentPage(reply, speak, input, found, scopes, speak.t("consent.badOperatorToken"));
      // The grant hangs on the operator token used: rotating or revoking that token ends the app's access too.
      const code = await oauth.grantCode(found, scopes, redirect, input.code_challenge ?? null, operatorTokenId);
      deps.log.info({ app: found.name, scopes }, "app authorized");
      if (redirect === OOB_REDIRECT) {
        const title = speak.t("consent.codeTitle");
        return reply
          .header("cache-control", "no-store")
          .type("text/html; charset=utf-8")
          .send(
            page(
              title,
              html`<h1>${title}</h1><p>${speak.t("consent.code", { app: found.name })}</p><p><code>${code}</code></p>`,
              speak.locale,
            ),
          );
      }
      return redirectWith(reply, redirect, { code, state: input.state });
    },
  );

  app.post(
    "/oauth/token",
    { config: { rateLimit: SIGN_IN_LIMIT }, schema: { body: tokenInput } },
    async (request, reply) => {
      const body = request.body;
      const basic = basicCredentials(request.headers.authorization);
      const clientId = basic?.id ?? body.client_id;
      const clientSecret = basic?.secret ?? body.client_secret;
      reply.header("cache-control", "no-store").header("pragma", "no-cache");
      if (!clientId) throw new OAuthError(401, "invalid_client", "client_id is required");
      switch (body.grant_type) {
        case "authorization_code":
          if (!body.code) throw new OAuthError(400, "invalid_request", "code is required");
          if (!body.redirect_uri) throw new OAuthError(400, "invalid_request", "redirect_uri is required");
          return oauth.exchangeCode({
            clientId,
            clientSecret,
            code: body.code,
            redirectUri: body.redirect_uri,
            codeVerifier: body.code_verifier,
          });
        case "client_credentials": {
          const found = await oauth.app(clientId);
          const scopes = parseScopes(body.scope);
          if (found && (!scopes || !withinScopes(found.scopes.split(" "), scopes)))
            throw new OAuthError(
              400,
              "invalid_scope",
              "the requested scopes are unknown or beyond what the app registered",
            );
          return oauth.clientCredentials(clientId, clientSecret, scopes ?? ["read"]);
        }
        case undefined:
          throw new OAuthError(400, "invalid_request", "grant_type is required");
        default:
          throw new OAuthError(
            400,
            "unsupported_grant_type",
            "grant_type must be authorization_code or client_credentials",
          );
      }
    },
  );

  app.post(
    "/oauth/revoke",
    {
      schema: {
        body: z.object({
          token: z.string().optional(),
          client_id: z.string().optional(),
          client_secret: z.string().optional(),
        }),
      },
    },
    async (request) => {
      const basic = basicCredentials(request.headers.authorization);
      const clientId = basic?.id ?? request.body.client_id;
      if (!clientId) throw new OAuthError(401, "invalid_client", "client_id is required");
      if (!request.body.token) throw new OAuthError(400, "invalid_request", "token is required");
      await oauth.revoke(clientId, basic?.secret ?? request.body.client_secret, request.body.token);
      return {};
    },
  );

  app.get("/.well-known/oauth-authorization-server", async () => {
    const at = (path: string) => new URL(path, config.url).href;
    return {
      issuer: at("/"),
      authorization_endpoint: at("/oauth/authorize"),
      token_endpoint: at("/oauth/token"),
      revocation_endpoint: at("/oauth/revoke"),
      app_registration_endpoint: at("/api/v1/apps"),
      scopes_supported: [...KNOWN_SCOPES],
      response_types_supported: ["code"],
      response_modes_supported: ["query"],
      grant_types_supported: ["authorization_code", "client_credentials"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
      code_challenge_methods_supported: ["S256"],
      service_documentation: "https://docs.joinmastodon.org/methods/oauth/",
    };
  });
};
