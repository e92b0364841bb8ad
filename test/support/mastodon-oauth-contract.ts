import { createHash } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import type { RoomDb } from "../../src/db/room-db.ts";
import { type OAuthError, oauthStore, TOKEN_TTL_MS } from "../../src/mastodon/oauth.ts";
import { oauthApps } from "../../src/mastodon/schema.ts";
import { revokeSignedInApp, signedInApps } from "../../src/mastodon/signed-in-apps.ts";
import { ensureOperatorToken, operatorTokenIdOf } from "../../src/operators/service.ts";
import { operatorTokens } from "../../src/operators/schema.ts";

export interface OAuthDatabases {
  rooms: () => RoomDb;
  /** Another connection (SQLite) or pool (PostgreSQL) to the same database: a second process. */
  another: () => RoomDb;
}

const REDIRECT = "https://app.example/callback";
const VERIFIER = "a-verifier-of-at-least-43-characters-0123456789";
const CHALLENGE = createHash("sha256").update(VERIFIER).digest("base64url");
const SEED = "operator-seed-token-0123456789abcdef";

/** Why a promise settled as it did: "fulfilled", or the OAuth error code. */
const outcome = (result: PromiseSettledResult<unknown>) =>
  result.status === "fulfilled" ? "fulfilled" : (result.reason as OAuthError).code;

/**
 * The Mastodon API's OAuth store on both databases (test/integration/mastodon-oauth-store.test.ts and
 * test/postgres/mastodon-oauth-store.test.ts): apps, single-use codes with PKCE, tokens, revocation.
 */
export function describeMastodonOAuthContract(name: string, databases: OAuthDatabases): void {
  describe(`${name} (Mastodon OAuth)`, () => {
    let clock: Date;
    const now = () => clock;
    let oauth: ReturnType<typeof oauthStore>;
    let operatorTokenId: string;

    beforeEach(async () => {
      clock = new Date("2026-11-30T10:00:00Z");
      const rooms = databases.rooms();
      await rooms.write(async (db) => {
        await db.delete(rooms.table(oauthApps)); // codes and tokens go with their app
        await db.delete(rooms.table(operatorTokens));
      });
      await ensureOperatorToken(rooms, SEED);
      operatorTokenId = (await operatorTokenIdOf(rooms, SEED, () => false))!;
      oauth = oauthStore(rooms, now);
    });

    const registered = (scopes = ["read", "write"]) =>
      oauth.register({ name: "Tusky", redirectUris: [REDIRECT, "urn:ietf:wg:oauth:2.0:oob"], scopes });

    it("registers an app whose secret is kept only as a hash, and finds it by client id and by id", async () => {
      const { app, clientSecret } = await registered();
      expect(app.clientSecretHash).not.toContain(clientSecret);
      expect(await oauth.app(app.clientId)).toEqual(app);
      expect(await oauth.appById(app.id)).toEqual(app);
      expect(await oauth.app("no-such-client")).toBeUndefined();
      await expect(oauth.clientCredentials(app.clientId, "wrong", ["read"])).rejects.toMatchObject({
        code: "invalid_client",
      });
    });

    it("a code is exchanged once, even twice at once on two processes; the token works until it expires", async () => {
      const { app } = await registered();
      const code = await oauth.grantCode(app, ["read"], REDIRECT, CHALLENGE, operatorTokenId);
      const elsewhere = oauthStore(databases.another(), now);
      expect(await elsewhere.app(app.clientId)).toEqual(app); // its connection open before the race
      const exchange = { clientId: app.clientId, code, redirectUri: REDIRECT, codeVerifier: VERIFIER };
      const results = await Promise.allSettled([oauth.exchangeCode(exchange), elsewhere.exchangeCode(exchange)]);
      expect(results.map(outcome).sort()).toEqual(["fulfilled", "invalid_grant"]);
      const issued = results.find((r) => r.status === "fulfilled")!.value as { access_token: string; scope: string };
      expect(issued.scope).toBe("read");
      expect(await oauth.token(issued.access_token)).toMatchObject({ operator: true, grantedBy: operatorTokenId });
      clock = new Date(clock.getTime() + TOKEN_TTL_MS + 1);
      expect(await oauth.token(issued.access_token)).toBeNull();
    });

    it("a wrong verifier or redirect uses the code up; an unknown or another app's code is refused", async () => {
      const { app } = await registered();
      const other = (await registered()).app;
      for (const wrong of [{ codeVerifier: "x".repeat(43) }, { redirectUri: "https://elsewhere.example/cb" }]) {
        const code = await oauth.grantCode(app, ["read"], REDIRECT, CHALLENGE, operatorTokenId);
        const attempt = { clientId: app.clientId, code, redirectUri: REDIRECT, codeVerifier: VERIFIER };
        await expect(oauth.exchangeCode({ ...attempt, ...wrong })).rejects.toMatchObject({ code: "invalid_grant" });
        await expect(oauth.exchangeCode(attempt)).rejects.toMatchObject({ code: "invalid_grant" });
      }
      const code = await oauth.grantCode(app, ["read"], REDIRECT, CHALLENGE, operatorTokenId);
      const asOther = { clientId: other.clientId, code, redirectUri: REDIRECT, codeVerifier: VERIFIER };
      await expect(oauth.exchangeCode(asOther)).rejects.toMatchObject({ code: "invalid_grant" });
      const unknown = { clientId: app.clientId, code: "no-such-code", redirectUri: REDIRECT, codeVerifier: VERIFIER };
      await expect(oauth.exchangeCode(unknown)).rejects.toMatchObject({ code: "invalid_grant" });
    });

    it("a code expires after ten minutes", async () => {
      const { app } = await registered();
      const code = await oauth.grantCode(app, ["read"], REDIRECT, CHALLENGE, operatorTokenId);
      clock = new Date(clock.getTime() + 10 * 60_000 + 1);
      const attempt = { clientId: app.clientId, code, redirectUri: REDIRECT, codeVerifier: VERIFIER };
      await expect(oauth.exchangeCode(attempt)).rejects.toMatchObject({ code: "invalid_grant" });
    });

    it("revoking a token takes only the app's own; another app's token and unknown tokens stay as they are", async () => {
      const one = await registered();
      const two = await registered();
      const mine = await oauth.clientCredentials(one.app.clientId, one.clientSecret, ["read"]);
      const theirs = await oauth.clientCredentials(two.app.clientId, two.clientSecret, ["read"]);
      await oauth.revoke(one.app.clientId, one.clientSecret, theirs.access_token);
      await oauth.revoke(one.app.clientId, one.clientSecret, "no-such-token");
      expect(await oauth.token(theirs.access_token)).not.toBeNull();
      await oauth.revoke(one.app.clientId, one.clientSecret, mine.access_token);
      expect(await oauth.token(mine.access_token)).toBeNull();
      await expect(oauth.revoke(one.app.clientId, "wrong", theirs.access_token)).rejects.toMatchObject({
        code: "invalid_client",
      });
    });

    it("lists apps with their live tokens; removing an app ends its codes and tokens, once", async () => {
      const { app, clientSecret } = await registered();
      const token = await oauth.clientCredentials(app.clientId, clientSecret, ["read"]);
      const code = await oauth.grantCode(app, ["read"], REDIRECT, CHALLENGE, operatorTokenId);
      expect(await oauth.apps()).toEqual([expect.objectContaining({ id: app.id, name: "Tusky", tokens: 1 })]);
      const signedIn = await signedInApps(databases.rooms(), now());
      expect(signedIn).toEqual([expect.objectContaining({ appName: "Tusky", grantedBy: null })]);
      expect(await oauth.removeApp(app.id)).toBe(true);
      expect(await oauth.removeApp(app.id)).toBe(false);
      expect(await oauth.token(token.access_token)).toBeNull();
      expect(await oauth.apps()).toEqual([]);
      const attempt = { clientId: app.clientId, code, redirectUri: REDIRECT, codeVerifier: VERIFIER };
      await expect(oauth.exchangeCode(attempt)).rejects.toMatchObject({ code: "invalid_client" });
    });

    it("a signed-in app's access is revoked once and stops at once; expired tokens are not listed", async () => {
      const { app, clientSecret } = await registered();
      const kept = await oauth.clientCredentials(app.clientId, clientSecret, ["read"]);
      const ended = await oauth.clientCredentials(app.clientId, clientSecret, ["read"]);
      const hash = createHash("sha256").update(ended.access_token).digest("hex");
      expect(await revokeSignedInApp(databases.another(), hash)).toBe(true);
      expect(await revokeSignedInApp(databases.rooms(), hash)).toBe(false);
      expect(await oauth.token(ended.access_token)).toBeNull();
      expect(await oauth.token(kept.access_token)).not.toBeNull();
      expect(await signedInApps(databases.rooms(), new Date(now().getTime() + TOKEN_TTL_MS + 1))).toEqual([]);
    });
  });
}
