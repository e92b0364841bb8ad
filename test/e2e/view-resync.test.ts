import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNeighborPod, type NeighborPod } from "../support/neighbor-pod.ts";
import { startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";

/**
 * The view's repair, through a running pod: `POST /admin/api/view/resync` re-reads every followed pod's
 * streams. Neighbors here are fakes without Fedify whose streams the test controls; a neighbor's missed
 * Deletes are simply never sent.
 */
describe("resync of the confederal view through a running pod", () => {
  let pod: PodProcess;
  let emptied: NeighborPod;
  let busy: NeighborPod;
  let rejecting: NeighborPod;
  let leaving: NeighborPod;

  const inbox = () => `${pod.actorUrl}/inbox`;
  const viewOf = async (neighbor: NeighborPod, list: "surplus" | "needs" = "surplus"): Promise<string[]> => {
    const response = await fetch(`${pod.url}/view/${list}?limit=200`);
    expect(response.status).toBe(200);
    return (await response.json()).items
      .filter((i: { pod: { iri: string } }) => i.pod.iri === neighbor.actorId)
      .map((i: { iri: string }) => i.iri);
  };
  const followingState = async (neighbor: NeighborPod) =>
    (await pod.admin("GET", "/following")).body.items.find((f: { actorIri: string }) => f.actorIri === neighbor.actorId)
      ?.state;
  /** The pod follows the neighbor through the admin API; the neighbor answers with a signed Accept. */
  const follow = async (neighbor: NeighborPod) => {
    expect((await pod.admin("POST", "/following", { target: neighbor.actorId })).status).toBe(202);
    await waitUntil(() => neighbor.inbox.some((r) => JSON.parse(r.body.toString("utf8")).type === "Follow"));
    const followActivity = neighbor.inbox
      .map((r) => JSON.parse(r.body.toString("utf8")))
      .find((a) => a.type === "Follow");
    expect((await neighbor.deliver(inbox(), neighbor.activity("Accept", followActivity))).status).toBe(202);
    await waitUntil(async () => (await followingState(neighbor)) === "accepted");
    return followActivity;
  };
  /**
   * Offers the neighbor publishes before it is followed: dereferenceable and listed in its stream, so the
   * backfill after the Accept brings them (no delivery can race that backfill's pruning).
   */
  const listedOffers = (neighbor: NeighborPod, slugs: string[]) => {
    const objects = slugs.map((slug) => neighbor.offer(slug, { name: `Offer ${slug}` }));
    for (const object of objects) neighbor.publish(object);
    neighbor.servePagedStream("offers", [objects]);
    return objects;
  };
  const resync = async () => {
    const answer = await pod.admin("POST", "/view/resync");
    expect(answer.status).toBe(200);
    return answer.body;
  };

  beforeAll(async () => {
    const streams = { streams: ["offers", "needs"] };
    [pod, emptied, busy, rejecting, leaving] = await Promise.all([
      startPod("resync"),
      startNeighborPod("emptied", streams),
      startNeighborPod("busy", streams),
      startNeighborPod("rejecting", streams),
      startNeighborPod("leaving", streams),
    ]);
    for (const neighbor of [emptied, busy, rejecting, leaving]) neighbor.servePagedStream("needs", [[]]);
  });
  afterAll(async () => {
    await Promise.all([pod?.stop(), ...[emptied, busy, rejecting, leaving].map((neighbor) => neighbor?.close())]);
  });

  it("a neighbor that withdrew every offer and need, its Deletes never delivered: resync prunes them all", async () => {
    const offers = listedOffers(emptied, ["e1", "e2"]);
    const need = emptied.need("e3", { name: "Need e3" });
    emptied.publish(need);
    emptied.servePagedStream("needs", [[need]]);
    await follow(emptied);
    await waitUntil(async () => (await viewOf(emptied)).length === 2 && (await viewOf(emptied, "needs")).length === 1);

    // Everything is withdrawn; no Delete reaches the pod.
    for (const object of [...offers, need]) emptied.unpublish(object.id);
    emptied.servePagedStream("offers", [[]]);
    emptied.servePagedStream("needs", [[]]);
    expect(await resync()).toEqual({ neighbors: 1 });
    expect(await viewOf(emptied)).toEqual([]);
    expect(await viewOf(emptied, "needs")).toEqual([]);
  });

  const offerPublishedRight =
    "an offer published right after a resync read the stream survives a second resync at once (pages are read fresh)";
  it(offerPublishedRight, async () => {
    const [first] = listedOffers(busy, ["b1"]);
    await follow(busy);
    await waitUntil(async () => (await viewOf(busy)).length === 1);
    await resync();
    expect(await viewOf(busy)).toEqual([first!.id]);

    // Published now: delivered, and listed in the stream.
    const second = busy.offer("b2", { name: "Offer b2" });
    busy.publish(second);
    busy.servePagedStream("offers", [[first, second]]);
    expect((await busy.deliver(inbox(), busy.activity("Create", second))).status).toBe(202);
    expect((await viewOf(busy)).sort()).toEqual([first!.id, second.id].sort());
    await resync();
    expect((await viewOf(busy)).sort()).toEqual([first!.id, second.id].sort());
  });

  it("a followed pod that sends Reject leaves the view with its objects", async () => {
    const [kept] = listedOffers(rejecting, ["r1"]);
    const followActivity = await follow(rejecting);
    await waitUntil(async () => (await viewOf(rejecting)).length === 1);
    expect(await viewOf(rejecting)).toEqual([kept!.id]);
    expect((await rejecting.deliver(inbox(), rejecting.activity("Reject", followActivity))).status).toBe(202);
    expect(await viewOf(rejecting)).toEqual([]);
    expect(await followingState(rejecting)).toBe("rejected");
  });

  it("a followed pod whose actor answers 410 Gone leaves the view at the next resync", async () => {
    const [kept] = listedOffers(leaving, ["l1"]);
    await follow(leaving);
    await waitUntil(async () => (await viewOf(leaving)).length === 1);
    expect(await viewOf(leaving)).toEqual([kept!.id]);
    leaving.leave();
    await resync();
    expect(await viewOf(leaving)).toEqual([]);
  });
});
