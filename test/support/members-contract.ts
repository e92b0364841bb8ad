import { createHash } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import type { RoomDb } from "../../src/db/room-db.ts";
import { CODE_ATTEMPTS, codesService, type Messenger } from "../../src/members/codes.ts";
import { credentialsStore, type Passkey } from "../../src/members/credentials-store.ts";
import type { Member } from "../../src/members/model.ts";
import { memberReach } from "../../src/members/reach.ts";
import {
  auditLog,
  authChallenges,
  invitations,
  memberSessions,
  members as membersTable,
} from "../../src/members/schema.ts";
import {
  FormError,
  INVITATION_TTL_HOURS,
  membersService,
  NoLongerCoordinator,
  SESSION_IDLE_MS,
} from "../../src/members/service.ts";
import { membersStore } from "../../src/members/store.ts";

export interface MembersDatabases {
  /** The pod's RoomDb. */
  rooms: () => RoomDb;
  /** Another process's RoomDb on the same database (its own connection). */
  another: () => RoomDb;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const reasonOf = (result: PromiseSettledResult<unknown>) =>
  result.status === "rejected" && (result.reason instanceof FormError || result.reason instanceof NoLongerCoordinator)
    ? result.reason.message
    : result.status;

/**
 * The members room (the sign-in door) on both databases: test/integration/members-store.test.ts (SQLite) and
 * test/postgres/members-store.test.ts. Races run as concurrent requests do, on two connections where it matters.
 */
export function describeMembersContract(name: string, databases: MembersDatabases): void {
  describe(`${name} (members room)`, () => {
    let clock: Date;
    const now = () => clock;
    const quiet = { warn: () => {} };
    const account = (username: string) => ({ displayName: username, username, password: "long enough password" });
    let members: ReturnType<typeof membersService>;

    beforeEach(async () => {
      clock = new Date("2026-11-29T10:00:00Z");
      const rooms = databases.rooms();
      await rooms.write(async (db) => {
        // Members' rows take their passwords, sessions, passkeys, handles, codes and reset links with them.
        for (const table of [invitations, membersTable, auditLog, authChallenges]) await db.delete(rooms.table(table));
      });
      members = membersService(rooms, now, quiet);
    });

    /** A pod with its first coordinator, Ana. */
    async function withAna(): Promise<Member> {
      return members.accept((await members.freshSetupSecret())!, account("ana"));
    }
    async function join(by: Member, username: string, role: "member" | "coordinator" = "member") {
      const { secret } = await members.invite(by, role);
      return members.accept(secret, account(username));
    }

    it("only the setup link printed last works, and none once a coordinator exists", async () => {
      const first = (await members.freshSetupSecret())!;
      const second = (await members.freshSetupSecret())!;
      expect((await members.invitation(first)).state).toBe("superseded");
      await expect(members.accept(first, account("ana"))).rejects.toThrow("invitation.superseded");
      const ana = await members.accept(second, account("ana"));
      expect(ana.role).toBe("coordinator");
      expect(await members.freshSetupSecret()).toBeNull();
      expect(await members.needsSetup()).toBe(false);
      const states = await Promise.all([first, second].map(async (s) => (await members.invitation(s)).state));
      expect(states).toEqual(["setupDone", "setupDone"]);
    });

    it("processes starting together show one setup link between them; a later start makes a fresh one", async () => {
      const elsewhere = membersService(databases.another(), now, quiet);
      const shown = (await members.setupSecretAtStart()) as { secret: string };
      expect(shown).toEqual({ secret: expect.any(String) });
      clock = new Date(clock.getTime() + 3_000);
      expect(await elsewhere.setupSecretAtStart()).toBe("shared");
      expect((await members.invitation(shown.secret)).state).toBe("open");
      clock = new Date(clock.getTime() + 60_000);
      const later = (await elsewhere.setupSecretAtStart()) as { secret: string };
      expect(later.secret).toEqual(expect.any(String));
      expect((await members.invitation(shown.secret)).state).toBe("superseded");
      await members.accept(later.secret, account("ana"));
      expect(await elsewhere.setupSecretAtStart()).toBeNull();
    });

    it("two processes starting at the same instant print one setup link between them, and it works", async () => {
      const elsewhere = membersService(databases.another(), now, quiet);
      // Both connected already, as running processes are; two starts on each.
      await Promise.all([members.needsSetup(), elsewhere.needsSetup(), members.list(), elsewhere.list()]);
      const shown = await Promise.all([members, elsewhere, members, elsewhere].map((s) => s.setupSecretAtStart()));
      const links = shown.filter((s): s is { secret: string } => typeof s === "object" && s !== null);
      expect(links).toHaveLength(1);
      expect(shown.filter((s) => s === "shared")).toHaveLength(3);
      expect((await members.accept(links[0]!.secret, account("ana"))).role).toBe("coordinator");
    });

    it("an invitation expires after its time and then makes no account", async () => {
      const ana = await withAna();
      const { secret } = await members.invite(ana, "member");
      clock = new Date(clock.getTime() + INVITATION_TTL_HOURS * 3_600_000 + 1);
      expect((await members.invitation(secret)).state).toBe("expired");
      await expect(members.accept(secret, account("late"))).rejects.toThrow("invitation.expired");
      expect((await members.list()).map((m) => m.username)).toEqual(["ana"]);
    });

    it("two requests on two processes racing for one link: exactly one account, nothing half-made", async () => {
      const ana = await withAna();
      const elsewhere = membersService(databases.another(), now, quiet);
      const { secret, invitation } = await members.invite(ana, "member");
      const results = await Promise.allSettled([
        members.accept(secret, account("bea")),
        elsewhere.accept(secret, account("cai")),
        members.accept(secret, account("dan")),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      expect(results.map(reasonOf).filter((r) => r !== "fulfilled")).toEqual(["invitation.used", "invitation.used"]);
      const everyone = await members.list();
      expect(everyone).toHaveLength(2);
      const joins = (await members.auditPage()).filter((entry) => entry.action === "member.join");
      expect(joins).toEqual([expect.objectContaining({ subject: invitation.id })]);
      expect((await members.invitation(secret)).state).toBe("used");
      // The UPDATE that decides, raced without the service's checks before it: one use, whoever asks.
      const fresh = await members.invite(ana, "member");
      const [rooms, another] = [databases.rooms(), databases.another()];
      const store = membersStore(rooms);
      const at = clock.toISOString();
      const uses = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          (i % 2 ? another : rooms).write((db) => store.use(db, fresh.invitation.tokenHash, "join", at)),
        ),
      );
      expect(uses.filter(Boolean)).toHaveLength(1);
    });

    it("two links racing for one username: one account; the other link stays open (rolled back)", async () => {
      const ana = await withAna();
      const [first, second] = await Promise.all([members.invite(ana, "member"), members.invite(ana, "member")]);
      const results = await Promise.allSettled([
        members.accept(first.secret, account("bea")),
        members.accept(second.secret, account("bea")),
      ]);
      expect(results.map(reasonOf).sort()).toEqual(["error.usernameTaken", "fulfilled"]);
      const states = await Promise.all([first, second].map(async (l) => (await members.invitation(l.secret)).state));
      expect(states.sort()).toEqual(["open", "used"]);
      expect((await members.list()).map((m) => m.username).sort()).toEqual(["ana", "bea"]);
      expect((await members.auditPage()).filter((entry) => entry.action === "member.join")).toHaveLength(1);
    });

    it("keeps the last coordinator: not demoted, not disabled, even by two coordinators at once", async () => {
      const ana = await withAna();
      await expect(members.setRole(ana, ana.id, "member")).rejects.toThrow("error.lastCoordinator");
      await expect(members.setDisabled(ana, ana.id, true)).rejects.toThrow("members.notSelf");
      const bea = await join(ana, "bea", "coordinator");
      const elsewhere = membersService(databases.another(), now, quiet);
      // Each steps down at the same time: one of them must stay a coordinator.
      const demoted = await Promise.allSettled([
        members.setRole(ana, ana.id, "member"),
        elsewhere.setRole(bea, bea.id, "member"),
      ]);
      expect(demoted.map(reasonOf).sort()).toEqual(["error.lastCoordinator", "fulfilled"]);
      expect((await members.list()).filter((m) => m.role === "coordinator")).toHaveLength(1);
      // Promote back, then each disables the other at once: the second is no longer a coordinator when its turn comes.
      const [coordinator] = (await members.list()).filter((m) => m.role === "coordinator");
      const other = coordinator!.id === ana.id ? bea : ana;
      await members.setRole(coordinator!, other.id, "coordinator");
      const disabled = await Promise.allSettled([
        members.setDisabled(ana, bea.id, true),
        elsewhere.setDisabled(bea, ana.id, true),
      ]);
      expect(disabled.map(reasonOf).sort()).toEqual(["fulfilled", "members.noLongerCoordinator"]);
      const active = (await members.list()).filter((m) => m.role === "coordinator" && !m.disabledAt);
      expect(active).toHaveLength(1);
    });

    it("a coordinator demoted or disabled on another process can no longer invite, reset, revoke or change anyone", async () => {
      const ana = await withAna();
      const bea = await join(ana, "bea", "coordinator");
      const cid = await join(ana, "cid");
      const open = await members.invite(ana, "member");
      const elsewhere = membersService(databases.another(), now, quiet);
      const refused = "members.noLongerCoordinator";
      const everyAction = (by: Member) => [
        () => members.invite(by, "coordinator"),
        () => members.passwordResetLink(by, cid.id),
        () => members.revokeInvitation(by, open.invitation.id),
        () => members.setRole(by, cid.id, "coordinator"),
        () => members.setDisabled(by, cid.id, true),
      ];
      // `bea` is what her request read when it was let in; the change commits on another process before her write.
      await elsewhere.setRole(ana, bea.id, "member");
      for (const action of everyAction(bea)) await expect(action()).rejects.toThrow(refused);
      await elsewhere.setRole(ana, bea.id, "coordinator");
      await elsewhere.setDisabled(ana, bea.id, true);
      for (const action of everyAction(bea)) await expect(action()).rejects.toThrow(refused);
      expect(await members.get(cid.id)).toMatchObject({ role: "member", disabledAt: null });
      expect((await members.openInvitations()).map((i) => i.id)).toEqual([open.invitation.id]);
      const beasActions = (await members.auditPage()).filter((e) => e.memberId === bea.id).map((e) => e.action);
      expect(beasActions).toEqual(["member.join"]);
    });

    it("unknown members and links change nothing and audit nothing", async () => {
      const ana = await withAna();
      const before = await members.auditPage();
      await expect(members.setRole(ana, "no-such-member", "member")).rejects.toThrow("error.unknownMember");
      await expect(members.setDisabled(ana, "no-such-member", true)).rejects.toThrow("error.unknownMember");
      await expect(members.passwordResetLink(ana, "no-such-member")).rejects.toThrow("error.unknownMember");
      await expect(members.setDisabled(ana, ana.id, true)).rejects.toThrow("members.notSelf");
      expect(await members.revokeInvitation(ana, "no-such-invitation")).toBe(false);
      expect(await members.get("no-such-member")).toBeUndefined();
      expect(await members.isActiveCoordinator("no-such-member")).toBe(false);
      expect((await members.invitation("no-such-secret")).state).toBe("unknown");
      await expect(members.accept("no-such-secret", account("eve"))).rejects.toThrow("invitation.unknown");
      expect(await members.auditPage()).toEqual(before);
      expect(await members.list()).toHaveLength(1);
    });

    it("a revoked link makes no account; a link is revoked once", async () => {
      const ana = await withAna();
      const { secret, invitation } = await members.invite(ana, "member");
      expect((await members.openInvitations()).map((i) => i.id)).toEqual([invitation.id]);
      expect(await members.revokeInvitation(ana, invitation.id)).toBe(true);
      expect(await members.revokeInvitation(ana, invitation.id)).toBe(false);
      expect(await members.openInvitations()).toEqual([]);
      await expect(members.accept(secret, account("bea"))).rejects.toThrow("invitation.used");
      const revoked = (await members.auditPage()).filter((entry) => entry.action === "member.invite-revoke");
      expect(revoked).toHaveLength(1);
    });

    it("keeps only hashes of session cookies and link secrets", async () => {
      const ana = await withAna();
      const { secret } = await members.invite(ana, "member");
      const session = (await members.startSession(ana, "phone"))!;
      const rooms = databases.rooms();
      const stored = await rooms.read(async (db) => ({
        sessions: await db.select().from(rooms.table(memberSessions)),
        links: await db.select().from(rooms.table(invitations)),
      }));
      const everything = JSON.stringify(stored);
      expect(everything).not.toContain(session);
      expect(everything).not.toContain(secret);
      expect(stored.sessions.map((s) => s.idHash)).toEqual([sha256(session)]);
      expect(stored.links.map((l) => l.tokenHash)).toContain(sha256(secret));
    });

    it("a session unused for longer than its idle time is gone; one in use stays, touched once a minute", async () => {
      const ana = await withAna();
      const kept = (await members.startSession(ana, "phone"))!;
      const idle = (await members.startSession(ana, "laptop"))!;
      clock = new Date(clock.getTime() + 30_000);
      await members.memberOfSession(kept);
      const seen = async () => (await members.sessionsOf(ana.id)).find((s) => s.userAgent === "phone")!.lastSeenAt;
      expect(await seen()).toBe("2026-11-29T10:00:00.000Z");
      clock = new Date(clock.getTime() + SESSION_IDLE_MS / 2);
      expect((await members.memberOfSession(kept))?.member.id).toBe(ana.id);
      expect(await seen()).toBe(clock.toISOString());
      clock = new Date(clock.getTime() + SESSION_IDLE_MS / 2 + 1);
      expect(await members.memberOfSession(idle)).toBeNull();
      expect((await members.memberOfSession(kept))?.member.id).toBe(ana.id);
      expect((await members.sessionsOf(ana.id)).map((s) => s.userAgent)).toEqual(["phone"]);
    });

    it("a disabled member's sessions stop at once and stay ended when enabled again; no new one starts", async () => {
      const ana = await withAna();
      const bea = await join(ana, "bea");
      const session = (await members.startSession(bea, "phone"))!;
      expect((await members.memberOfSession(session))?.member.id).toBe(bea.id);
      await members.setDisabled(ana, bea.id, true);
      expect(await members.memberOfSession(session)).toBeNull();
      expect(await members.startSession(bea, "laptop")).toBeNull();
      expect(await members.checkCredentials("bea", "long enough password")).toBeNull();
      await members.setDisabled(ana, bea.id, false);
      expect(await members.memberOfSession(session)).toBeNull();
      expect(await members.checkCredentials("bea", "long enough password")).not.toBeNull();
    });

    it("sign-out ends only the member's own session; sign-out everywhere ends all of theirs", async () => {
      const ana = await withAna();
      const bea = await join(ana, "bea");
      const anas = [(await members.startSession(ana, "a1"))!, (await members.startSession(ana, "a2"))!];
      const beas = (await members.startSession(bea, "b1"))!;
      await members.endSessionOf(bea.id, sha256(anas[0]!));
      expect(await members.memberOfSession(anas[0]!)).not.toBeNull();
      await members.endSessionOf(ana.id, sha256(anas[0]!));
      expect(await members.memberOfSession(anas[0]!)).toBeNull();
      await members.endAllSessions(ana);
      expect(await members.memberOfSession(anas[1]!)).toBeNull();
      expect(await members.memberOfSession(beas)).not.toBeNull();
    });

    it("checks passwords without telling which usernames exist", async () => {
      await withAna();
      expect(await members.checkCredentials("ANA", "long enough password")).not.toBeNull();
      expect(await members.checkCredentials("ana", "wrong password here")).toBeNull();
      expect(await members.checkCredentials("nobody", "long enough password")).toBeNull();
    });

    it("a reset link sets the password and ends the sessions, once, even when used twice at once", async () => {
      const ana = await withAna();
      const bea = await join(ana, "bea");
      const session = (await members.startSession(bea, "phone"))!;
      const { secret } = await members.passwordResetLink(ana, bea.id);
      const elsewhere = membersService(databases.another(), now, quiet);
      const results = await Promise.allSettled([
        members.resetPassword(secret, "first new password"),
        elsewhere.resetPassword(secret, "second new password"),
      ]);
      expect(results.map(reasonOf).sort()).toEqual(["fulfilled", "invitation.used"]);
      const won = results[0]!.status === "fulfilled" ? "first new password" : "second new password";
      expect(await members.checkCredentials("bea", won)).not.toBeNull();
      expect(await members.checkCredentials("bea", "long enough password")).toBeNull();
      expect(await members.memberOfSession(session)).toBeNull();
    });

    it("a sign-in whose password was reset while it was being checked starts no session; the new password does", async () => {
      const ana = await withAna();
      const bea = await join(ana, "bea");
      const checked = (await members.checkCredentials("bea", "long enough password"))!;
      const { secret } = await members.passwordResetLink(ana, bea.id);
      // The reset lands on another process between the check and the session (argon2 takes a moment).
      await membersService(databases.another(), now, quiet).resetPassword(secret, "a brand new password");
      expect(await members.startSession(checked.member, "phone", checked)).toBeNull();
      const renewed = (await members.checkCredentials("bea", "a brand new password"))!;
      const session = (await members.startSession(renewed.member, "phone", renewed))!;
      expect((await members.memberOfSession(session))?.member.id).toBe(bea.id);
    });

    it("audit entries written without waiting are in the log, in the order asked, when it is read; a range finds one action", async () => {
      const ana = await withAna();
      clock = new Date("2026-11-30T10:00:00Z");
      void members.audit(ana.id, "rota.giveUp", "seat-1");
      const seats = Array.from({ length: 20 }, (_, i) => `seat-${i + 2}`);
      for (const seat of seats) void members.audit(ana.id, "rota.take", seat);
      const newestFirst = await members.auditPage(21);
      expect(newestFirst.map((e) => e.subject)).toEqual(["seat-1", ...seats].reverse());
      const since = await members.auditSince("rota.giveUp", new Date("2026-11-30T00:00:00Z"));
      expect(since.map((e) => [e.memberId, e.subject])).toEqual([[ana.id, "seat-1"]]);
      expect(await members.auditSince("rota.giveUp", new Date("2026-12-01T00:00:00Z"))).toEqual([]);
    });

    it("a profile change is saved with its audit entry", async () => {
      const ana = await withAna();
      await members.updateProfile(ana, { displayName: "Ana María", locale: "es", skills: "driving" });
      expect(await members.get(ana.id)).toMatchObject({ displayName: "Ana María", locale: "es", skills: "driving" });
      expect((await members.auditPage(1))[0]).toMatchObject({ memberId: ana.id, action: "member.profile" });
    });

    describe("codes sent as private messages", () => {
      const sent: string[] = [];
      const messenger: Messenger = {
        resolve: async (handle) => ({ handle, actorIri: `https://social.example/users/${handle}`, inbox: "x" }),
        send: async (_to, text) => {
          sent.push(text);
        },
      };
      const lastCode = () => /(\d{8})/.exec(sent.at(-1)!)![1]!;
      const codesOf = (rooms: RoomDb) => codesService(rooms, now, members, messenger, quiet);

      it("link a handle, then sign in with a code that works once, even when typed twice at once", async () => {
        const ana = await withAna();
        const codes = codesOf(databases.rooms());
        await codes.startLink(ana, "@Ana@Social.Example", "link:s1", (code) => `code ${code}`);
        expect(await codes.pendingLink("link:s1")).toBe("ana@social.example");
        await expect(codes.finishLink(ana, "link:s1", "not-it")).rejects.toThrow("code.wrong");
        await codes.finishLink(ana, "link:s1", lastCode());
        expect((await codes.handleOf(ana))?.handle).toBe("ana@social.example");
        await codes.requestSignIn("ana", "attempt-1", (code) => `sign in ${code}`);
        const code = lastCode();
        const elsewhere = codesOf(databases.another());
        const signedIn = await Promise.all([codes.signIn("attempt-1", code), elsewhere.signIn("attempt-1", code)]);
        expect(signedIn.filter((r) => typeof r !== "string").map((r) => (r as Member).id)).toEqual([ana.id]);
        expect(await codes.signIn("attempt-1", code)).toBe("code.wrong");
        await codes.unlink(ana);
        expect(await codes.handleOf(ana)).toBeUndefined();
      });

      it(`guesses sent at once get ${CODE_ATTEMPTS} comparisons between them, then the code is gone`, async () => {
        const ana = await withAna();
        const rooms = databases.rooms();
        const codes = codesOf(rooms);
        await codes.startLink(ana, "ana@social.example", "link:s2", (code) => `code ${code}`);
        const store = credentialsStore(rooms);
        const another = databases.another();
        const at = clock.toISOString();
        const spent = await Promise.all(
          Array.from({ length: 3 * CODE_ATTEMPTS }, (_, i) =>
            (i % 2 ? another : rooms).write((db) => store.spendGuess(db, "link:s2", "link", CODE_ATTEMPTS, at)),
          ),
        );
        expect(spent.filter(Boolean)).toHaveLength(CODE_ATTEMPTS);
        expect(await codes.finishLink(ana, "link:s2", lastCode()).catch((e: FormError) => e.message)).toBe(
          "code.tooMany",
        );
        expect(await codes.pendingLink("link:s2")).toBeUndefined();
      });

      it("a disabled member gets no code and cannot use one sent before", async () => {
        const ana = await withAna();
        const bea = await join(ana, "bea");
        const codes = codesOf(databases.rooms());
        await codes.startLink(bea, "bea@social.example", "link:s3", (code) => `code ${code}`);
        await codes.finishLink(bea, "link:s3", lastCode());
        await codes.requestSignIn("bea@social.example", "attempt-2", (code) => `sign in ${code}`);
        const code = lastCode();
        await members.setDisabled(ana, bea.id, true);
        expect(await codes.signIn("attempt-2", code)).toBe("code.wrong");
        const before = sent.length;
        await codes.requestSignIn("bea", "attempt-3", (c) => `sign in ${c}`);
        expect(sent).toHaveLength(before);
      });

      it("reminders reach active members with a verified account; coordinators are the active ones", async () => {
        const ana = await withAna();
        const bea = await join(ana, "bea", "coordinator");
        const cai = await join(ana, "cai");
        const codes = codesOf(databases.rooms());
        for (const member of [bea, cai]) {
          await codes.startLink(member, `${member.username}@social.example`, `link:${member.id}`, (c) => c);
          await codes.finishLink(member, `link:${member.id}`, lastCode());
        }
        await members.setDisabled(ana, cai.id, true);
        const reach = memberReach(databases.rooms(), members, messenger);
        const people = await reach.people();
        expect(people.coordinators().sort()).toEqual([ana.id, bea.id].sort());
        expect(people.reachable(bea.id)?.handle).toBe("bea@social.example");
        expect([people.reachable(ana.id), people.reachable(cai.id), people.active(cai.id)]).toEqual([
          undefined,
          undefined,
          undefined,
        ]);
        expect((await reach.reachable(bea.id))?.handle).toBe("bea@social.example");
        expect(await reach.reachable(cai.id)).toBeUndefined();
      });
    });

    describe("passkeys' single-use challenges and counters", () => {
      const key = (memberId: string): Passkey => ({
        id: "credential-1",
        memberId,
        label: "phone",
        publicKey: "cHVibGlj",
        counter: 4,
        transports: "internal",
        createdAt: "2026-11-29T10:00:00.000Z",
        lastUsedAt: null,
      });

      it("a challenge is taken once, a counter moves once, a credential id is added once", async () => {
        const ana = await withAna();
        const rooms = databases.rooms();
        const another = databases.another();
        const store = credentialsStore(rooms);
        const at = clock.toISOString();
        const challenge = { boundTo: "sign-in:x", purpose: "passkey-sign-in" as const, challenge: "c", expiresAt: at };
        await rooms.write((db) => store.putChallenge(db, challenge, at));
        const taken = await Promise.all(
          [rooms, another, rooms].map((r) => r.write((db) => store.takeChallenge(db, "sign-in:x"))),
        );
        expect(taken.filter(Boolean)).toEqual([challenge]);
        const added = await Promise.all(
          [rooms, another].map((r) => r.write((db) => store.insertPasskey(db, key(ana.id)))),
        );
        expect(added.sort()).toEqual([false, true]);
        const used = await Promise.all(
          [rooms, another, rooms].map((r) => r.write((db) => store.usePasskey(db, "credential-1", 4, 5, at))),
        );
        expect(used.filter(Boolean)).toHaveLength(1);
        expect(await rooms.read((db) => store.passkey(db, "credential-1"))).toMatchObject({
          counter: 5,
          lastUsedAt: at,
        });
        expect(await rooms.write((db) => store.removePasskey(db, "someone-else", "credential-1"))).toBe(false);
        expect(await rooms.write((db) => store.removePasskey(db, ana.id, "credential-1"))).toBe(true);
      });
    });
  });
}
