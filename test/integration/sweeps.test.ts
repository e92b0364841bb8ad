import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { receivedActivities } from "../../src/confederation/schema.ts";
import { startInProcessPod, type InProcessPod } from "../support/in-process-pod.ts";
import { waitUntil } from "../support/pod-process.ts";
import { postRaw, signMastodonStyle, startRemoteActor, type RemoteActor } from "../support/remote-actor.ts";
import { sqliteOf } from "../support/sqlite-of.ts";

const DAY = 24 * 60 * 60 * 1000;

describe("offers and needs past their end expire by themselves and followers are told", () => {
  let clock = new Date("2026-12-01T12:00:00Z");
  let server: InProcessPod;
  let follower: RemoteActor;

  const received = () => follower.inbox.map((r) => JSON.parse(r.body.toString("utf8")));

  beforeAll(async () => {
    server = await startInProcessPod({ now: () => clock });
    follower = await startRemoteActor("neighbor");
    const follow = {
      "@context": "https://www.w3.org/ns/activitystreams",
      id: `${follower.actorId}#follow-1`,
      type: "Follow",
      actor: follower.actorId,
      object: server.actorUrl,
    };
    const response = await postRaw(await signMastodonStyle(follower, `${server.actorUrl}/inbox`, follow));
    expect(response.status).toBe(202);
    await waitUntil(() => received().some((a) => a.type === "Accept"));
  });
  afterAll(async () => {
    await server?.close();
    await follower?.close();
  });

  it("an offer whose end passes is marked expired; the offer says so and its Note's Update goes out", async () => {
    const offer = await server.pod.offers.create("offer", {
      name: "Pumpkins",
      category: "food",
      quantity: 30_000,
      unit: "kg",
      availableUntil: new Date(clock.getTime() + DAY).toISOString(),
      area: { name: "Riverside" },
    });
    const need = await server.pod.offers.create("need", {
      name: "Winter coats",
      category: "clothing",
      quantity: 10_000,
      unit: "coats",
      availableUntil: new Date(clock.getTime() + 3 * DAY).toISOString(),
      area: { name: "Riverside" },
    });
    // The follower is a people's server: it gets each offer and need as one readable Note.
    await waitUntil(() => received().filter((a) => a.type === "Create").length === 2);

    // Nothing is due yet.
    expect(await server.pod.offers.expireDue()).toBe(0);

    clock = new Date(clock.getTime() + 2 * DAY);
    expect(await server.pod.offers.expireDue()).toBe(1);
    expect((await server.pod.offers.get("offer", offer.id)).status).toBe("expired");
    expect((await server.pod.offers.get("need", need.id)).status).toBe("open");

    await waitUntil(() => received().filter((a) => a.type === "Update").length === 1);
    const updates = received().filter((a) => a.type === "Update");
    expect(updates.map((u) => u.object.type)).toEqual(["Note"]);
    const note = updates[0].object;
    const proposal = await (
      await fetch(`${server.url}/offers/${offer.id}`, { headers: { accept: "application/activity+json" } })
    ).json();
    expect(proposal.type).toBe("Proposal");
    // Deliveries carry an Object Integrity Proof (FEP-8b32) made with the pod's Ed25519 key.
    for (const update of updates)
      expect(update.proof).toMatchObject({ type: "DataIntegrityProof", cryptosuite: "eddsa-jcs-2022" });
    expect(proposal.summary).toMatch(/^Expired\. Offer: Pumpkins/);
    expect(note.id).toBe(`${server.url}/offers/${offer.id}/note`);
    expect(note.content).toContain("Expired.");
    expect(note.content).not.toContain("Reply to this post");

    // Sweeping again changes nothing and sends nothing.
    expect(await server.pod.offers.expireDue()).toBe(0);
    clock = new Date(clock.getTime() + 2 * DAY);
    expect(await server.pod.offers.expireDue()).toBe(1);
    expect((await server.pod.offers.get("need", need.id)).status).toBe("expired");
    await waitUntil(() => received().filter((a) => a.type === "Update").length === 2);
  });

  it("an expired offer takes no more claims", async () => {
    const [expired] = await server.pod.offers.list("offer", { status: "expired", limit: 1 });
    await expect(
      server.pod.offers.claim("offer", expired!.id, { neighbor: "Flat 2", quantity: 1000 }),
    ).rejects.toMatchObject({
      problem: { status: 409 },
    });
  });
});

describe("the inbox record keeps 30 days", () => {
  it("prunes records older than 30 days by the pod's clock and keeps newer ones", async () => {
    let clock = new Date("2026-12-01T00:00:00Z");
    const server = await startInProcessPod({ now: () => clock });
    try {
      const { db } = sqliteOf(server.pod);
      const row = (iri: string, at: string) => ({
        activityIri: iri,
        type: "Create",
        actorIri: "https://x.example/a",
        objectIri: null,
        objectType: null,
        fromFollowed: true,
        receivedAt: at,
      });
      db.insert(receivedActivities)
        .values([
          row("https://x.example/1", "2026-10-01T00:00:00.000Z"),
          row("https://x.example/2", "2026-11-20T00:00:00.000Z"),
        ])
        .run();
      expect(await server.pod.confederation.pruneReceived()).toBe(1);
      expect(
        db
          .select()
          .from(receivedActivities)
          .all()
          .map((r) => r.activityIri),
      ).toEqual(["https://x.example/2"]);
      clock = new Date("2027-01-01T00:00:00Z");
      expect(await server.pod.confederation.pruneReceived()).toBe(1);
    } finally {
      await server.close();
    }
  });
});
