import { desc, eq, gt } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { oauthApps, oauthTokens } from "./schema.ts";

/** One app's access to the pod: which app, what it may do, since when, and which operator token let it in. */
export interface SignedInApp {
  /** The token's SHA-256 hash: names it for revoking, and is no use as a credential. */
  id: string;
  appName: string;
  website: string | null;
  scopes: string;
  createdAt: string;
  expiresAt: string;
  /** The operator token the consent page was signed in with; null for an app-level (client credentials) token. */
  grantedBy: string | null;
}

/** The live access tokens of Mastodon apps, newest first. */
export function signedInApps(db: Db, now: Date): SignedInApp[] {
  return db
    .select({
      id: oauthTokens.tokenHash,
      appName: oauthApps.name,
      website: oauthApps.website,
      scopes: oauthTokens.scopes,
      createdAt: oauthTokens.createdAt,
      expiresAt: oauthTokens.expiresAt,
      grantedBy: oauthTokens.grantedBy,
    })
    .from(oauthTokens)
    .innerJoin(oauthApps, eq(oauthApps.id, oauthTokens.appId))
    .where(gt(oauthTokens.expiresAt, now.toISOString()))
    .orderBy(desc(oauthTokens.createdAt))
    .all();
}

/** Ends one app's access: its token stops working at once. */
export function revokeSignedInApp(db: Db, id: string): boolean {
  return db.delete(oauthTokens).where(eq(oauthTokens.tokenHash, id)).run().changes === 1;
}
