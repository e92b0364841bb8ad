import { and, asc, count, desc, eq, gt, gte, isNull, lte, ne } from "drizzle-orm";
import type { RoomDb, RoomQueries } from "../db/room-db.ts";
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

/**
 * The only code that reads or writes the members room's tables, on either database. Each query takes the `db` of
 * a `rooms.read` or `rooms.write` (the service decides which, and what goes in one write).
 */
export function membersStore(rooms: RoomDb) {
  const m = rooms.table(members);
  const pw = rooms.table(memberPasswords);
  const inv = rooms.table(invitations);
  const ses = rooms.table(memberSessions);
  const log = rooms.table(auditLog);
  const activeWhere = (role?: MemberRole) => and(isNull(m.disabledAt), role ? eq(m.role, role) : undefined);

  return {
    async countActive(db: RoomQueries, role?: MemberRole): Promise<number> {
      const [row] = await db.select({ n: count() }).from(m).where(activeWhere(role));
      return row?.n ?? 0;
    },
    async byId(db: RoomQueries, id: string): Promise<Member | undefined> {
      const [row] = await db.select().from(m).where(eq(m.id, id));
      return row;
    },
    async byUsername(db: RoomQueries, username: string): Promise<Member | undefined> {
      const [row] = await db.select().from(m).where(eq(m.username, username));
      return row;
    },
    /** The member and their password hash (undefined when they set none), in one query. */
    async withPassword(db: RoomQueries, username: string) {
      const [row] = await db
        .select({ member: m, hash: pw.hash })
        .from(m)
        .leftJoin(pw, eq(pw.memberId, m.id))
        .where(eq(m.username, username));
      return row && { member: row.member, hash: row.hash ?? undefined };
    },
    list: (db: RoomQueries): Promise<Member[]> => db.select().from(m).orderBy(asc(m.displayName), asc(m.id)),
    /** False when the username is taken, also by a request racing this one (the unique index decides). */
    async insert(db: RoomQueries, member: Member): Promise<boolean> {
      const made = await db
        .insert(m)
        .values(member)
        .onConflictDoNothing({ target: m.username })
        .returning({ id: m.id });
      return made.length === 1;
    },
    updateProfile: (db: RoomQueries, id: string, fields: Partial<ProfileFields>) =>
      db.update(m).set(fields).where(eq(m.id, id)),
    setRole: (db: RoomQueries, id: string, role: MemberRole) => db.update(m).set({ role }).where(eq(m.id, id)),
    setDisabled: (db: RoomQueries, id: string, at: string | null) =>
      db.update(m).set({ disabledAt: at }).where(eq(m.id, id)),
    /**
     * Whether the member is active, holding their row until the write ends: on PostgreSQL a concurrent disabling
     * waits for this write (and then ends what it made, a session), or this one waits for it and sees it.
     */
    async lockActive(db: RoomQueries, id: string): Promise<boolean> {
      const held = await db
        .update(m)
        .set({ disabledAt: null })
        .where(and(eq(m.id, id), isNull(m.disabledAt)))
        .returning({ id: m.id });
      return held.length === 1;
    },

    /**
     * True while the member's password is still `hash`, holding its row until the write ends (PostgreSQL): a reset
     * committing meanwhile either waits and then ends the session made here, or is seen and refuses it.
     */
    async holdPassword(db: RoomQueries, memberId: string, hash: string): Promise<boolean> {
      const held = await db
        .update(pw)
        .set({ hash })
        .where(and(eq(pw.memberId, memberId), eq(pw.hash, hash)))
        .returning({ memberId: pw.memberId });
      return held.length === 1;
    },

    setPasswordHash: (db: RoomQueries, memberId: string, hash: string, at: string) =>
      db
        .insert(pw)
        .values({ memberId, hash, updatedAt: at })
        .onConflictDoUpdate({ target: pw.memberId, set: { hash, updatedAt: at } }),

    insertInvitation: (db: RoomQueries, invitation: Invitation) => db.insert(inv).values(invitation),
    async invitationByHash(db: RoomQueries, tokenHash: string): Promise<Invitation | undefined> {
      const [row] = await db.select().from(inv).where(eq(inv.tokenHash, tokenHash));
      return row;
    },
    /**
     * Marks the invitation used if it still is open for this purpose (unused, unexpired): the row it was, or
     * undefined. One conditional UPDATE, so of two requests racing for one link exactly one gets it.
     */
    async use(db: RoomQueries, tokenHash: string, purpose: InvitationPurpose, at: string) {
      const [used] = await db
        .update(inv)
        .set({ usedAt: at })
        .where(and(eq(inv.tokenHash, tokenHash), eq(inv.purpose, purpose), isNull(inv.usedAt), gt(inv.expiresAt, at)))
        .returning();
      return used;
    },
    openInvitations: (db: RoomQueries, now: string): Promise<Invitation[]> =>
      db
        .select()
        .from(inv)
        .where(and(isNull(inv.usedAt), gt(inv.expiresAt, now), ne(inv.purpose, "setup")))
        .orderBy(desc(inv.createdAt), desc(inv.id)),
    /** Closes an open invitation; false when there was none with that id (unknown, or already used). */
    async revokeInvitation(db: RoomQueries, id: string, at: string): Promise<boolean> {
      const revoked = await db
        .update(inv)
        .set({ usedAt: at })
        .where(and(eq(inv.id, id), isNull(inv.usedAt)))
        .returning({ id: inv.id });
      return revoked.length === 1;
    },
    /** Whether an open link for this purpose was made after `since`. */
    async openSince(db: RoomQueries, purpose: InvitationPurpose, since: string): Promise<boolean> {
      const rows = await db
        .select({ id: inv.id })
        .from(inv)
        .where(and(eq(inv.purpose, purpose), isNull(inv.usedAt), gt(inv.createdAt, since)))
        .limit(1);
      return rows.length > 0;
    },
    revokeOpen: (db: RoomQueries, purpose: InvitationPurpose, at: string) =>
      db
        .update(inv)
        .set({ usedAt: at })
        .where(and(eq(inv.purpose, purpose), isNull(inv.usedAt))),

    insertSession: (db: RoomQueries, session: MemberSession) => db.insert(ses).values(session),
    /** A session and its member, in one query (read on every request of the app). */
    async session(db: RoomQueries, idHash: string): Promise<{ session: MemberSession; member: Member } | undefined> {
      const [row] = await db
        .select({ session: ses, member: m })
        .from(ses)
        .innerJoin(m, eq(m.id, ses.memberId))
        .where(eq(ses.idHash, idHash));
      return row;
    },
    touchSession: (db: RoomQueries, idHash: string, at: string, expiresAt: string) =>
      db.update(ses).set({ lastSeenAt: at, expiresAt }).where(eq(ses.idHash, idHash)),
    sessionsOf: (db: RoomQueries, memberId: string): Promise<MemberSession[]> =>
      db.select().from(ses).where(eq(ses.memberId, memberId)).orderBy(desc(ses.lastSeenAt), asc(ses.idHash)),
    /** Ends a session; with `memberId`, only when it is that member's. */
    deleteSession: (db: RoomQueries, idHash: string, memberId?: string) =>
      db
        .delete(ses)
        .where(and(eq(ses.idHash, idHash), memberId === undefined ? undefined : eq(ses.memberId, memberId))),
    /** Ends a session found expired, unless another request just made it live again. */
    deleteExpiredSession: (db: RoomQueries, idHash: string, now: string) =>
      db.delete(ses).where(and(eq(ses.idHash, idHash), lte(ses.expiresAt, now))),
    deleteSessionsOf: (db: RoomQueries, memberId: string) => db.delete(ses).where(eq(ses.memberId, memberId)),

    audit: (db: RoomQueries, entry: Omit<AuditEntry, "id">) => db.insert(log).values(entry),
    auditPage: (db: RoomQueries, limit: number): Promise<AuditEntry[]> =>
      db.select().from(log).orderBy(desc(log.id)).limit(limit),
    /** One action's entries at or after an instant (a range on the `at` index, however long the log). */
    auditSince: (db: RoomQueries, action: string, since: string): Promise<AuditEntry[]> =>
      db
        .select()
        .from(log)
        .where(and(eq(log.action, action), gte(log.at, since)))
        .orderBy(log.id),
  };
}

export type MembersStore = ReturnType<typeof membersStore>;
