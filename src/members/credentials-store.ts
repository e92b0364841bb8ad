import { and, eq, gt, lt, sql } from "drizzle-orm";
import type { RoomDb, RoomQueries } from "../db/room-db.ts";
import { authChallenges, memberHandles, oneTimeCodes, passkeys, type CodePurpose } from "./schema.ts";

export type Passkey = typeof passkeys.$inferSelect;
export type AuthChallenge = typeof authChallenges.$inferSelect;
export type MemberHandle = typeof memberHandles.$inferSelect;
export type OneTimeCode = typeof oneTimeCodes.$inferSelect;

/**
 * The only code that reads or writes the members room's sign-in tables (passkeys, challenges, handles, codes), on
 * either database. Each query takes the `db` of a `rooms.read` or `rooms.write`.
 */
export function credentialsStore(rooms: RoomDb) {
  const keys = rooms.table(passkeys);
  const challenges = rooms.table(authChallenges);
  const handles = rooms.table(memberHandles);
  const codes = rooms.table(oneTimeCodes);

  return {
    passkeysOf: (db: RoomQueries, memberId: string): Promise<Passkey[]> =>
      db.select().from(keys).where(eq(keys.memberId, memberId)).orderBy(keys.createdAt, keys.id),
    async passkey(db: RoomQueries, id: string): Promise<Passkey | undefined> {
      const [row] = await db.select().from(keys).where(eq(keys.id, id));
      return row;
    },
    /** False when a passkey with that credential id exists already (also one added by a racing request). */
    async insertPasskey(db: RoomQueries, row: Passkey): Promise<boolean> {
      const made = await db
        .insert(keys)
        .values(row)
        .onConflictDoNothing({ target: keys.id })
        .returning({ id: keys.id });
      return made.length === 1;
    },
    /** Moves the counter forward only: false when another sign-in already used a later value. */
    async usePasskey(db: RoomQueries, id: string, from: number, counter: number, at: string): Promise<boolean> {
      const used = await db
        .update(keys)
        .set({ counter, lastUsedAt: at })
        .where(and(eq(keys.id, id), eq(keys.counter, from)))
        .returning({ id: keys.id });
      return used.length === 1;
    },
    async removePasskey(db: RoomQueries, memberId: string, id: string): Promise<boolean> {
      const removed = await db
        .delete(keys)
        .where(and(eq(keys.id, id), eq(keys.memberId, memberId)))
        .returning({ id: keys.id });
      return removed.length === 1;
    },

    /** A new challenge replaces whatever the same session or attempt asked for before. */
    async putChallenge(db: RoomQueries, row: AuthChallenge, now: string): Promise<void> {
      await db.delete(challenges).where(lt(challenges.expiresAt, now));
      await db.insert(challenges).values(row).onConflictDoUpdate({ target: challenges.boundTo, set: row });
    },
    /** Takes the challenge out (single use): whoever reads it, deletes it. */
    async takeChallenge(db: RoomQueries, boundTo: string): Promise<AuthChallenge | undefined> {
      const [row] = await db.delete(challenges).where(eq(challenges.boundTo, boundTo)).returning();
      return row;
    },

    async handleOf(db: RoomQueries, memberId: string): Promise<MemberHandle | undefined> {
      const [row] = await db.select().from(handles).where(eq(handles.memberId, memberId));
      return row;
    },
    async memberOfHandle(db: RoomQueries, handle: string): Promise<string | undefined> {
      const [row] = await db.select({ memberId: handles.memberId }).from(handles).where(eq(handles.handle, handle));
      return row?.memberId;
    },
    /** The handle is this member's now (whoever proved it last); the member's earlier handle is replaced. */
    async setHandle(db: RoomQueries, row: MemberHandle): Promise<void> {
      await db.delete(handles).where(eq(handles.handle, row.handle));
      await db.insert(handles).values(row).onConflictDoUpdate({ target: handles.memberId, set: row });
    },
    allHandles: (db: RoomQueries): Promise<MemberHandle[]> => db.select().from(handles),
    removeHandle: (db: RoomQueries, memberId: string) => db.delete(handles).where(eq(handles.memberId, memberId)),

    /** A new code replaces the member's earlier ones of the same purpose, and the browser's earlier one. */
    async putCode(db: RoomQueries, row: OneTimeCode, now: string): Promise<void> {
      await db.delete(codes).where(lt(codes.expiresAt, now));
      await db.delete(codes).where(and(eq(codes.memberId, row.memberId), eq(codes.purpose, row.purpose)));
      // A browser asking twice at once: the later code replaces the earlier one here too.
      await db.insert(codes).values(row).onConflictDoUpdate({ target: codes.boundTo, set: row });
    },
    async codeFor(db: RoomQueries, boundTo: string, purpose: CodePurpose): Promise<OneTimeCode | undefined> {
      const [row] = await db
        .select()
        .from(codes)
        .where(and(eq(codes.boundTo, boundTo), eq(codes.purpose, purpose)));
      return row;
    },
    /**
     * Spends one of the code's guesses before the guess is compared: the code as it is now, or undefined when it
     * has no guess left (or expired, or is gone). One conditional UPDATE, so guesses sent at once cannot all be
     * compared against a count read before any of them was counted.
     */
    async spendGuess(
      db: RoomQueries,
      boundTo: string,
      purpose: CodePurpose,
      limit: number,
      now: string,
    ): Promise<OneTimeCode | undefined> {
      const [row] = await db
        .update(codes)
        .set({ attempts: sql`${codes.attempts} + 1` })
        .where(
          and(
            eq(codes.boundTo, boundTo),
            eq(codes.purpose, purpose),
            lt(codes.attempts, limit),
            gt(codes.expiresAt, now),
          ),
        )
        .returning();
      return row;
    },
    /** Deletes the code; false when another request used it first. */
    async useCode(db: RoomQueries, id: string): Promise<boolean> {
      const used = await db.delete(codes).where(eq(codes.id, id)).returning({ id: codes.id });
      return used.length === 1;
    },
    deleteCode: (db: RoomQueries, id: string) => db.delete(codes).where(eq(codes.id, id)),
  };
}

export type CredentialsStore = ReturnType<typeof credentialsStore>;
