import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNeighborPod, type NeighborPod } from "../support/neighbor-pod.ts";
import { startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";
import { sendFollow, startRemoteActor, type RemoteActor } from "../support/remote-actor.ts";

/** Minute-long intervals run 600 times faster: the sweep every 100 ms, the hourly resync every 6 s. */
const fastTimers = {
  NODE_OPTIONS: `--import ${new URL("../support/fast-timers.ts", import.meta.url).href}`,
  POD_TEST_TIMER_SCALE: "600",
};

/** The periodic work main.ts starts, seen from outside a running pod (no admin call triggers it). */
describe("a running pod's timers: the expiry sweep and the view resync", () => {
  let pod: PodProcess;
  let alice: RemoteActor;
  let neighbor: NeighborPod;

  const bodies = () => alice.inbox.map((r) => JSON.parse(r.body.toString("utf8")));

  beforeAll(async () => {
    [pod, alice, neighbor] = await Promise.all([
      startPod("timers", fastTimers),
      startRemoteActor("alice"),
      startNeighborPod("neighbor", { streams: ["offers", "needs"] }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([pod?.stop(), alice?.close(), neighbor?.close()]);
  });

  it("an offer whose end passes is expired by the sweep, and followers get its Update", async () => {
    expect((await sendFollow(alice, pod.actorUrl)).status).toBe(202);
    await waitUntil(() => bodies().some((a) => a.type === "Accept"));

    const until = new Date(Date.now() + 3_000).toISOString();
    const offer = await pod.admin("POST", "/offers", {
      name: "Soup",
      category: "food",
      quantity: 4,
      unit: "litres",
      availableUntil: until,
      area: { name: "Riverside" },
    });
    expect(offer.status).toBe(201);
    // Alice is on a people's server: she follows the offer through its readable Note.
    const noteIri = `${pod.url}/offers/${offer.body.id}/note`;
    await waitUntil(() => bodies().some((a) => a.type === "Create" && a.object?.id === noteIri));
    expect(bodies().some((a) => a.type === "Update" && a.object?.id === noteIri)).toBe(false);

    // Only a sweep after `until` sends this: nothing else updates the offer.
    await waitUntil(() => bodies().some((a) => a.type === "Update" && a.object?.id === noteIri), 20_000);
    const update = bodies().find((a) => a.type === "Update" && a.object?.id === noteIri);
    expect(update.object.content).toMatch(/^<p>Expired\. <strong>Surplus to share: Soup/);
    expect(Date.parse(update.object.updated)).toBeGreaterThanOrEqual(Date.parse(until));
  });

  it("the periodic resync prunes a followed pod's withdrawn offer whose Delete never came", async () => {
    const kept = neighbor.offer("n1", { name: "Kept" });
    const withdrawn = neighbor.offer("n2", { name: "Withdrawn" });
    for (const object of [kept, withdrawn]) neighbor.publish(object);
    neighbor.servePagedStream("offers", [[kept, withdrawn]]);
    neighbor.servePagedStream("needs", [[]]);

    expect((await pod.admin("POST", "/following", { target: neighbor.actorId })).status).toBe(202);
    await waitUntil(() => neighbor.inbox.some((r) => JSON.parse(r.body.toString("utf8")).type === "Follow"));
    const followActivity = neighbor.inbox
      .map((r) => JSON.parse(r.body.toString("utf8")))
      .find((a) => a.type === "Follow");
    expect((await neighbor.deliver(`${pod.actorUrl}/inbox`, neighbor.activity("Accept", followActivity))).status).toBe(
      202,
    );
    const surplus = async (): Promise<string[]> =>
      (await (await fetch(`${pod.url}/view/surplus?limit=200`)).json()).items.map((i: { iri: string }) => i.iri);
    await waitUntil(async () => (await surplus()).length === 2);

    neighbor.unpublish(withdrawn.id);
    neighbor.servePagedStream("offers", [[kept]]);
    await waitUntil(async () => (await surplus()).length === 1, 30_000);
    expect(await surplus()).toEqual([kept.id]);
  }, 60_000);
});
