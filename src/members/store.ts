import { and, asc, count, desc, eq, gt, gte, isNull, ne } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import {
  auditLog,
  invitations,
  memberPasswords,
  members,
  memberSessions,
  type InvitationPurpose,
  type MemberRole,
} from "./schema.ts";
import type { AuditEntry, Invitation, Member, MemberSession, ProfileFields } from "./model.ts";

/** The only code that reads or writes the members room's tables. */
export function membersStore(db: Db) {
  return {
    transaction<T>(work: () => T): T {
      return db.transaction(() => work());
    },

    countActive(role?: MemberRole): number {
      const where = and(isNull(members.disabledAt), role ? eq(members.role, role) : undefined);
      return db.select({ n: count() }).from(members).where(where).get()?.n ?? 0;
    },
    byId: (id: string) => db.select().from(members).where(eq(members.id, id)).get(),
    byUsername: (username: string) => db.select().from(members).where(eq(members.username, username)).get(),
    list: () => db.select().from(members).orderBy(asc(members.displayName)).all(),
    insert(member: Member) {
      db.insert(members).values(member).run();
    },
    updateProfile(id: string, fields: Partial<ProfileFields>) {
      db.update(members).set(fields).where(eq(members.id, id)).run();
    },
    setRole(id: string, role: MemberRole) {
      db.update(members).set({ role }).where(eq(members.id, id)).run();
    },
    setDisabled(id: string, at: string | null) {
      db.update(members).set({ disabledAt: at }).where(eq(members.id, id)).run();
    },

    passwordHashOf: (memberId: string) =>
      db
        .select({ hash: memberPasswords.hash })
        .from(memberPasswords)
        .where(eq(memberPasswords.memberId, memberId))
        .get()?.hash,
    setPasswordHash(memberId: string, hash: string, at: string) {
      db.insert(memberPasswords)
        .values({ memberId, hash, updatedAt: at })
        .onConflictDoUpdate({ target: memberPasswords.memberId, set: { hash, updatedAt: at } })
        .run();
    },

    insertInvitation(invitation: Invitation) {
      db.insert(invitations).values(invitation).run();
    },
    invitationByHash: (tokenHash: string) =>
      db.select().from(invitations).where(eq(invitations.tokenHash, tokenHash)).get(),
    /** Marks an invitation used; false when it already was (two tabs racing for one link). */
    useInvitation(id: string, at: string): boolean {
      const result = db
        .update(invitations)
        .set({ usedAt: at })
        .where(and(eq(invitations.id, id), isNull(invitations.usedAt)))
        .run();
      return result.changes === 1;
    },
    openInvitations: (now: string) =>
      db
        .select()
        .from(invitations)
        .where(and(isNull(invitations.usedAt), gt(invitations.expiresAt, now), ne(invitations.purpose, "setup")))
        .orderBy(desc(invitations.createdAt))
        .all(),
    revokeInvitation(id: string, at: string) {
      db.update(invitations)
        .set({ usedAt: at })
        .where(and(eq(invitations.id, id), isNull(invitations.usedAt)))
        .run();
    },
    /** Whether an open link for this purpose was made after `since`. */
    openSince: (purpose: InvitationPurpose, since: string) =>
      db
        .select({ id: invitations.id })
        .from(invitations)
        .where(and(eq(invitations.purpose, purpose), isNull(invitations.usedAt), gt(invitations.createdAt, since)))
        .get() !== undefined,
    revokeOpen(purpose: InvitationPurpose, at: string) {
      db.update(invitations)
        .set({ usedAt: at })
        .where(and(eq(invitations.purpose, purpose), isNull(invitations.usedAt)))
        .run();
    },

    insertSession(session: MemberSession) {
      db.insert(memberSessions).values(session).run();
    },
    sessionByHash: (idHash: string) => db.select().from(memberSessions).where(eq(memberSessions.idHash, idHash)).get(),
    touchSession(idHash: string, at: string, expiresAt: string) {
      db.update(memberSessions).set({ lastSeenAt: at, expiresAt }).where(eq(memberSessions.idHash, idHash)).run();
    },
    sessionsOf: (memberId: string) =>
      db
        .select()
        .from(memberSessions)
        .where(eq(memberSessions.memberId, memberId))
        .orderBy(desc(memberSessions.lastSeenAt))
        .all(),
    deleteSession(idHash: string) {
      db.delete(memberSessions).where(eq(memberSessions.idHash, idHash)).run();
    },
    deleteSessionsOf(memberId: string) {
      db.delete(memberSessions).where(eq(memberSessions.memberId, memberId)).run();
    },

    audit(entry: Omit<AuditEntry, "id">) {
      db.insert(auditLog).values(entry).run();
    },
    auditPage: (limit: number) => db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(limit).all(),
    /** One action's entries at or after an instant (a range on the `at` index, however long the log). */
    auditSince: (action: string, since: string) =>
      db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, action), gte(auditLog.at, since)))
        .orderBy(auditLog.id)
        .all(),
  };
}

export type MembersStore = ReturnType<typeof membersStore>;
