import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { and, asc, count, eq, gt, lt } from "drizzle-orm";
import type { RoomDb } from "../db/room-db.ts";
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

/**
 * Apps, authorization codes (with PKCE S256) and access tokens for the Mastodon client API, on the RoomDb. A code is
 * taken by one `DELETE … RETURNING` before it is checked: of two exchanges at once one gets it, and a wrong verifier
 * or redirect still uses it up.
 */
export function oauthStore(rooms: RoomDb, now: () => Date) {
  const apps = rooms.table(oauthApps);
  const codes = rooms.table(oauthCodes);
  const tokens = rooms.table(oauthTokens);

  const app = async (clientId: string): Promise<OAuthApp | undefined> =>
    (await rooms.read((db) => db.select().from(apps).where(eq(apps.clientId, clientId))))[0];

  async function authenticateClient(clientId: string, clientSecret: string | undefined): Promise<OAuthApp> {
    const found = await app(clientId);
    if (!found || !clientSecret || !sameSecret(clientSecret, found.clientSecretHash))
      throw new OAuthError(401, "invalid_client", "unknown client or wrong client_secret");
    return found;
  }

  async function issue(appId: string, scopes: string[], grantedBy: string | null) {
    const token = `pods_${secret()}`;
    const created = now();
    await rooms.write(async (db) => {
      await db.delete(tokens).where(lt(tokens.expiresAt, created.toISOString()));
      await db.insert(tokens).values({
        operator: grantedBy !== null,
        grantedBy,
        tokenHash: sha256(token),
        appId,
        scopes: scopes.join(" "),
        createdAt: created.toISOString(),
        expiresAt: new Date(created.getTime() + TOKEN_TTL_MS).toISOString(),
      });
    });
    return {
      access_token: token,
      token_type: "Bearer",
      scope: scopes.join(" "),
      created_at: Math.floor(created.getTime() / 1000),
      expires_in: TOKEN_TTL_MS / 1000,
    };
  }

  return {
    async register(input: { name: string; website?: string | null; redirectUris: string[]; scopes: string[] }) {
      const clientSecret = secret();
      const row: OAuthApp = {
        id: snowflake(now()),
        clientId: secret(),
        clientSecretHash: sha256(clientSecret),
        name: input.name,
        website: input.website ?? null,
        redirectUris: input.redirectUris.join("\n"),
        scopes: input.scopes.join(" "),
        createdAt: now().toISOString(),
      };
      await rooms.write((db) => db.insert(apps).values(row));
      return { app: row, clientSecret };
    },

    app,
    appById: async (id: string): Promise<OAuthApp | undefined> =>
      (await rooms.read((db) => db.select().from(apps).where(eq(apps.id, id))))[0],

    /** Stores a code the operator granted; returns the code to hand to the app. */
    async grantCode(
      found: OAuthApp,
      scopes: string[],
      redirectUri: string,
      codeChallenge: string | null,
      grantedBy: string,
    ): Promise<string> {
      const code = secret();
      await rooms.write(async (db) => {
        await db.delete(codes).where(lt(codes.expiresAt, now().toISOString()));
        await db.insert(codes).values({
          codeHash: sha256(code),
          appId: found.id,
          scopes: scopes.join(" "),
          redirectUri,
          codeChallenge,
          grantedBy,
          expiresAt: new Date(now().getTime() + CODE_TTL_MS).toISOString(),
        });
      });
      return code;
    },

    /**
     * authorization_code grant: a code is used once, with the redirect URI and (when it was given) the PKCE verifier it
     * was made for.
     */
    async exchangeCode(input: {
      clientId: string;
      clientSecret?: string;
      code: string;
      redirectUri: string;
      codeVerifier?: string;
    }) {
      const found = await app(input.clientId);
      if (!found) throw new OAuthError(401, "invalid_client", "unknown client");
      const [row] = await rooms.write((db) =>
        db
          .delete(codes)
          .where(eq(codes.codeHash, sha256(input.code)))
          .returning(),
      );
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
        if (input.clientSecret !== undefined) await authenticateClient(input.clientId, input.clientSecret);
      } else {
        await authenticateClient(input.clientId, input.clientSecret);
      }
      return issue(found.id, row.scopes.split(" "), row.grantedBy);
    },

    /** client_credentials grant: an app-level token (no account), within the app's scopes. */
    async clientCredentials(clientId: string, clientSecret: string | undefined, scopes: string[]) {
      const found = await authenticateClient(clientId, clientSecret);
      return issue(found.id, scopes, null);
    },

    /** RFC 7009: an unknown token is not an error; another app's token is not revoked. */
    async revoke(clientId: string, clientSecret: string | undefined, token: string): Promise<void> {
      const found = await authenticateClient(clientId, clientSecret);
      await rooms.write((db) =>
        db.delete(tokens).where(and(eq(tokens.tokenHash, sha256(token)), eq(tokens.appId, found.id))),
      );
    },

    /** Registered apps with how many live tokens each has, for the operator. */
    apps: () =>
      rooms.read((db) =>
        db
          .select({
            id: apps.id,
            name: apps.name,
            website: apps.website,
            scopes: apps.scopes,
            createdAt: apps.createdAt,
            tokens: count(tokens.tokenHash),
          })
          .from(apps)
          .leftJoin(tokens, and(eq(tokens.appId, apps.id), gt(tokens.expiresAt, now().toISOString())))
          .groupBy(apps.id)
          .orderBy(asc(apps.id)),
      ),

    /** Removes an app and every code and token it holds. */
    async removeApp(id: string): Promise<boolean> {
      const removed = await rooms.write((db) => db.delete(apps).where(eq(apps.id, id)).returning({ id: apps.id }));
      return removed.length === 1;
    },

    /** The token behind a Bearer credential, or null when unknown or expired. */
    async token(bearer: string): Promise<OAuthToken | null> {
      const [row] = await rooms.read((db) =>
        db
          .select()
          .from(tokens)
          .where(eq(tokens.tokenHash, sha256(bearer))),
      );
      return row && Date.parse(row.expiresAt) > now().getTime() ? row : null;
    },
  };
}

export type OAuthStore = ReturnType<typeof oauthStore>;
