import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInProcessPod, type InProcessPod } from "../support/in-process-pod.ts";
import { waitUntil } from "../support/pod-process.ts";
import { sendFollow, startRemoteActor, type RemoteActor } from "../support/remote-actor.ts";
import { setUpPod, WebClient } from "../support/web-client.ts";

const pdf = (tag: string) => Buffer.from(`%PDF-1.4\n% ${tag}\n%%EOF\n`);

/** Guides on a charter service change the public charter: coordinators only, and followers are not flooded. */
describe("memory: guides on charter services", () => {
  let pod: InProcessPod;
  let coordinator: WebClient;
  let member: WebClient;
  let follower: RemoteActor;
  let guide: string;
  let other: string;
  const servicePath = "/app/memory/guides/service/pantry";

  /** The Updates of the charter the follower received, newest last. */
  const charterUpdates = () =>
    follower.inbox
      .map((r) => JSON.parse(r.body.toString("utf8")))
      .filter((a) => a.type === "Update" && JSON.stringify(a.object).includes("/charter"));

  beforeAll(async () => {
    pod = await startInProcessPod();
    coordinator = await setUpPod(pod.url, `/app/setup/${await pod.pod.members.freshSetupSecret()}`);
    const ana = (await pod.pod.members.list()).find((m) => m.role === "coordinator")!;
    const { secret } = await pod.pod.members.invite(ana, "member");
    member = new WebClient(pod.url);
    await member.get(`/app/join/${secret}`);
    const joined = await member.post(`/app/join/${secret}`, {
      displayName: "Beto",
      username: "beto",
      password: "another long password",
    });
    expect(joined.status).toBe(303);
    await pod.pod.charters.publish({
      changeNote: "First charter.",
      services: [
        {
          key: "pantry",
          name: "Community pantry",
          description: "Food for whoever needs it.",
          category: "food",
          schedule: "Saturdays",
          area: "Centro",
          languages: ["en"],
        },
      ],
      planned: [],
    } as never);
    guide = (
      await pod.pod.memory.uploads.add({
        title: "Pantry hygiene",
        summary: "Keeping food safe.",
        visibility: "public",
        fileName: "hygiene.pdf",
        bytes: pdf("hygiene"),
        uploadedBy: ana.id,
      })
    ).id;
    other = (
      await pod.pod.memory.uploads.add({
        title: "Pantry rota",
        summary: "Who opens when.",
        visibility: "public",
        fileName: "rota.pdf",
        bytes: pdf("rota"),
        uploadedBy: ana.id,
      })
    ).id;

    follower = await startRemoteActor("follower");
    expect((await sendFollow(follower, pod.actorUrl)).status).toBe(202);
    await waitUntil(() => follower.inbox.some((r) => r.body.toString("utf8").includes('"Accept"')));
  });
  afterAll(async () => {
    await pod?.close();
    await follower?.close();
  });

  it("a member who is not a coordinator sees no controls and is refused (403); the charter is unchanged", async () => {
    const page = await member.get(servicePath);
    expect(page.status).toBe(200);
    expect(page.html).not.toContain(`action="${servicePath}"`);
    expect(page.html).toContain("A coordinator adds or removes the guides of a charter service.");
    const attached = await member.post(servicePath, { guide: `upload:${guide}` });
    expect(attached.status).toBe(403);
    expect(pod.pod.memory.guidesOfService("pantry")).toEqual([]);
    pod.pod.memory.attachGuide({ subjectKind: "service", subjectId: "pantry" }, "upload", guide);
    expect((await member.post(`${servicePath}/remove`, { guide: `upload:${guide}` })).status).toBe(403);
    expect(pod.pod.memory.guidesOfService("pantry")).toHaveLength(1);
    pod.pod.memory.detachGuide({ subjectKind: "service", subjectId: "pantry" }, "upload", guide);
    expect(charterUpdates()).toEqual([]);
  });

  it("a coordinator's five quick changes send at most two Updates; the follower ends with the last state", async () => {
    const page = await coordinator.get(servicePath);
    expect(page.html).toContain(`action="${servicePath}"`);
    const before = charterUpdates().length;
    const steps: [string, string][] = [
      ["attach", guide],
      ["attach", other],
      ["detach", guide],
      ["attach", guide],
      ["detach", guide],
    ];
    for (const [step, id] of steps) {
      const path = step === "attach" ? servicePath : `${servicePath}/remove`;
      expect((await coordinator.post(path, { guide: `upload:${id}` })).status, step).toBe(303);
    }
    expect(pod.pod.memory.guidesOfService("pantry").map((g) => g.guideId)).toEqual([other]);
    const urlOf = (id: string) => `${pod.url}/memory/guides/${id}.pdf`;
    const last = () => JSON.stringify(charterUpdates().at(-1) ?? {});
    // The first change went out at once (only the first guide); the last state goes out when the window closes.
    await waitUntil(() => last().includes(urlOf(other)) && !last().includes(urlOf(guide)), 25_000);
    expect(charterUpdates().length - before).toBeLessThanOrEqual(2);
  }, 60_000);
});
