import { createHash, randomBytes } from "node:crypto";
import { and, asc, count, eq, isNull, ne } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import type { Db } from "../db/client.ts";
import { operatorTokens } from "./schema.ts";

const SEED_LABEL = "POD_ADMIN_TOKEN";

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

export function generateToken(): string {
  return `pod_${randomBytes(32).toString("base64url")}`;
}

/** Whether a member may act as an operator now (an active coordinator): asked of the members room. */
export type IsCoordinator = (memberId: string) => boolean;

export function isValidOperatorToken(db: Db, token: string, isCoordinator: IsCoordinator): boolean {
  return operatorTokenIdOf(db, token, isCoordinator) !== null;
}

/** The id of the operator token, or null when it is not one (or its member is no longer a coordinator). */
export function operatorTokenIdOf(db: Db, token: string, isCoordinator: IsCoordinator): string | null {
  const row = db
    .select({ id: operatorTokens.id, memberId: operatorTokens.memberId })
    .from(operatorTokens)
    .where(eq(operatorTokens.tokenHash, hashToken(token)))
    .get();
  if (!row || (row.memberId !== null && !isCoordinator(row.memberId))) return null;
  return row.id;
}

/** A member's own API token (for scripts and apps of theirs): returned once, listed by label, revoked alone. */
export function createMemberToken(db: Db, memberId: string, label: string): string {
  const token = generateToken();
  const row = { id: uuidv7(), tokenHash: hashToken(token), label, memberId, createdAt: new Date().toISOString() };
  db.insert(operatorTokens).values(row).run();
  return token;
}

export function tokensOf(db: Db, memberId: string) {
  return db
    .select({ id: operatorTokens.id, label: operatorTokens.label, createdAt: operatorTokens.createdAt })
    .from(operatorTokens)
    .where(eq(operatorTokens.memberId, memberId))
    .orderBy(asc(operatorTokens.createdAt))
    .all();
}

export function revokeMemberToken(db: Db, memberId: string, id: string): boolean {
  const result = db
    .delete(operatorTokens)
    .where(and(eq(operatorTokens.id, id), eq(operatorTokens.memberId, memberId)))
    .run();
  return result.changes === 1;
}

/**
 * Makes sure an operator can get in. With a seed (POD_ADMIN_TOKEN) that token is registered.
 * Without one, a token is created only when none exists yet, and returned so it can be printed once.
 */
export function ensureOperatorToken(db: Db, seed?: string): string | null {
  if (seed) {
    // A changed POD_ADMIN_TOKEN replaces the previous one: an old seed must not stay valid.
    db.delete(operatorTokens)
      .where(and(eq(operatorTokens.label, SEED_LABEL), ne(operatorTokens.tokenHash, hashToken(seed))))
      .run();
    db.insert(operatorTokens)
      .values({ id: uuidv7(), tokenHash: hashToken(seed), label: SEED_LABEL, createdAt: new Date().toISOString() })
      .onConflictDoNothing()
      .run();
    return null;
  }
  // One transaction that takes the write lock first: processes starting together make one token between them.
  return db.transaction(
    () => {
      const existing = db.select({ n: count() }).from(operatorTokens).where(isNull(operatorTokens.memberId)).get()?.n;
      return (existing ?? 0) > 0 ? null : addToken(db, "first start");
    },
    { behavior: "immediate" },
  );
}

/**
 * Revokes every generated automation token (a POD_ADMIN_TOKEN seed and members' own tokens stay valid) and returns
 * a new one.
 */
export function rotateToken(db: Db): string {
  return db.transaction((tx) => {
    tx.delete(operatorTokens)
      .where(and(ne(operatorTokens.label, SEED_LABEL), isNull(operatorTokens.memberId)))
      .run();
    return addToken(tx, "rotated");
  });
}

/** Adds another token, leaving the existing ones valid (e.g. one per operator or automation). */
export function createToken(db: Db, label: string): string {
  return addToken(db, label);
}

function addToken(db: Pick<Db, "insert">, label: string): string {
  const token = generateToken();
  db.insert(operatorTokens)
    .values({ id: uuidv7(), tokenHash: hashToken(token), label, createdAt: new Date().toISOString() })
    .run();
  return token;
}

/**
 * The member's token an app's access hangs on when a coordinator allows the app with their session: one per member
 * and app (its secret is never shown; it only anchors the grant). Revoking it on the tokens page ends the app's access,
 * and it stops working with the member (disabled, or no longer a coordinator).
 */
export function appGrantTokenId(db: Db, memberId: string, label: string): string {
  const found = db
    .select({ id: operatorTokens.id })
    .from(operatorTokens)
    .where(and(eq(operatorTokens.memberId, memberId), eq(operatorTokens.label, label)))
    .get();
  if (found) return found.id;
  const row = {
    id: uuidv7(),
    tokenHash: hashToken(generateToken()),
    label,
    memberId,
    createdAt: new Date().toISOString(),
  };
  db.insert(operatorTokens).values(row).run();
  return row.id;
}

/** Whether what an operator token granted (an app's access) still stands: the token exists and its member may act. */
export function grantStillStands(db: Db, tokenId: string, isCoordinator: IsCoordinator): boolean {
  const row = db
    .select({ memberId: operatorTokens.memberId })
    .from(operatorTokens)
    .where(eq(operatorTokens.id, tokenId))
    .get();
  return row !== undefined && (row.memberId === null || isCoordinator(row.memberId));
}

/** Who holds each operator token: its label and, for a member's own token, the member. */
export function tokenHolders(db: Db): Map<string, { label: string; memberId: string | null }> {
  const rows = db
    .select({ id: operatorTokens.id, label: operatorTokens.label, memberId: operatorTokens.memberId })
    .from(operatorTokens)
    .all();
  return new Map(rows.map((row) => [row.id, { label: row.label, memberId: row.memberId }]));
}
