import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInProcessPod, type InProcessPod } from "../support/in-process-pod.ts";
import { TEST_ADMIN_TOKEN, waitUntil } from "../support/pod-process.ts";
import { postRaw, signMastodonStyle, startRemoteActor, type RemoteActor } from "../support/remote-actor.ts";

/** The pod's clock, far from the wall clock, so a wall-clock timestamp cannot pass for it. */
const CLOCK = new Date("2031-03-04T05:06:07.000Z");

describe("follow state changes are stamped with the pod's clock", () => {
  let server: InProcessPod;
  let alice: RemoteActor;

  const admin = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}/admin/api${path}`, {
      method,
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, body: await response.json() };
  };
  const signed = async (type: string, object: unknown, id: string) =>
    postRaw(
      await signMastodonStyle(alice, `${server.actorUrl}/inbox`, {
        "@context": "https://www.w3.org/ns/activitystreams",
        id,
        type,
        actor: alice.actorId,
        object,
      }),
    );

  beforeAll(async () => {
    server = await startInProcessPod({ now: () => CLOCK });
    alice = await startRemoteActor("alice");
  });
  afterAll(async () => {
    await server?.close();
    await alice?.close();
  });

  it("a follower's createdAt and acceptedAt", async () => {
    expect((await signed("Follow", server.actorUrl, `${alice.actorId}#follow-1`)).status).toBe(202);
    const [follower] = (await admin("GET", "/followers")).body.items;
    expect(follower).toMatchObject({
      actorIri: alice.actorId,
      createdAt: CLOCK.toISOString(),
      acceptedAt: CLOCK.toISOString(),
    });
  });

  it("a follow of ours: createdAt, and respondedAt when it is accepted", async () => {
    expect((await admin("POST", "/following", { target: alice.actorId })).status).toBe(202);
    await waitUntil(() => alice.inbox.some((r) => JSON.parse(r.body.toString("utf8")).type === "Follow"));
    const follow = alice.inbox.map((r) => JSON.parse(r.body.toString("utf8"))).find((a) => a.type === "Follow");
    expect((await signed("Accept", follow, `${alice.actorId}#accept-1`)).status).toBe(202);
    const [followed] = (await admin("GET", "/following")).body.items;
    expect(followed).toMatchObject({
      actorIri: alice.actorId,
      state: "accepted",
      createdAt: CLOCK.toISOString(),
      respondedAt: CLOCK.toISOString(),
    });
  });

  it("a follow request the operator approves later: acceptedAt is the pod's time of approval", async () => {
    let clock = CLOCK;
    const approving = await startInProcessPod({ now: () => clock, env: { POD_APPROVE_FOLLOWERS: "true" } });
    try {
      const follow = {
        "@context": "https://www.w3.org/ns/activitystreams",
        id: `${alice.actorId}#follow-2`,
        type: "Follow",
        actor: alice.actorId,
        object: approving.actorUrl,
      };
      expect((await postRaw(await signMastodonStyle(alice, `${approving.actorUrl}/inbox`, follow))).status).toBe(202);
      const call = (method: string, path: string, body?: unknown) =>
        fetch(`${approving.url}/admin/api${path}`, {
          method,
          headers: {
            authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
            ...(body ? { "content-type": "application/json" } : {}),
          },
          body: body ? JSON.stringify(body) : undefined,
        }).then(async (response) => ({ status: response.status, body: await response.json() }));
      expect((await call("GET", "/follow-requests")).body.items).toMatchObject([
        { actorIri: alice.actorId, createdAt: CLOCK.toISOString(), acceptedAt: null },
      ]);
      clock = new Date(CLOCK.getTime() + 3_600_000);
      expect((await call("POST", "/follow-requests/approve", { actor: alice.actorId })).status).toBe(200);
      const [follower] = (await call("GET", "/followers")).body.items;
      expect(follower).toMatchObject({
        actorIri: alice.actorId,
        createdAt: CLOCK.toISOString(),
        acceptedAt: clock.toISOString(),
      });
    } finally {
      await approving.close();
    }
  });
});
