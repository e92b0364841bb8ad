import { createHash, randomBytes } from "node:crypto";
import { and, asc, count, eq, isNull, ne } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import type { RoomDb, RoomQueries } from "../db/room-db.ts";
import { operatorTokens } from "./schema.ts";

const SEED_LABEL = "POD_ADMIN_TOKEN";

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

export function generateToken(): string {
  return `pod_${randomBytes(32).toString("base64url")}`;
}

/** Whether a member may act as an operator now (an active coordinator): asked of the members room. */
export type IsCoordinator = (memberId: string) => boolean | Promise<boolean>;

const tokens = (rooms: RoomDb) => rooms.table(operatorTokens);

export async function isValidOperatorToken(rooms: RoomDb, token: string, isCoordinator: IsCoordinator) {
  return (await operatorTokenIdOf(rooms, token, isCoordinator)) !== null;
}

/** The id of the operator token, or null when it is not one (or its member is no longer a coordinator). */
export async function operatorTokenIdOf(
  rooms: RoomDb,
  token: string,
  isCoordinator: IsCoordinator,
): Promise<string | null> {
  const t = tokens(rooms);
  const [row] = await rooms.read((db) =>
    db
      .select({ id: t.id, memberId: t.memberId })
      .from(t)
      .where(eq(t.tokenHash, hashToken(token))),
  );
  if (!row || (row.memberId !== null && !(await isCoordinator(row.memberId)))) return null;
  return row.id;
}

/** A member's own API token (for scripts and apps of theirs): returned once, listed by label, revoked alone. */
export async function createMemberToken(rooms: RoomDb, memberId: string, label: string): Promise<string> {
  const token = generateToken();
  const row = { id: uuidv7(), tokenHash: hashToken(token), label, memberId, createdAt: new Date().toISOString() };
  await rooms.write((db) => db.insert(tokens(rooms)).values(row));
  return token;
}

export function tokensOf(rooms: RoomDb, memberId: string) {
  const t = tokens(rooms);
  return rooms.read((db) =>
    db
      .select({ id: t.id, label: t.label, createdAt: t.createdAt })
      .from(t)
      .where(eq(t.memberId, memberId))
      .orderBy(asc(t.createdAt), asc(t.id)),
  );
}

export async function revokeMemberToken(rooms: RoomDb, memberId: string, id: string): Promise<boolean> {
  const t = tokens(rooms);
  const revoked = await rooms.write((db) =>
    db
      .delete(t)
      .where(and(eq(t.id, id), eq(t.memberId, memberId)))
      .returning({ id: t.id }),
  );
  return revoked.length === 1;
}

/**
 * Makes sure an operator can get in. With a seed (POD_ADMIN_TOKEN) that token is registered.
 * Without one, a token is created only when none exists yet, and returned so it can be printed once.
 */
export async function ensureOperatorToken(rooms: RoomDb, seed?: string): Promise<string | null> {
  const t = tokens(rooms);
  if (seed) {
    // A changed POD_ADMIN_TOKEN replaces the previous one: an old seed must not stay valid.
    await rooms.write(async (db) => {
      await db.delete(t).where(and(eq(t.label, SEED_LABEL), ne(t.tokenHash, hashToken(seed))));
      await db
        .insert(t)
        .values({ id: uuidv7(), tokenHash: hashToken(seed), label: SEED_LABEL, createdAt: new Date().toISOString() })
        .onConflictDoNothing();
    });
    return null;
  }
  // One at a time across processes: processes starting together make one token between them.
  return rooms.write(
    async (db) => {
      const [existing] = await db.select({ n: count() }).from(t).where(isNull(t.memberId));
      return (existing?.n ?? 0) > 0 ? null : addToken(db, t, "first start");
    },
    { oneAtATime: "operators: first token" },
  );
}

/**
 * Revokes every generated automation token (a POD_ADMIN_TOKEN seed and members' own tokens stay valid) and returns
 * a new one.
 */
export function rotateToken(rooms: RoomDb): Promise<string> {
  const t = tokens(rooms);
  return rooms.write(async (db) => {
    await db.delete(t).where(and(ne(t.label, SEED_LABEL), isNull(t.memberId)));
    return addToken(db, t, "rotated");
  });
}

/** Adds another token, leaving the existing ones valid (e.g. one per operator or automation). */
export function createToken(rooms: RoomDb, label: string): Promise<string> {
  return rooms.write((db) => addToken(db, tokens(rooms), label));
}

async function addToken(db: RoomQueries, t: typeof operatorTokens, label: string): Promise<string> {
  const token = generateToken();
  await db.insert(t).values({ id: uuidv7(), tokenHash: hashToken(token), label, createdAt: new Date().toISOString() });
  return token;
}

/**
 * The member's token an app's access hangs on when a coordinator allows the app with their session: one per member
 * and app (its secret is never shown; it only anchors the grant). Revoking it on the tokens page ends the app's access,
 * and it stops working with the member (disabled, or no longer a coordinator).
 */
export function appGrantTokenId(rooms: RoomDb, memberId: string, label: string): Promise<string> {
  const t = tokens(rooms);
  return rooms.write(
    async (db) => {
      const [found] = await db
        .select({ id: t.id })
        .from(t)
        .where(and(eq(t.memberId, memberId), eq(t.label, label)));
      if (found) return found.id;
      const row = {
        id: uuidv7(),
        tokenHash: hashToken(generateToken()),
        label,
        memberId,
        createdAt: new Date().toISOString(),
      };
      await db.insert(t).values(row);
      return row.id;
    },
    { oneAtATime: `operators: grant ${memberId}` },
  );
}

/** Whether what an operator token granted (an app's access) still stands: the token exists and its member may act. */
export async function grantStillStands(rooms: RoomDb, tokenId: string, isCoordinator: IsCoordinator) {
  const t = tokens(rooms);
  const [row] = await rooms.read((db) => db.select({ memberId: t.memberId }).from(t).where(eq(t.id, tokenId)));
  return row !== undefined && (row.memberId === null || (await isCoordinator(row.memberId)));
}

/** Who holds each operator token: its label and, for a member's own token, the member. */
export async function tokenHolders(rooms: RoomDb): Promise<Map<string, { label: string; memberId: string | null }>> {
  const t = tokens(rooms);
  const rows = await rooms.read((db) => db.select({ id: t.id, label: t.label, memberId: t.memberId }).from(t));
  return new Map(rows.map((row) => [row.id, { label: row.label, memberId: row.memberId }]));
}
