import { desc, eq, gt } from "drizzle-orm";
import type { RoomDb } from "../db/room-db.ts";
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
export function signedInApps(rooms: RoomDb, now: Date): Promise<SignedInApp[]> {
  const [tokens, apps] = [rooms.table(oauthTokens), rooms.table(oauthApps)];
  return rooms.read((db) =>
    db
      .select({
        id: tokens.tokenHash,
        appName: apps.name,
        website: apps.website,
        scopes: tokens.scopes,
        createdAt: tokens.createdAt,
        expiresAt: tokens.expiresAt,
        grantedBy: tokens.grantedBy,
      })
      .from(tokens)
      .innerJoin(apps, eq(apps.id, tokens.appId))
      .where(gt(tokens.expiresAt, now.toISOString()))
      .orderBy(desc(tokens.createdAt), desc(tokens.tokenHash)),
  );
}

/** Ends one app's access: its token stops working at once. */
export async function revokeSignedInApp(rooms: RoomDb, id: string): Promise<boolean> {
  const tokens = rooms.table(oauthTokens);
  const revoked = await rooms.write((db) =>
    db.delete(tokens).where(eq(tokens.tokenHash, id)).returning({ id: tokens.tokenHash }),
  );
  return revoked.length === 1;
}
