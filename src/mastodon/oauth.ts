import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { count, eq, lt } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { snowflake } from "../social/ids.ts";
import { oauthApps, oauthCodes, oauthTokens } from "./schema.ts";

export type OAuthApp = typeof oauthApps.$inferSelect;
export type OAuthToken = typeof oauthTokens.$inferSelect;

const CODE_TTL_MS = 10 * 60 * 1000;
/** App tokens last a year; signing in again from the app makes a new one. */
export const TOKEN_TTL_MS = 365 * 24 * 60 * 60 * 1000;
export const OOB_REDIRECT = "urn:ietf:wg:oauth:2.0:oob";

const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");
const secret = () => randomBytes(32).toString("base64url");
const sameSecret = (given: string, hash: string) => timingSafeEqual(Buffer.from(sha256(given)), Buffer.from(hash));

/** An RFC 6749 error: `error` is the registered code, `status` what the endpoint answers. */
export class OAuthError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, description: string) {
    super(description);
    this.status = status;
    this.code = code;
  }
}

/** Apps, authorization codes (with PKCE S256) and access tokens for the Mastodon client API. */
export function oauthStore(db: Db, now: () => Date) {
  const app = (clientId: string) => db.select().from(oauthApps).where(eq(oauthApps.clientId, clientId)).get();

  function authenticateClient(clientId: string, clientSecret: string | undefined): OAuthApp {
    const found = app(clientId);
    if (!found || !clientSecret || !sameSecret(clientSecret, found.clientSecretHash))
      throw new OAuthError(401, "invalid_client", "unknown client or wrong client_secret");
    return found;
  }

  function issue(appId: string, scopes: string[], grantedBy: string | null) {
    const token = `pods_${secret()}`;
    const created = now();
    db.delete(oauthTokens).where(lt(oauthTokens.expiresAt, created.toISOString())).run();
    db.insert(oauthTokens)
      .values({
        operator: grantedBy !== null,
        grantedBy,
        tokenHash: sha256(token),
        appId,
        scopes: scopes.join(" "),
        createdAt: created.toISOString(),
        expiresAt: new Date(created.getTime() + TOKEN_TTL_MS).toISOString(),
      })
      .run();
    return {
      access_token: token,
      token_type: "Bearer",
      scope: scopes.join(" "),
      created_at: Math.floor(created.getTime() / 1000),
      expires_in: TOKEN_TTL_MS / 1000,
    };
  }

  return {
    register(input: { name: string; website?: string | null; redirectUris: string[]; scopes: string[] }) {
      const clientSecret = secret();
      const row = db
        .insert(oauthApps)
        .values({
          id: snowflake(now()),
          clientId: secret(),
          clientSecretHash: sha256(clientSecret),
          name: input.name,
          website: input.website ?? null,
          redirectUris: input.redirectUris.join("\n"),
          scopes: input.scopes.join(" "),
          createdAt: now().toISOString(),
        })
        .returning()
        .get();
      return { app: row, clientSecret };
    },

    app,
    appById: (id: string) => db.select().from(oauthApps).where(eq(oauthApps.id, id)).get(),

    /** Stores a code the operator granted; returns the code to hand to the app. */
    grantCode(
      found: OAuthApp,
      scopes: string[],
      redirectUri: string,
      codeChallenge: string | null,
      grantedBy: string,
    ): string {
      const code = secret();
      db.delete(oauthCodes).where(lt(oauthCodes.expiresAt, now().toISOString())).run();
      db.insert(oauthCodes)
        .values({
          codeHash: sha256(code),
          appId: found.id,
          scopes: scopes.join(" "),
          redirectUri,
          codeChallenge,
          grantedBy,
          expiresAt: new Date(now().getTime() + CODE_TTL_MS).toISOString(),
        })
        .run();
      return code;
    },

    /**
     * authorization_code grant: a code is used once, with the redirect URI and (when it was given) the PKCE verifier it
     * was made for.
     */
    exchangeCode(input: {
      clientId: string;
      clientSecret?: string;
      code: string;
      redirectUri: string;
      codeVerifier?: string;
    }) {
      const found = app(input.clientId);
      if (!found) throw new OAuthError(401, "invalid_client", "unknown client");
      const row = db
        .delete(oauthCodes)
        .where(eq(oauthCodes.codeHash, sha256(input.code)))
        .returning()
        .get();
      if (!row || row.appId !== found.id || Date.parse(row.expiresAt) < now().getTime())
        throw new OAuthError(400, "invalid_grant", "the code is unknown, used or expired");
      if (input.redirectUri !== row.redirectUri)
        throw new OAuthError(400, "invalid_grant", "redirect_uri differs from the authorization request");
      if (row.codeChallenge) {
        const verifier = input.codeVerifier ?? "";
        const computed = createHash("sha256").update(verifier).digest("base64url");
        if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || computed !== row.codeChallenge)
          throw new OAuthError(400, "invalid_grant", "code_verifier does not match the code_challenge");
        // A public client proves itself with the verifier; a secret, when sent, must still be right.
        if (input.clientSecret !== undefined) authenticateClient(input.clientId, input.clientSecret);
      } else {
        authenticateClient(input.clientId, input.clientSecret);
      }
      return issue(found.id, row.scopes.split(" "), row.grantedBy);
    },

    /** client_credentials grant: an app-level token (no account), within the app's scopes. */
    clientCredentials(clientId: string, clientSecret: string | undefined, scopes: string[]) {
      const found = authenticateClient(clientId, clientSecret);
      return issue(found.id, scopes, null);
    },

    revoke(clientId: string, clientSecret: string | undefined, token: string): void {
      const found = authenticateClient(clientId, clientSecret);
      const row = db
        .select()
        .from(oauthTokens)
        .where(eq(oauthTokens.tokenHash, sha256(token)))
        .get();
      // RFC 7009: an unknown token is not an error; another app's token is not revoked.
      if (row && row.appId === found.id) db.delete(oauthTokens).where(eq(oauthTokens.tokenHash, row.tokenHash)).run();
    },

    /** Registered apps with how many live tokens each has, for the operator. */
    apps() {
      return db
        .select({
          id: oauthApps.id,
          name: oauthApps.name,
          website: oauthApps.website,
          scopes: oauthApps.scopes,
          createdAt: oauthApps.createdAt,
          tokens: count(oauthTokens.tokenHash),
        })
        .from(oauthApps)
        .leftJoin(oauthTokens, eq(oauthTokens.appId, oauthApps.id))
        .groupBy(oauthApps.id)
        .all();
    },

    /** Removes an app and every code and token it holds. */
    removeApp: (id: string) => db.delete(oauthApps).where(eq(oauthApps.id, id)).run().changes > 0,

    /** The token behind a Bearer credential, or null when unknown or expired. */
    token(bearer: string): OAuthToken | null {
      const row = db
        .select()
        .from(oauthTokens)
        .where(eq(oauthTokens.tokenHash, sha256(bearer)))
        .get();
      return row && Date.parse(row.expiresAt) > now().getTime() ? row : null;
    },
  };
}

export type OAuthStore = ReturnType<typeof oauthStore>;
