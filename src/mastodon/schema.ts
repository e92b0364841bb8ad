import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { operatorTokens } from "../operators/schema.ts";

/** Apps registered through POST /api/v1/apps. The secret is kept as a SHA-256 hash. */
export const oauthApps = sqliteTable("oauth_apps", {
  id: text("id").primaryKey(),
  clientId: text("client_id").notNull().unique(),
  clientSecretHash: text("client_secret_hash").notNull(),
  name: text("name").notNull(),
  website: text("website"),
  /** Newline-separated. */
  redirectUris: text("redirect_uris").notNull(),
  scopes: text("scopes").notNull(),
  createdAt: text("created_at").notNull(),
});

/** Authorization codes the operator granted on the consent page: single use, ten minutes. */
export const oauthCodes = sqliteTable("oauth_codes", {
  codeHash: text("code_hash").primaryKey(),
  appId: text("app_id")
    .notNull()
    .references(() => oauthApps.id, { onDelete: "cascade" }),
  scopes: text("scopes").notNull(),
  redirectUri: text("redirect_uri").notNull(),
  /** PKCE (RFC 7636), S256 only. */
  codeChallenge: text("code_challenge"),
  /** The operator token signed in with: revoking it revokes what it granted. */
  grantedBy: text("granted_by")
    .notNull()
    .references(() => operatorTokens.id, { onDelete: "cascade" }),
  expiresAt: text("expires_at").notNull(),
});

/**
 * Access tokens, kept as SHA-256 hashes. `operator` tokens act as the pod; client-credential tokens only as the app.
 */
export const oauthTokens = sqliteTable("oauth_tokens", {
  tokenHash: text("token_hash").primaryKey(),
  appId: text("app_id")
    .notNull()
    .references(() => oauthApps.id, { onDelete: "cascade" }),
  scopes: text("scopes").notNull(),
  operator: integer("operator", { mode: "boolean" }).notNull(),
  /** For `operator` tokens, the operator token the consent page was signed in with. */
  grantedBy: text("granted_by").references(() => operatorTokens.id, { onDelete: "cascade" }),
  createdAt: text("created_at").notNull(),
  expiresAt: text("expires_at").notNull(),
});
