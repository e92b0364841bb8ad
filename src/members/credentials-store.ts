import { and, eq, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { authChallenges, memberHandles, oneTimeCodes, passkeys, type CodePurpose } from "./schema.ts";

export type Passkey = typeof passkeys.$inferSelect;
export type AuthChallenge = typeof authChallenges.$inferSelect;
export type MemberHandle = typeof memberHandles.$inferSelect;
export type OneTimeCode = typeof oneTimeCodes.$inferSelect;

/** The only code that reads or writes the members room's sign-in tables: passkeys, challenges, handles, codes. */
export function credentialsStore(db: Db) {
  return {
    passkeysOf: (memberId: string) => db.select().from(passkeys).where(eq(passkeys.memberId, memberId)).all(),
    passkey: (id: string) => db.select().from(passkeys).where(eq(passkeys.id, id)).get(),
    insertPasskey(row: Passkey) {
      db.insert(passkeys).values(row).run();
    },
    /** Moves the counter forward only: false when another sign-in already used a later value. */
    usePasskey(id: string, from: number, counter: number, at: string): boolean {
      const where = and(eq(passkeys.id, id), eq(passkeys.counter, from));
      return db.update(passkeys).set({ counter, lastUsedAt: at }).where(where).run().changes === 1;
    },
    removePasskey: (memberId: string, id: string) =>
      db
        .delete(passkeys)
        .where(and(eq(passkeys.id, id), eq(passkeys.memberId, memberId)))
        .run().changes === 1,

    /** A new challenge replaces whatever the same session or attempt asked for before. */
    putChallenge(row: AuthChallenge, now: string) {
      db.delete(authChallenges).where(lt(authChallenges.expiresAt, now)).run();
      db.insert(authChallenges).values(row).onConflictDoUpdate({ target: authChallenges.boundTo, set: row }).run();
    },
    /** Takes the challenge out (single use): whoever reads it, deletes it. */
    takeChallenge: (boundTo: string) =>
      db.delete(authChallenges).where(eq(authChallenges.boundTo, boundTo)).returning().get(),

    handleOf: (memberId: string) => db.select().from(memberHandles).where(eq(memberHandles.memberId, memberId)).get(),
    memberOfHandle: (handle: string) =>
      db.select().from(memberHandles).where(eq(memberHandles.handle, handle)).get()?.memberId,
    setHandle(row: MemberHandle) {
      db.delete(memberHandles).where(eq(memberHandles.handle, row.handle)).run();
      db.insert(memberHandles).values(row).onConflictDoUpdate({ target: memberHandles.memberId, set: row }).run();
    },
    removeHandle(memberId: string) {
      db.delete(memberHandles).where(eq(memberHandles.memberId, memberId)).run();
    },

    /** A new code replaces the member's earlier ones of the same purpose, and the browser's earlier one. */
    putCode(row: OneTimeCode, now: string) {
      db.delete(oneTimeCodes).where(lt(oneTimeCodes.expiresAt, now)).run();
      db.delete(oneTimeCodes)
        .where(and(eq(oneTimeCodes.memberId, row.memberId), eq(oneTimeCodes.purpose, row.purpose)))
        .run();
      db.delete(oneTimeCodes).where(eq(oneTimeCodes.boundTo, row.boundTo)).run();
      db.insert(oneTimeCodes).values(row).run();
    },
    codeFor: (boundTo: string, purpose: CodePurpose) =>
      db
        .select()
        .from(oneTimeCodes)
        .where(and(eq(oneTimeCodes.boundTo, boundTo), eq(oneTimeCodes.purpose, purpose)))
        .get(),
    countWrongCode(id: string) {
      db.update(oneTimeCodes)
        .set({ attempts: sql`${oneTimeCodes.attempts} + 1` })
        .where(eq(oneTimeCodes.id, id))
        .run();
    },
    /** Deletes the code; false when another request used it first. */
    useCode: (id: string) => db.delete(oneTimeCodes).where(eq(oneTimeCodes.id, id)).run().changes === 1,
    deleteCode(id: string) {
      db.delete(oneTimeCodes).where(eq(oneTimeCodes.id, id)).run();
    },
  };
}

export type CredentialsStore = ReturnType<typeof credentialsStore>;
