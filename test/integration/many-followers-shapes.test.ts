/**
 * With five follower servers or more, Fedify hands a delivery to its fan-out queue, which re-reads the activity
 * with its own classes before signing it per inbox: a Proposal left with full IRIs for its type and terms, and a
 * report lost its figures (ValueFlows EconomicEvents, unknown to Fedify). Our deliveries skip that re-reading,
 * so what six pods receive is what one pod receives. A whole pod in process, six pods' servers (each its own
 * origin), real HTTP and signatures.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInProcessPod, type InProcessPod } from "../support/in-process-pod.ts";
import { postRaw, signMastodonStyle, startRemoteActor, type RemoteActor } from "../support/remote-actor.ts";
import { adminCall, waitUntil } from "../support/pod-process.ts";
import { POD_SOFTWARE } from "../../src/follows/classify.ts";

const FOLLOWERS = 6;

describe("deliveries to many followers keep their shape", { timeout: 90_000 }, () => {
  let pod: InProcessPod;
  let neighbors: RemoteActor[];
  const admin = (method: string, path: string, body?: unknown) => adminCall(pod.url, method, path, body);
  const received = (neighbor: RemoteActor) =>
    neighbor.inbox.map((request) => JSON.parse(request.body.toString("utf8")) as Record<string, any>);

  beforeAll(async () => {
    // Pods as this software makes them: a Group whose generator is the pods' software (followers of kind "pod").
    neighbors = await Promise.all(
      Array.from({ length: FOLLOWERS }, (_, i) =>
        startRemoteActor(`n${i}`, { type: "Group", actorFields: () => ({ generator: POD_SOFTWARE.href }) }),
      ),
    );
    pod = await startInProcessPod();
    for (const neighbor of neighbors) {
      const follow = {
        "@context": "https://www.w3.org/ns/activitystreams",
        id: `${neighbor.actorId}/follows/1`,
        type: "Follow",
        actor: neighbor.actorId,
        object: pod.actorUrl,
      };
      expect((await postRaw(await signMastodonStyle(neighbor, `${pod.actorUrl}/inbox`, follow))).status).toBe(202);
    }
    await waitUntil(() => neighbors.every((n) => received(n).some((activity) => activity.type === "Accept")));
  });
  afterAll(async () => {
    await pod?.close();
    await Promise.all((neighbors ?? []).map((neighbor) => neighbor.close()));
  });

  it("an offer reaches every pod as a Proposal in the pods' compact terms", async () => {
    const offer = await admin("POST", "/offers", {
      name: "Flour",
      category: "food",
      quantity: 50,
      unit: "kg",
      area: { name: "Riverside" },
    });
    expect(offer.status).toBe(201);
    const proposalCreate = (n: RemoteActor) =>
      received(n).find((a) => a.type === "Create" && JSON.stringify(a.object).includes("Flour") && a.object.purpose);
    await waitUntil(() => neighbors.every((n) => proposalCreate(n) !== undefined));
    for (const neighbor of neighbors) {
      const create = proposalCreate(neighbor)!;
      expect(create.object.type).toBe("Proposal");
      expect(create.object.purpose).toBe("offer");
      expect(JSON.stringify(create)).not.toContain('"https://w3id.org/valueflows/ont/vf#Proposal"');
    }
  });

  it("a sovereignty report reaches every pod with its figures", async () => {
    const now = new Date();
    const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15)).toISOString().slice(0, 10);
    const entry = await admin("POST", "/sovereignty/entries", {
      metric: "meals-prepared",
      date: lastMonth,
      quantity: "40",
    });
    expect(entry.status, JSON.stringify(entry.body)).toBe(201);
    const draft = await admin("POST", "/sovereignty/reports/draft");
    expect(draft.status, JSON.stringify(draft.body)).toBe(201);
    expect((await admin("POST", `/sovereignty/reports/${draft.body.id}/publish`)).status).toBe(200);
    const figures = (n: RemoteActor) =>
      received(n)
        .filter((a) => a.type === "Create" && a.object?.type === "Article")
        .flatMap((a) => [a.object.attachment ?? []].flat())
        .filter((f: { type?: string }) => f.type === "EconomicEvent");
    await waitUntil(() =>
      neighbors.every((n) => received(n).some((a) => a.type === "Create" && a.object?.type === "Article")),
    );
    for (const neighbor of neighbors) {
      expect(figures(neighbor).map((f: { resourceConformsTo: string }) => f.resourceConformsTo)).toEqual([
        "https://w3id.org/pods/metrics/meals-prepared",
      ]);
    }
  });
});
