import { createHash, randomBytes } from "node:crypto";
import { and, count, eq, ne } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import type { Db } from "../db/client.ts";
import { operatorTokens } from "./schema.ts";

const SEED_LABEL = "POD_ADMIN_TOKEN";

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

export function generateToken(): string {
  return `pod_${randomBytes(32).toString("base64url")}`;
}

export function isValidOperatorToken(db: Db, token: string): boolean {
  return operatorTokenIdOf(db, token) !== null;
}

/** The id of the operator token, or null when it is not one. */
export function operatorTokenIdOf(db: Db, token: string): string | null {
  return db.select({ id: operatorTokens.id }).from(operatorTokens).where(eq(operatorTokens.tokenHash, hashToken(token))).get()?.id ?? null;
}

/**
 * Makes sure an operator can get in. With a seed (POD_ADMIN_TOKEN) that token is registered.
 * Without one, a token is created only when none exists yet, and returned so it can be printed once.
 */
export function ensureOperatorToken(db: Db, seed?: string): string | null {
  if (seed) {
    // A changed POD_ADMIN_TOKEN replaces the previous one: an old seed must not stay valid.
    db.delete(operatorTokens).where(and(eq(operatorTokens.label, SEED_LABEL), ne(operatorTokens.tokenHash, hashToken(seed)))).run();
    db.insert(operatorTokens)
      .values({ id: uuidv7(), tokenHash: hashToken(seed), label: SEED_LABEL, createdAt: new Date().toISOString() })
      .onConflictDoNothing()
      .run();
    return null;
  }
  const existing = db.select({ n: count() }).from(operatorTokens).get()?.n ?? 0;
  if (existing > 0) return null;
  return addToken(db, "first start");
}

/** Revokes every generated token (a POD_ADMIN_TOKEN seed stays valid) and returns a new one. */
export function rotateToken(db: Db): string {
  return db.transaction((tx) => {
    tx.delete(operatorTokens).where(ne(operatorTokens.label, SEED_LABEL)).run();
    return addToken(tx, "rotated");
  });
}

/** Adds another token, leaving the existing ones valid (e.g. one per operator or automation). */
export function createToken(db: Db, label: string): string {
  return addToken(db, label);
}

function addToken(db: Pick<Db, "insert">, label: string): string {
  const token = generateToken();
  db.insert(operatorTokens).values({ id: uuidv7(), tokenHash: hashToken(token), label, createdAt: new Date().toISOString() }).run();
  return token;
}
