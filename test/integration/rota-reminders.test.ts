import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { roomsOf } from "../../src/db/room-db.ts";
import { codesService } from "../../src/members/codes.ts";
import type { Member } from "../../src/members/model.ts";
import { periodEnd } from "../../src/rotation/periods.ts";
import type { RotaMember } from "../../src/rotation/service.ts";
import { directMessenger } from "../../src/social/direct-message.ts";
import { startFediversePerson, type FediversePerson } from "../support/fediverse-person.ts";
import { startInProcessPod, type InProcessPod } from "../support/in-process-pod.ts";
import { waitUntil } from "../support/pod-process.ts";
import { WebClient } from "../support/web-client.ts";

/**
 * Rota reminders with the pod's clock in the test's hands: a whole pod in process (real SQLite, real signed HTTP
 * to test actors on 127.0.0.1). A day before a seat's period, and at a handoff's time, each once.
 */
describe("rota reminders by private message", () => {
  let clock = new Date("2026-11-28T12:00:00Z");
  let pod: InProcessPod;
  let rosa: FediversePerson;
  let tomas: FediversePerson;
  const members: Member[] = [];
  const NAMES = ["Rosalind Quenneville", "Tomasz Wrzesniewski", "Cayetana Unlinked"];
  const password = "a long enough password";

  beforeAll(async () => {
    [pod, rosa, tomas] = await Promise.all([
      startInProcessPod({ now: () => new Date(clock), env: { POD_TIME_ZONE: "Europe/Madrid" } }),
      startFediversePerson("rosa"),
      startFediversePerson("tomas"),
    ]);
    const m = pod.pod.members;
    const first = await m.accept((await m.freshSetupSecret())!, {
      displayName: NAMES[0]!,
      username: "rosalind",
      password,
    });
    members.push(first);
    for (const [i, username] of ["tomasz", "cayetana"].entries()) {
      const { secret } = await m.invite(first, "member");
      members.push(await m.accept(secret, { displayName: NAMES[i + 1]!, username, password }));
    }
    // Rosalind and Tomasz link their fediverse accounts the way the Security page does: a code, typed back.
    const { deps, contextFor } = pod.pod;
    const codes = codesService(roomsOf(deps), deps.now, m, directMessenger(deps, contextFor), deps.log);
    for (const [member, person] of [
      [members[0]!, rosa],
      [members[1]!, tomas],
    ] as const) {
      await codes.startLink(member, person.handle, `link:${member.id}`, (code) => `Your code: ${code}`);
      await codes.finishLink(member, `link:${member.id}`, await person.code(0));
    }
  }, 60_000);
  afterAll(async () => {
    await Promise.all([pod?.close(), rosa?.close(), tomas?.close()]);
  });

  const rota = () => pod.pod.rotation;
  const rotaMembers = (): RotaMember[] => members.map((m) => ({ id: m.id, name: m.displayName, skills: "driving" }));
  /** The notes after the verification code, parsed. */
  const reminders = (person: FediversePerson) => person.notes().slice(1);

  it("a day before a seat's period the holder gets one private note saying what, when and where to look", async () => {
    const role = await rota().createRole({
      name: "Driver",
      seats: 1,
      skills: "driving",
      risk: "low",
      tenureLimit: 1,
      period: "weekly",
      handbook: "",
    });
    for (const m of members) await rota().setBoundaries(m.id, { maxRisk: "high", declines: "", unavailable: "" });
    const seats = await rota().generate(rotaMembers(), 3);
    expect(seats.map((s) => [s.period, s.memberId])).toEqual([
      ["2026-W49", members[0]!.id],
      ["2026-W50", members[1]!.id],
      ["2026-W51", members[2]!.id],
    ]);
    await rota().publish();
    expect(role.name).toBe("Driver");

    // W49 starts Monday 30 November at midnight in Madrid (23:00 UTC the day before).
    expect(await rota().reminders.check(new Date("2026-11-28T22:59:59Z"))).toBe(0);
    expect(await rota().reminders.check(new Date("2026-11-28T23:00:00Z"))).toBe(1);
    expect(await rota().reminders.check(new Date("2026-11-29T09:00:00Z"))).toBe(0);
    await waitUntil(() => reminders(rosa).length === 1);
    const [{ activity, text }] = reminders(rosa) as [{ activity: any; text: string }];
    expect(activity.type).toBe("Create");
    // Addressed to Rosalind's account alone: not Public, not the followers, no one copied.
    expect(activity.to).toBe(rosa.actorId);
    expect(activity.object.to).toBe(rosa.actorId);
    expect(activity.cc ?? activity.object.cc).toBeUndefined();
    expect(JSON.stringify(activity)).not.toContain("#Public");
    expect(text).toContain("you hold Driver for 2026-W49, from Monday, November 30, 2026");
    expect(text).toContain("(Europe/Madrid)");
    expect(text).toContain(`${pod.url}/app/rota/mine`);
    for (const other of NAMES.slice(1)) expect(text).not.toContain(other);
    expect(reminders(tomas)).toEqual([]);
  });

  it("at a handoff's time both holders get one note naming the other; a member with no account gets none", async () => {
    const handoff = (await rota().handoffsOf(members[0]!.id)).find((h) => h.period === "2026-W50")!;
    expect(handoff).toMatchObject({ outgoingId: members[0]!.id, incomingId: members[1]!.id });
    expect(await rota().planHandoff(handoff.id, members[1]!.id, "2026-12-06T17:30:00Z", "Community kitchen")).toBe(
      true,
    );
    // A minute before: only Tomasz's own seat (W50 starts at the coming midnight) is due.
    expect(await rota().reminders.check(new Date("2026-12-06T17:29:00Z"))).toBe(1);
    expect(await rota().reminders.check(new Date("2026-12-06T17:30:00Z"))).toBe(2);
    expect(await rota().reminders.check(new Date("2026-12-06T17:31:00Z"))).toBe(0);
    await waitUntil(() => reminders(rosa).length === 2 && reminders(tomas).length === 2);
    const rosaHandoff = reminders(rosa)[1]!.text;
    expect(rosaHandoff).toContain("the Driver handoff with Tomasz Wrzesniewski is now");
    expect(rosaHandoff).toContain("Sunday, December 6, 2026 at 6:30");
    expect(rosaHandoff).toContain("Community kitchen");
    expect(reminders(tomas).map((n) => n.text)).toEqual([
      expect.stringContaining("you hold Driver for 2026-W50"),
      expect.stringContaining("the Driver handoff with Rosalind Quenneville is now"),
    ]);
    for (const note of reminders(tomas)) expect(note.activity.to).toBe(tomas.actorId);

    // Cayetana holds W51 but linked no account: nothing is sent (or recorded) for her.
    expect(await rota().reminders.check(new Date("2026-12-13T23:00:00Z"))).toBe(0);
  });

  it("a handoff moved to another time is reminded again at the new time", async () => {
    const handoff = (await rota().handoffsOf(members[0]!.id)).find((h) => h.period === "2026-W50")!;
    expect(await rota().planHandoff(handoff.id, members[0]!.id, "2026-12-06T19:00:00Z", "Community kitchen")).toBe(
      true,
    );
    expect(await rota().reminders.check(new Date("2026-12-06T19:00:00Z"))).toBe(2);
    expect(await rota().reminders.check(new Date("2026-12-06T19:05:00Z"))).toBe(0);
  });

  it("once a shadowed period is over, My seats tells the member they can now hold the role alone", async () => {
    const dispatcher = await rota().createRole({
      name: "Dispatcher",
      seats: 1,
      skills: "radio",
      risk: "low",
      tenureLimit: 2,
      period: "weekly",
      handbook: "",
    });
    const skills = ["driving", "driving, radio", "driving"];
    const proposed = await rota().generate(
      rotaMembers().map((m, i) => ({ ...m, skills: skills[i]! })),
      4,
    );
    // Tomasz alone has the radio skill: whoever the generator pairs with him first is the newcomer who grows.
    const shadow = proposed.find((s) => s.roleId === dispatcher.id && s.shadow)!;
    expect(shadow.beside).toBe(members[1]!.id);
    const learner = members.find((m) => m.id === shadow.memberId)!;
    expect([members[0]!.id, members[2]!.id]).toContain(learner.id);
    await rota().publish();
    const client = new WebClient(pod.url);
    await client.get("/app/sign-in");
    expect((await client.post("/app/sign-in", { username: learner.username, password })).status).toBe(303);
    // The period ends at midnight after its Sunday in Madrid (UTC+1 in winter).
    const end = new Date(`${periodEnd(shadow.period).toString()}T00:00:00+01:00`);
    clock = new Date(end.getTime() - 60_000);
    expect((await client.get("/app/rota/mine")).html).not.toContain("You can now hold Dispatcher alone");
    clock = end;
    const page = await client.get("/app/rota/mine?lang=en");
    expect(page.html).toContain("You can now hold Dispatcher alone: you completed a period as a shadow.");
    expect(await rota().grownSkills(learner.id)).toMatchObject([{ roleId: dispatcher.id, seatId: shadow.id }]);
  });
});
