import {
  parseRequestSignature,
  verifyDigestHeader,
  verifyDraftSignature,
} from "@misskey-dev/node-http-message-signatures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { roomsOf } from "../../src/db/room-db.ts";
import { codesService } from "../../src/members/codes.ts";
import { memberReach } from "../../src/members/reach.ts";
import type { Member } from "../../src/members/model.ts";
import { reviewReminders } from "../../src/memory/review-reminders.ts";
import { directMessenger } from "../../src/social/direct-message.ts";
import { startFediversePerson, type FediversePerson } from "../support/fediverse-person.ts";
import { startInProcessPod, type InProcessPod } from "../support/in-process-pod.ts";
import { waitUntil } from "../support/pod-process.ts";
import { MASTODON_SIGNED_HEADERS } from "../support/remote-actor.ts";

/** Words only a members-only decision carries: they must not leave the pod, even in a private message. */
const SECRET = "Quokkaventure";

/**
 * Decision review reminders, with the pod's clock in the test's hands: a whole pod in process (real SQLite,
 * real signed HTTP to test actors on 127.0.0.1). On the review day, each coordinator with a verified account
 * gets one private note per decision; plain members do not.
 */
describe("decision review reminders by private message", () => {
  let clock = new Date("2026-11-28T12:00:00Z");
  let pod: InProcessPod;
  let rosa: FediversePerson;
  let tomas: FediversePerson;
  const members: Member[] = [];
  const password = "a long enough password";
  /** The notes after the verification code. */
  const reminders = (person: FediversePerson) => person.notes().slice(1);

  beforeAll(async () => {
    [pod, rosa, tomas] = await Promise.all([
      startInProcessPod({ now: () => new Date(clock), env: { POD_TIME_ZONE: "America/Mexico_City" } }),
      startFediversePerson("rosa"),
      startFediversePerson("tomas"),
    ]);
    const m = pod.pod.members;
    const first = await m.accept((await m.freshSetupSecret())!, { displayName: "Rosa", username: "rosa", password });
    members.push(first);
    const { secret } = await m.invite(first, "member");
    members.push(await m.accept(secret, { displayName: "Tomas", username: "tomas", password }));
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

  it("on the review day each coordinator gets one signed note addressed to them alone; members do not", async () => {
    const memory = pod.pod.memory;
    const open = await memory.create({
      kind: "decision",
      title: "Close the pantry on Sundays",
      summary: "Volunteers rest one day a week.",
      reviewOn: "2026-12-01",
      visibility: "public",
    });
    await memory.create({
      kind: "decision",
      title: `Key holders ${SECRET}`,
      summary: "Only two people hold keys.",
      reviewOn: "2026-12-01",
    });
    // 1 December begins at 06:00 UTC in Mexico City.
    expect(await memory.reviews.check(new Date("2026-12-01T05:59:59Z"))).toBe(0);
    expect(await memory.reviews.check(new Date("2026-12-01T06:00:00Z"))).toBe(2);
    expect(await memory.reviews.check(new Date("2026-12-01T18:00:00Z"))).toBe(0);
    await waitUntil(() => reminders(rosa).length === 2);

    const pem = (await (await fetch(pod.actorUrl, { headers: { accept: "application/activity+json" } })).json())
      .publicKey.publicKeyPem as string;
    const texts: string[] = [];
    for (const request of rosa.inbox.slice(1)) {
      const parsed = parseRequestSignature(
        { method: request.method, url: request.url, headers: request.headers },
        { requiredComponents: { draft: MASTODON_SIGNED_HEADERS } },
      );
      expect(parsed.version).toBe("draft");
      expect(await verifyDraftSignature(parsed.value as never, pem)).toBe(true);
      expect(
        await verifyDigestHeader(
          { method: request.method, url: request.url, headers: request.headers },
          new Uint8Array(request.body),
        ),
      ).toBe(true);
      const activity = JSON.parse(request.body.toString("utf8"));
      expect(activity.type).toBe("Create");
      expect(activity.object.type).toBe("Note");
      expect(activity.to).toBe(rosa.actorId);
      expect(activity.object.to).toBe(rosa.actorId);
      expect(activity.cc ?? activity.object.cc).toBeUndefined();
      expect(request.body.toString("utf8")).not.toContain("#Public");
      texts.push(String(activity.object.content));
    }
    expect(texts.join("\n")).toContain("Close the pantry on Sundays");
    expect(texts.join("\n")).toContain(`${pod.url}/app/memory/${open.id}`);
    expect(texts.join("\n")).toContain("2026-12-01");
    // The members-only decision is not named in a message that leaves the pod.
    expect(texts.join("\n")).not.toContain(SECRET);
    expect(texts.join("\n")).toContain("a members-only decision");
    // Tomas is a member, not a coordinator: nothing beyond his verification code.
    expect(reminders(tomas)).toEqual([]);
  });

  it("goes once per review day, even from a fresh reminder service (a restart); a new day reminds anew", async () => {
    const { deps } = pod.pod;
    const reach = memberReach(roomsOf(deps), pod.pod.members, directMessenger(deps, pod.pod.contextFor));
    const restarted = reviewReminders({
      config: deps.config,
      memory: pod.pod.memory,
      reach: {
        people: async () => ({ ...(await reach.people()), coordinators: () => [members[0]!.id] }),
        send: reach.send,
      },
      log: deps.log,
    });
    expect(await restarted.check(new Date("2026-12-02T12:00:00Z"))).toBe(0);

    const decision = (await pod.pod.memory.list("decision")).find((d) => d.title === "Close the pantry on Sundays")!;
    clock = new Date("2026-12-02T12:00:00Z");
    await pod.pod.memory.update(decision.id, {
      title: decision.title,
      summary: decision.summary,
      body: decision.body,
      decidedBy: decision.decidedBy,
      alternatives: decision.alternatives,
      reviewOn: "2027-03-01",
      learned: "",
      changed: "",
      language: decision.language,
      changeNote: "",
    });
    // The members-only decision is still due, and was reminded: nothing; the pantry's new day is reminded once.
    expect(await restarted.check(new Date("2027-02-28T12:00:00Z"))).toBe(0);
    expect(await restarted.check(new Date("2027-03-01T12:00:00Z"))).toBe(1);
    expect(await pod.pod.memory.reviews.check(new Date("2027-03-01T13:00:00Z"))).toBe(0);
    await waitUntil(() => reminders(rosa).length === 3);
    expect(reminders(rosa)[2]!.text).toContain("2027-03-01");
  });
});
