import { hash as argon2Hash, verify as argon2Verify } from "@node-rs/argon2";
import { uuidv7 } from "uuidv7";
import type { Db } from "../db/client.ts";
import type { MemberRole } from "./schema.ts";
import { hashSecret, newSecret } from "./secrets.ts";
import type { Invitation, Member, ProfileFields } from "./model.ts";
import { membersStore } from "./store.ts";

const HOUR = 3_600_000;
export const INVITATION_TTL_HOURS = 72;
export const SETUP_TTL_HOURS = 24 * 30;
/** A setup link made this recently by another process is the one shown (processes starting together). */
const SETUP_SHARED_MS = 10_000;
export const SESSION_IDLE_MS = 30 * 24 * HOUR;

/** A rule a form broke: `field` is the input it belongs beside, `message` a key of the message catalogs. */
export class FormError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

/** "superseded": a setup link a restart replaced (the pod still has no coordinator); "setupDone": the pod has one. */
export type InvitationState = "open" | "used" | "expired" | "unknown" | "superseded" | "setupDone";

export interface NewAccount {
  displayName: string;
  username: string;
  password: string;
}

/**
 * Compared against when the username is unknown, so a wrong name costs the same time as a wrong password and
 * the answer's timing does not tell which members exist.
 */
let decoyHash: Promise<string> | undefined;
const decoy = () => (decoyHash ??= argon2Hash(newSecret()));

export function membersService(db: Db, now: () => Date) {
  const store = membersStore(db);
  const iso = () => now().toISOString();
  const audit = (memberId: string | null, action: string, subject = "") =>
    store.audit({ at: iso(), memberId, action, subject });

  function invitationState(invitation: Invitation | undefined): InvitationState {
    if (!invitation) return "unknown";
    if (invitation.usedAt && invitation.purpose === "setup")
      return store.countActive("coordinator") > 0 ? "setupDone" : "superseded";
    if (invitation.usedAt) return "used";
    return invitation.expiresAt <= iso() ? "expired" : "open";
  }

  /** A new setup link while the pod has no coordinator (the previous one stops working); null once set up. */
  function freshSetupSecret(): string | null {
    if (store.countActive("coordinator") > 0) return null;
    store.revokeOpen("setup", iso());
    return createLink("setup", "coordinator", null, SETUP_TTL_HOURS).secret;
  }

  function createLink(
    purpose: Invitation["purpose"],
    role: MemberRole,
    createdBy: string | null,
    hours: number,
    memberId: string | null = null,
  ) {
    const secret = newSecret();
    const invitation: Invitation = {
      id: uuidv7(),
      tokenHash: hashSecret(secret),
      purpose,
      role,
      memberId,
      createdBy,
      createdAt: iso(),
      expiresAt: new Date(now().getTime() + hours * HOUR).toISOString(),
      usedAt: null,
    };
    store.insertInvitation(invitation);
    return { invitation, secret };
  }

  return {
    store,
    audit,

    /** True until the first coordinator exists. */
    needsSetup: () => store.countActive("coordinator") === 0,

    /**
     * The first-run link, made anew at each start while the pod has no coordinator (earlier ones stop working:
     * only the link printed last can be used). Null once set up.
     */
    freshSetupSecret,

    /**
     * What a starting process shows: a fresh setup link (freshSetupSecret) while the pod has no coordinator, or
     * "shared" when another process starting at the same time made one moments ago, so that several web
     * processes print one link between them rather than one each that the next revokes; null when set up.
     */
    setupSecretAtStart(): { secret: string } | "shared" | null {
      return db.transaction(
        () => {
          const moments = new Date(now().getTime() - SETUP_SHARED_MS).toISOString();
          if (store.countActive("coordinator") === 0 && store.openSince("setup", moments)) return "shared";
          const secret = freshSetupSecret();
          return secret ? { secret } : null;
        },
        { behavior: "immediate" },
      );
    },

    invite(by: Member, role: MemberRole) {
      const link = createLink("join", role, by.id, INVITATION_TTL_HOURS);
      audit(by.id, "member.invite", link.invitation.id);
      return link;
    },

    /** A coordinator-made link that lets a member set a new password (their sessions end when it is used). */
    passwordResetLink(by: Member, memberId: string) {
      const member = store.byId(memberId);
      if (!member) throw new FormError("member", "error.unknownMember");
      const link = createLink("reset", member.role, by.id, INVITATION_TTL_HOURS, member.id);
      audit(by.id, "member.reset-link", member.id);
      return link;
    },

    openInvitations: () => store.openInvitations(iso()),
    revokeInvitation(by: Member, id: string) {
      store.revokeInvitation(id, iso());
      audit(by.id, "member.invite-revoke", id);
    },

    invitation(secret: string): { state: InvitationState; invitation?: Invitation; member?: Member } {
      const invitation = store.invitationByHash(hashSecret(secret));
      const member = invitation?.memberId ? store.byId(invitation.memberId) : undefined;
      return { state: invitationState(invitation), invitation, member };
    },

    /** Opens a join or setup link: makes the account, marks the link used, all or nothing. */
    async accept(secret: string, account: NewAccount): Promise<Member> {
      const invitation = store.invitationByHash(hashSecret(secret));
      const state = invitationState(invitation);
      if (state !== "open" || !invitation || invitation.purpose === "reset")
        throw new FormError("link", `invitation.${state}`);
      const username = account.username.trim().toLowerCase();
      if (!/^[a-z0-9_.-]{2,30}$/.test(username)) throw new FormError("username", "error.username");
      if (account.displayName.trim().length === 0) throw new FormError("displayName", "error.required");
      checkPassword(account.password);
      const hash = await argon2Hash(account.password);
      const member: Member = {
        id: uuidv7(),
        displayName: account.displayName.trim().slice(0, 100),
        role: invitation.purpose === "setup" ? "coordinator" : invitation.role,
        username,
        contact: "",
        languages: "",
        skills: "",
        availability: "",
        boundaries: "",
        locale: null,
        createdAt: iso(),
        disabledAt: null,
      };
      store.transaction(() => {
        if (store.byUsername(username)) throw new FormError("username", "error.usernameTaken");
        if (!store.useInvitation(invitation.id, iso())) throw new FormError("link", "invitation.used");
        store.insert(member);
        store.setPasswordHash(member.id, hash, iso());
        audit(member.id, invitation.purpose === "setup" ? "pod.setup" : "member.join", invitation.id);
      });
      return member;
    },

    /** Uses a reset link: sets the password and ends every session of that member. */
    async resetPassword(secret: string, password: string): Promise<Member> {
      const invitation = store.invitationByHash(hashSecret(secret));
      const state = invitationState(invitation);
      if (state !== "open" || invitation?.purpose !== "reset" || !invitation.memberId) {
        throw new FormError("link", `invitation.${state}`);
      }
      checkPassword(password);
      const hash = await argon2Hash(password);
      const memberId = invitation.memberId;
      store.transaction(() => {
        if (!store.useInvitation(invitation.id, iso())) throw new FormError("link", "invitation.used");
        store.setPasswordHash(memberId, hash, iso());
        store.deleteSessionsOf(memberId);
        audit(memberId, "member.password-reset");
      });
      return store.byId(memberId)!;
    },

    /** The member whose username and password these are, or null (same cost either way). */
    async checkCredentials(username: string, password: string): Promise<Member | null> {
      const member = store.byUsername(username.trim().toLowerCase());
      const hash = member && !member.disabledAt ? store.passwordHashOf(member.id) : undefined;
      const ok = await argon2Verify(hash ?? (await decoy()), password).catch(() => false);
      return ok && hash && member ? member : null;
    },

    startSession(member: Member, userAgent: string): string {
      const secret = newSecret();
      const at = iso();
      store.insertSession({
        idHash: hashSecret(secret),
        memberId: member.id,
        userAgent: userAgent.slice(0, 200),
        createdAt: at,
        lastSeenAt: at,
        expiresAt: new Date(now().getTime() + SESSION_IDLE_MS).toISOString(),
      });
      audit(member.id, "member.sign-in");
      return secret;
    },

    /** The signed-in member behind a session cookie, or null; a session in use stays alive. */
    memberOfSession(secret: string): { member: Member; sessionHash: string } | null {
      const idHash = hashSecret(secret);
      const session = store.sessionByHash(idHash);
      if (!session) return null;
      const at = iso();
      if (session.expiresAt <= at) {
        store.deleteSession(idHash);
        return null;
      }
      const member = store.byId(session.memberId);
      if (!member || member.disabledAt) return null;
      // Written at most once a minute: every page view must not become a write.
      if (Date.parse(at) - Date.parse(session.lastSeenAt) > 60_000) {
        store.touchSession(idHash, at, new Date(now().getTime() + SESSION_IDLE_MS).toISOString());
      }
      return { member, sessionHash: idHash };
    },

    sessionsOf: (memberId: string) => store.sessionsOf(memberId),
    endSession: (sessionHash: string) => store.deleteSession(sessionHash),
    endSessionOf(memberId: string, sessionHash: string) {
      const session = store.sessionByHash(sessionHash);
      if (session?.memberId === memberId) store.deleteSession(sessionHash);
    },
    endAllSessions(member: Member) {
      store.deleteSessionsOf(member.id);
      audit(member.id, "member.sign-out-everywhere");
    },

    isActiveCoordinator(memberId: string): boolean {
      const member = store.byId(memberId);
      return member?.role === "coordinator" && !member.disabledAt;
    },
    list: () => store.list(),
    get: (id: string) => store.byId(id),
    updateProfile(member: Member, fields: Partial<ProfileFields>) {
      store.updateProfile(member.id, fields);
      audit(member.id, "member.profile");
    },
    setRole(by: Member, memberId: string, role: MemberRole) {
      const target = store.byId(memberId);
      if (!target) throw new FormError("member", "error.unknownMember");
      if (target.role === "coordinator" && role !== "coordinator" && store.countActive("coordinator") <= 1) {
        throw new FormError("role", "error.lastCoordinator");
      }
      store.setRole(memberId, role);
      audit(by.id, `member.role.${role}`, memberId);
    },
    /** A disabled member's sessions end at once; their tokens stop working (they are no longer a coordinator). */
    setDisabled(by: Member, memberId: string, disabled: boolean) {
      const target = store.byId(memberId);
      if (!target) throw new FormError("member", "error.unknownMember");
      if (target.id === by.id) throw new FormError("member", "members.notSelf");
      if (disabled && target.role === "coordinator" && !target.disabledAt && store.countActive("coordinator") <= 1) {
        throw new FormError("role", "error.lastCoordinator");
      }
      store.transaction(() => {
        store.setDisabled(memberId, disabled ? iso() : null);
        if (disabled) store.deleteSessionsOf(memberId);
        audit(by.id, disabled ? "member.disable" : "member.enable", memberId);
      });
    },
    auditPage: (limit = 100) => store.auditPage(limit),
    auditSince: (action: string, since: Date) => store.auditSince(action, since.toISOString()),
  };
}

function checkPassword(password: string): void {
  if (password.length < 10) throw new FormError("password", "error.passwordShort");
  if (password.length > 200) throw new FormError("password", "error.passwordLong");
}

export type MembersService = ReturnType<typeof membersService>;
