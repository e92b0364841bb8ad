import { hash as argon2Hash, verify as argon2Verify } from "@node-rs/argon2";
import { uuidv7 } from "uuidv7";
import type { RoomDb, RoomQueries } from "../db/room-db.ts";
import type { InvitationPurpose, MemberRole } from "./schema.ts";
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

/** A coordinator's action refused because they stopped being one (elsewhere) after their request was let in. */
export class NoLongerCoordinator extends Error {
  constructor() {
    super("members.noLongerCoordinator");
  }
}

/** "superseded": a setup link a restart replaced (the pod still has no coordinator); "setupDone": the pod has one. */
export type InvitationState = "open" | "used" | "expired" | "unknown" | "superseded" | "setupDone";

/** A password that matched: who, and the hash it matched (a session started from it holds to that hash). */
export interface PasswordProof {
  member: Member;
  passwordHash: string;
}

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

/** Writes that read the coordinators to change them take turns (the last active coordinator stays one). */
const COORDINATORS = { oneAtATime: "members: coordinators" };
/** Writes that make a setup link take turns (processes starting together print one between them). */
const SETUP = { oneAtATime: "members: setup" };

interface Log {
  warn(object: object, message: string): void;
}
const stderrLog: Log = { warn: (object, message) => console.warn(message, object) };

export function membersService(rooms: RoomDb, now: () => Date, log: Log = stderrLog) {
  const store = membersStore(rooms);
  const iso = () => now().toISOString();
  const auditWithin = (db: RoomQueries, memberId: string | null, action: string, subject = "") =>
    store.audit(db, { at: iso(), memberId, action, subject });

  /**
   * Audit entries asked for by rooms whose routes do not await them: written one after another in the order they
   * were asked for (concurrent writes on PostgreSQL's pool could commit out of order), never rejecting (a failure
   * is logged); reading the log first waits for those this process is still writing.
   */
  let lastAudit: Promise<void> = Promise.resolve();
  function audit(memberId: string | null, action: string, subject = ""): Promise<void> {
    const entry = { at: iso(), memberId, action, subject };
    lastAudit = lastAudit
      .then(() => rooms.write((db) => store.audit(db, entry)))
      .then(
        () => {},
        (error: unknown) => log.warn({ err: error, action }, "an audit entry could not be written"),
      );
    return lastAudit;
  }
  const auditWritten = () => lastAudit;

  async function stateWithin(db: RoomQueries, invitation: Invitation | undefined): Promise<InvitationState> {
    if (!invitation) return "unknown";
    if (invitation.usedAt && invitation.purpose === "setup")
      return (await store.countActive(db, "coordinator")) > 0 ? "setupDone" : "superseded";
    if (invitation.usedAt) return "used";
    return invitation.expiresAt <= iso() ? "expired" : "open";
  }

  /** Why a link could not be used after all (another request used it first, or it expired meanwhile). */
  async function refusal(db: RoomQueries, tokenHash: string): Promise<FormError> {
    const state = await stateWithin(db, await store.invitationByHash(db, tokenHash));
    return new FormError("link", `invitation.${state === "open" ? "used" : state}`);
  }

  function invitationOf(secret: string) {
    return rooms.read(async (db) => {
      const invitation = await store.invitationByHash(db, hashSecret(secret));
      const member = invitation?.memberId ? await store.byId(db, invitation.memberId) : undefined;
      return { state: await stateWithin(db, invitation), invitation, member };
    });
  }

  /** Within a write: a new setup link while the pod has no coordinator (open ones stop working); null once set up. */
  async function freshSetupWithin(db: RoomQueries): Promise<string | null> {
    if ((await store.countActive(db, "coordinator")) > 0) return null;
    await store.revokeOpen(db, "setup", iso());
    return (await linkWithin(db, "setup", "coordinator", null, SETUP_TTL_HOURS)).secret;
  }

  async function linkWithin(
    db: RoomQueries,
    purpose: InvitationPurpose,
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
    await store.insertInvitation(db, invitation);
    return { invitation, secret };
  }

  const lastCoordinator = () => new FormError("role", "error.lastCoordinator");
  /**
   * A coordinator's action, checked again inside its write: another coordinator (perhaps on another process) may have
   * demoted or disabled them since their request was let in. Writes naming COORDINATORS take turns, so of two
   * coordinators disabling each other at once, the second finds it can no longer.
   */
  async function stillCoordinatorWithin(db: RoomQueries, by: Member): Promise<void> {
    const acting = await store.byId(db, by.id);
    if (acting?.role !== "coordinator" || acting.disabledAt) throw new NoLongerCoordinator();
  }

  return {
    audit,
    /** Waits for the audit entries this process is still writing (before the database closes). */
    auditWritten,

    /** True until the first coordinator exists. */
    needsSetup: async () => (await rooms.read((db) => store.countActive(db, "coordinator"))) === 0,

    /**
     * The first-run link, made anew at each start while the pod has no coordinator (earlier ones stop working:
     * only the link printed last can be used). Null once set up.
     */
    freshSetupSecret: (): Promise<string | null> => rooms.write(freshSetupWithin, SETUP),

    /**
     * What a starting process shows: a fresh setup link (freshSetupSecret) while the pod has no coordinator, or
     * "shared" when another process starting at the same time made one moments ago, so that several web
     * processes print one link between them rather than one each that the next revokes; null when set up.
     */
    setupSecretAtStart(): Promise<{ secret: string } | "shared" | null> {
      return rooms.write(async (db) => {
        const moments = new Date(now().getTime() - SETUP_SHARED_MS).toISOString();
        if ((await store.countActive(db, "coordinator")) === 0 && (await store.openSince(db, "setup", moments)))
          return "shared";
        const secret = await freshSetupWithin(db);
        return secret ? { secret } : null;
      }, SETUP);
    },

    invite(by: Member, role: MemberRole) {
      return rooms.write(async (db) => {
        await stillCoordinatorWithin(db, by);
        const link = await linkWithin(db, "join", role, by.id, INVITATION_TTL_HOURS);
        await auditWithin(db, by.id, "member.invite", link.invitation.id);
        return link;
      }, COORDINATORS);
    },

    /** A coordinator-made link that lets a member set a new password (their sessions end when it is used). */
    passwordResetLink(by: Member, memberId: string) {
      return rooms.write(async (db) => {
        await stillCoordinatorWithin(db, by);
        const member = await store.byId(db, memberId);
        if (!member) throw new FormError("member", "error.unknownMember");
        const link = await linkWithin(db, "reset", member.role, by.id, INVITATION_TTL_HOURS, member.id);
        await auditWithin(db, by.id, "member.reset-link", member.id);
        return { ...link, member };
      }, COORDINATORS);
    },

    openInvitations: () => rooms.read((db) => store.openInvitations(db, iso())),
    /** Closes an open link; false (and nothing audited) when there was no open link with that id. */
    revokeInvitation(by: Member, id: string): Promise<boolean> {
      return rooms.write(async (db) => {
        await stillCoordinatorWithin(db, by);
        if (!(await store.revokeInvitation(db, id, iso()))) return false;
        await auditWithin(db, by.id, "member.invite-revoke", id);
        return true;
      }, COORDINATORS);
    },

    invitation: (secret: string): Promise<{ state: InvitationState; invitation?: Invitation; member?: Member }> =>
      invitationOf(secret),

    /** Opens a join or setup link: makes the account, marks the link used, all or nothing. */
    async accept(secret: string, account: NewAccount): Promise<Member> {
      const { state, invitation } = await invitationOf(secret);
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
      return rooms.write(async (db) => {
        const used = await store.use(db, invitation.tokenHash, invitation.purpose, iso());
        if (!used) throw await refusal(db, invitation.tokenHash);
        if (!(await store.insert(db, member))) throw new FormError("username", "error.usernameTaken");
        await store.setPasswordHash(db, member.id, hash, iso());
        await auditWithin(db, member.id, used.purpose === "setup" ? "pod.setup" : "member.join", used.id);
        return member;
      });
    },

    /** Uses a reset link: sets the password and ends every session of that member. */
    async resetPassword(secret: string, password: string): Promise<Member> {
      const { state, invitation } = await invitationOf(secret);
      if (state !== "open" || invitation?.purpose !== "reset" || !invitation.memberId) {
        throw new FormError("link", `invitation.${state}`);
      }
      checkPassword(password);
      const hash = await argon2Hash(password);
      return rooms.write(async (db) => {
        const used = await store.use(db, invitation.tokenHash, "reset", iso());
        const member = used?.memberId ? await store.byId(db, used.memberId) : undefined;
        if (!member) throw await refusal(db, invitation.tokenHash);
        await store.setPasswordHash(db, member.id, hash, iso());
        await store.deleteSessionsOf(db, member.id);
        await auditWithin(db, member.id, "member.password-reset");
        return member;
      });
    },

    /**
     * The member whose username and password these are, with the password hash that matched (a session started
     * from it holds to that hash), or null (same cost either way).
     */
    async checkCredentials(username: string, password: string): Promise<PasswordProof | null> {
      const found = await rooms.read((db) => store.withPassword(db, username.trim().toLowerCase()));
      const hash = found && !found.member.disabledAt ? found.hash : undefined;
      const ok = await argon2Verify(hash ?? (await decoy()), password).catch(() => false);
      return ok && hash && found ? { member: found.member, passwordHash: hash } : null;
    },

    /**
     * A new session's secret (for the cookie; only its hash is kept), or null when the member is disabled, or, for
     * a sign-in by password, when the password changed after it was checked (a reset while argon2 was verifying).
     */
    startSession(member: Member, userAgent: string, proof?: { passwordHash: string }): Promise<string | null> {
      const secret = newSecret();
      const at = iso();
      return rooms.write(async (db) => {
        if (!(await store.lockActive(db, member.id))) return null;
        if (proof && !(await store.holdPassword(db, member.id, proof.passwordHash))) return null;
        await store.insertSession(db, {
          idHash: hashSecret(secret),
          memberId: member.id,
          userAgent: userAgent.slice(0, 200),
          createdAt: at,
          lastSeenAt: at,
          expiresAt: new Date(now().getTime() + SESSION_IDLE_MS).toISOString(),
        });
        await auditWithin(db, member.id, "member.sign-in");
        return secret;
      });
    },

    /** The signed-in member behind a session cookie, or null; a session in use stays alive. */
    async memberOfSession(secret: string): Promise<{ member: Member; sessionHash: string } | null> {
      const idHash = hashSecret(secret);
      const found = await rooms.read((db) => store.session(db, idHash));
      if (!found) return null;
      const at = iso();
      if (found.session.expiresAt <= at) {
        await rooms.write((db) => store.deleteExpiredSession(db, idHash, at));
        return null;
      }
      if (found.member.disabledAt) return null;
      // Written at most once a minute: every page view must not become a write.
      if (Date.parse(at) - Date.parse(found.session.lastSeenAt) > 60_000) {
        const expiresAt = new Date(now().getTime() + SESSION_IDLE_MS).toISOString();
        await rooms.write((db) => store.touchSession(db, idHash, at, expiresAt));
      }
      return { member: found.member, sessionHash: idHash };
    },

    sessionsOf: (memberId: string) => rooms.read((db) => store.sessionsOf(db, memberId)),
    async endSession(sessionHash: string): Promise<void> {
      await rooms.write((db) => store.deleteSession(db, sessionHash));
    },
    /** Ends one of this member's sessions (another member's session id ends nothing). */
    async endSessionOf(memberId: string, sessionHash: string): Promise<void> {
      await rooms.write((db) => store.deleteSession(db, sessionHash, memberId));
    },
    endAllSessions(member: Member): Promise<void> {
      return rooms.write(async (db) => {
        await store.deleteSessionsOf(db, member.id);
        await auditWithin(db, member.id, "member.sign-out-everywhere");
      });
    },

    async isActiveCoordinator(memberId: string): Promise<boolean> {
      const member = await rooms.read((db) => store.byId(db, memberId));
      return member?.role === "coordinator" && !member.disabledAt;
    },
    list: () => rooms.read((db) => store.list(db)),
    get: (id: string) => rooms.read((db) => store.byId(db, id)),
    byUsername: (username: string) => rooms.read((db) => store.byUsername(db, username)),
    updateProfile(member: Member, fields: Partial<ProfileFields>): Promise<void> {
      return rooms.write(async (db) => {
        await store.updateProfile(db, member.id, fields);
        await auditWithin(db, member.id, "member.profile");
      });
    },
    setRole(by: Member, memberId: string, role: MemberRole): Promise<void> {
      return rooms.write(async (db) => {
        await stillCoordinatorWithin(db, by);
        const target = await store.byId(db, memberId);
        if (!target) throw new FormError("member", "error.unknownMember");
        if (target.role === "coordinator" && role !== "coordinator") {
          if ((await store.countActive(db, "coordinator")) <= 1) throw lastCoordinator();
        }
        await store.setRole(db, memberId, role);
        await auditWithin(db, by.id, `member.role.${role}`, memberId);
      }, COORDINATORS);
    },
    /** A disabled member's sessions end at once; their tokens stop working (they are no longer a coordinator). */
    setDisabled(by: Member, memberId: string, disabled: boolean): Promise<void> {
      return rooms.write(async (db) => {
        await stillCoordinatorWithin(db, by);
        const target = await store.byId(db, memberId);
        if (!target) throw new FormError("member", "error.unknownMember");
        if (target.id === by.id) throw new FormError("member", "members.notSelf");
        if (disabled && target.role === "coordinator" && !target.disabledAt) {
          if ((await store.countActive(db, "coordinator")) <= 1) throw lastCoordinator();
        }
        await store.setDisabled(db, memberId, disabled ? iso() : null);
        if (disabled) await store.deleteSessionsOf(db, memberId);
        await auditWithin(db, by.id, disabled ? "member.disable" : "member.enable", memberId);
      }, COORDINATORS);
    },
    async auditPage(limit = 100) {
      await auditWritten();
      return rooms.read((db) => store.auditPage(db, limit));
    },
    async auditSince(action: string, since: Date) {
      await auditWritten();
      return rooms.read((db) => store.auditSince(db, action, since.toISOString()));
    },
  };
}

function checkPassword(password: string): void {
  if (password.length < 10) throw new FormError("password", "error.passwordShort");
  if (password.length > 200) throw new FormError("password", "error.passwordLong");
}

export type MembersService = ReturnType<typeof membersService>;
