import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFarm, type Farm, type FarmHost } from "../support/follower-farm.ts";
import { collectionItems, startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";

/** Bounds that stop a broken run; what they allow is minutes, where the old circuit held messages 30 minutes. */
const RECOVERY_BOUND_MS = 150_000;

describe("a follower that was down gets its deliveries within minutes of coming back", () => {
  let pod: PodProcess;
  let farm: Farm;
  let neighbor: FarmHost;

  beforeAll(async () => {
    pod = await startPod("recovery");
    farm = await startFarm({ hosts: 1, actorsPerHost: 1 });
    neighbor = farm.hosts[0]!;
    const actor = await pod.getActivityPub(pod.actorUrl);
    for (const key of [actor.publicKey].flat()) farm.trust(key.id, key.publicKeyPem);
    const follower = neighbor.actors[0]!;
    const follow = {
      "@context": "https://www.w3.org/ns/activitystreams",
      id: `${follower.id}/follows/1`,
      type: "Follow",
      actor: follower.id,
      object: pod.actorUrl,
    };
    expect((await farm.post(follower, `${pod.url}/inbox`, follow)).status).toBeLessThan(300);
    await waitUntil(() => neighbor.deliveries.some((d) => d.type === "Accept"), 30_000);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([pod?.stop(), farm?.close()]);
  });

  it("failures open the host's circuit; once the host answers again everything held arrives", {
    timeout: RECOVERY_BOUND_MS + 120_000,
  }, async () => {
    neighbor.mode = "fail";
    const offer = (name: string) => ({ name, category: "food", quantity: 5, unit: "kg", area: { name: "Riverside" } });
    for (const name of ["Apples", "Pears", "Plums"])
      expect((await pod.admin("POST", "/offers", offer(name))).status).toBe(201);
    // The farm's follower is a person: it gets each offer's readable Note, which the outbox lists.
    const expected = (await collectionItems(pod, `${pod.actorUrl}/outbox`)).sort();
    expect(expected).toHaveLength(3);
    // Five failed deliveries within a minute open the host's circuit; the host fails until it has.
    await waitUntil(() => /"state":"open".*"msg":"delivery circuit changed"/.test(pod.logs()), 90_000);

    neighbor.mode = "accept";
    const back = Date.now();
    const received = () => neighbor.deliveries.filter((d) => d.type === "Create").map((d) => d.activityId);
    await waitUntil(() => new Set(received()).size === expected.length, RECOVERY_BOUND_MS, 250);
    const caughtUp = Math.max(...neighbor.deliveries.map((d) => d.receivedAt));
    expect(received().sort()).toEqual(expected);
    console.log(
      `recovery: all ${expected.length} held activities arrived ${((caughtUp - back) / 1000).toFixed(1)} s after the ` +
        `host came back`,
    );
  });
});
