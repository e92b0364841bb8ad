import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, openMigratedDatabase, type DatabaseHandle } from "../../src/db/client.ts";
import { FormError, INVITATION_TTL_HOURS, membersService, SESSION_IDLE_MS } from "../../src/members/service.ts";

/** The members room's rules on a real SQLite file, with a clock the test moves. */
describe("members service", () => {
  let dir: string;
  let database: DatabaseHandle;
  let clock: Date;
  let members: ReturnType<typeof membersService>;
  const account = (username: string) => ({ displayName: username, username, password: "long enough password" });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "members-"));
    database = openMigratedDatabase(join(dir, "pod.sqlite"));
    clock = new Date("2026-11-29T10:00:00Z");
    members = membersService(database.db, () => clock);
  });
  afterEach(() => {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("only the setup link printed last works, and none once a coordinator exists", async () => {
    const first = members.freshSetupSecret()!;
    const second = members.freshSetupSecret()!;
    // The older link says a newer one was printed (it was never used), and once set up, that the pod is.
    expect(members.invitation(first).state).toBe("superseded");
    await expect(members.accept(first, account("ana"))).rejects.toThrow("invitation.superseded");
    const ana = await members.accept(second, account("ana"));
    expect(ana.role).toBe("coordinator");
    expect(members.freshSetupSecret()).toBeNull();
    expect(members.needsSetup()).toBe(false);
    expect([members.invitation(first).state, members.invitation(second).state]).toEqual(["setupDone", "setupDone"]);
  });

  it("processes starting together show one setup link between them; a later start makes a fresh one", async () => {
    // Another process of the same pod: its own connection to the same file.
    const other = openDatabase(join(dir, "pod.sqlite"));
    try {
      const elsewhere = membersService(other.db, () => clock);
      const shown = members.setupSecretAtStart();
      expect(shown).toEqual({ secret: expect.any(String) });
      clock = new Date(clock.getTime() + 3_000);
      expect(elsewhere.setupSecretAtStart()).toBe("shared");
      expect(members.invitation((shown as { secret: string }).secret).state).toBe("open");
      clock = new Date(clock.getTime() + 60_000);
      const later = elsewhere.setupSecretAtStart() as { secret: string };
      expect(later.secret).toEqual(expect.any(String));
      expect(members.invitation((shown as { secret: string }).secret).state).toBe("superseded");
      await members.accept(later.secret, account("ana"));
      expect(elsewhere.setupSecretAtStart()).toBeNull();
    } finally {
      other.close();
    }
  });

  it("an invitation expires after its time and then makes no account", async () => {
    const ana = await members.accept(members.freshSetupSecret()!, account("ana"));
    const { secret } = members.invite(ana, "member");
    clock = new Date(clock.getTime() + INVITATION_TTL_HOURS * 3_600_000 + 1);
    expect(members.invitation(secret).state).toBe("expired");
    await expect(members.accept(secret, account("late"))).rejects.toThrow("invitation.expired");
    expect(members.list().map((m) => m.username)).toEqual(["ana"]);
  });

  it("two accounts racing for one link: one wins, nothing half-made for the other", async () => {
    const ana = await members.accept(members.freshSetupSecret()!, account("ana"));
    const { secret } = members.invite(ana, "member");
    const results = await Promise.allSettled([
      members.accept(secret, account("bea")),
      members.accept(secret, account("cai")),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(members.list()).toHaveLength(2);
  });

  it("keeps the last coordinator", async () => {
    const ana = await members.accept(members.freshSetupSecret()!, account("ana"));
    expect(() => members.setRole(ana, ana.id, "member")).toThrow(FormError);
  });

  it("a session unused for longer than its idle time is gone; one in use stays", async () => {
    const ana = await members.accept(members.freshSetupSecret()!, account("ana"));
    const kept = members.startSession(ana, "phone");
    const idle = members.startSession(ana, "laptop");
    clock = new Date(clock.getTime() + SESSION_IDLE_MS / 2);
    expect(members.memberOfSession(kept)?.member.id).toBe(ana.id);
    clock = new Date(clock.getTime() + SESSION_IDLE_MS / 2 + 1);
    expect(members.memberOfSession(idle)).toBeNull();
    expect(members.memberOfSession(kept)?.member.id).toBe(ana.id);
  });

  it("checks passwords without telling which usernames exist", async () => {
    await members.accept(members.freshSetupSecret()!, account("ana"));
    expect(await members.checkCredentials("ANA", "long enough password")).not.toBeNull();
    expect(await members.checkCredentials("ana", "wrong password here")).toBeNull();
    expect(await members.checkCredentials("nobody", "long enough password")).toBeNull();
  });
});
