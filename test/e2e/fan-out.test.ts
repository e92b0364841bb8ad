import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFarm, type Delivery, type Farm, type FarmHost } from "../support/follower-farm.ts";
import { collectionItems, startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";

const HOSTS = 100;
const ACTORS_PER_HOST = 10;
/** Hosts whose actors have personal inboxes only; the others share one inbox per host. */
const withoutSharedInbox = (index: number) => index < 10;
const HANGING = 97;
const FAILING = 98;
const REFUSING = 99;
/** Generous bounds for a loaded 2-core machine: they stop a broken run, they are not what is measured. */
const FOLLOW_BOUND_MS = 420_000;
const DELIVERY_BOUND_MS = 240_000;

/** CPU seconds (user + system) the process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function inBatches<T>(items: T[], size: number, run: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}

describe("fan-out: one pod publishes to 1,000 followers on 100 loopback hosts", () => {
  let pod: PodProcess;
  let farm: Farm;
  let healthy: FarmHost[];

  beforeAll(async () => {
    pod = await startPod("fanout", { LOG_LEVEL: "warn" });
    farm = await startFarm({ hosts: HOSTS, actorsPerHost: ACTORS_PER_HOST, withoutSharedInbox });
    const actor = await pod.getActivityPub(pod.actorUrl);
    for (const key of [actor.publicKey].flat()) farm.trust(key.id, key.publicKeyPem);
    healthy = farm.hosts.filter((_, index) => ![HANGING, FAILING, REFUSING].includes(index));

    const started = Date.now();
    const cpuBefore = cpuSeconds(pod.pid()!);
    const actors = farm.hosts.flatMap((host) => host.actors);
    await inBatches(actors, 16, async (follower) => {
      const follow = {
        "@context": "https://www.w3.org/ns/activitystreams",
        id: `${follower.id}/follows/1`,
        type: "Follow",
        actor: follower.id,
        object: pod.actorUrl,
      };
      const response = await farm.post(follower, `${pod.url}/inbox`, follow);
      if (!response.ok)
        throw new Error(`Follow from ${follower.id} answered ${response.status}: ${await response.text()}`);
    });
    // Every follower is listed and has its Accept (signed by the pod, verified by the follower's host).
    const followers = async () => (await pod.getActivityPub(`${pod.actorUrl}/followers`)).totalItems as number;
    const accepted = () => farm.hosts.flatMap((host) => host.deliveries).filter((d) => d.type === "Accept").length;
    await waitUntil(
      async () => (await followers()) === actors.length && accepted() === actors.length,
      FOLLOW_BOUND_MS,
      500,
    );
    console.log(
      `fan-out setup: ${actors.length} signed Follows accepted in ${((Date.now() - started) / 1000).toFixed(1)} s,` +
        ` pod CPU ${(cpuSeconds(pod.pid()!) - cpuBefore).toFixed(1)} s`,
    );
  }, FOLLOW_BOUND_MS + 120_000);

  afterAll(async () => {
    await Promise.all([pod?.stop(), farm?.close()]);
  });

  it("every healthy follower gets each activity exactly once, while one inbox hangs, one fails and one refuses", {
    timeout: DELIVERY_BOUND_MS + 60_000,
  }, async () => {
    farm.hosts[HANGING]!.mode = "hang";
    farm.hosts[FAILING]!.mode = "fail";
    await farm.hosts[REFUSING]!.close();

    const published = Date.now();
    const cpuBefore = cpuSeconds(pod.pid()!);
    const offer = (name: string) => ({ name, category: "food", quantity: 5, unit: "kg", area: { name: "Riverside" } });
    expect((await pod.admin("POST", "/offers", offer("Apples"))).status).toBe(201);
    expect((await pod.admin("POST", "/offers", offer("Pears"))).status).toBe(201);
    expect(
      (
        await pod.admin("POST", "/needs", {
          name: "Ladders",
          category: "tools",
          quantity: 2,
          unit: "ladders",
          area: { name: "Riverside" },
        })
      ).status,
    ).toBe(201);
    // What was published for people, as the pod's outbox lists it: a Create of each object's readable Note
    // (the farm's actors are people on people's servers: they get no Proposals).
    const expected = (await collectionItems(pod, `${pod.actorUrl}/outbox`)).sort();
    expect(expected).toHaveLength(3);

    // Where each healthy follower is reached: its host's shared inbox, or its own inbox.
    const targets = healthy.flatMap((host) =>
      host.sharedInbox ? [`${host.origin}/inbox`] : host.actors.map((a) => a.inbox),
    );
    expect(targets).toHaveLength(87 + 10 * ACTORS_PER_HOST);
    const deliveredPublications = () => healthy.flatMap((host) => host.deliveries).filter((d) => d.type !== "Accept");
    const byTarget = () => {
      const map = new Map<string, Delivery[]>(targets.map((target) => [target, []]));
      for (const delivery of deliveredPublications()) map.get(delivery.inbox)?.push(delivery);
      return map;
    };
    const missing = () =>
      [...byTarget()].filter(([, got]) => new Set(got.map((d) => d.activityId)).size < expected.length);
    await waitUntil(() => missing().length === 0, DELIVERY_BOUND_MS, 250).catch((error) => {
      const sample = missing()
        .slice(0, 5)
        .map(([target, got]) => `${target}: ${got.length}`);
      throw new Error(
        `${String(error)}; ${missing().length} targets incomplete, ` +
          `e.g. ${sample.join(", ")}\n${pod.logs().slice(-3000)}`,
      );
    });
    const lastDelivery = Math.max(...deliveredPublications().map((d) => d.receivedAt));
    const cpu = cpuSeconds(pod.pid()!) - cpuBefore;

    for (const [target, got] of byTarget()) {
      expect(got.map((d) => d.activityId).sort(), target).toEqual(expected);
    }
    // One signed POST per host and activity where the host has a shared inbox: nothing went to personal inboxes.
    for (const host of healthy.filter((h) => h.sharedInbox)) {
      expect(host.deliveries.filter((d) => d.type !== "Accept" && d.inbox !== `${host.origin}/inbox`)).toEqual([]);
    }
    expect(farm.hosts.flatMap((host) => host.refused)).toEqual([]);
    // The bad inboxes were really tried.
    expect(farm.hosts[HANGING]!.hung).toBeGreaterThan(0);
    expect(farm.hosts[FAILING]!.posts).toBeGreaterThan(0);

    console.log(
      `fan-out: ${expected.length} activities to ${targets.length} inboxes (${healthy.length * ACTORS_PER_HOST} ` +
        `healthy followers):` +
        ` publish to last delivery ${((lastDelivery - published) / 1000).toFixed(1)} s, pod CPU ${cpu.toFixed(1)} s`,
    );
  });
});
