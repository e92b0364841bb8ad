import type { Server } from "node:http";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectionItems, startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";
import { postRaw, signMastodonStyle, startRemoteActor, type RemoteActor } from "../support/remote-actor.ts";
import { type InboxServer, startInboxServer } from "../support/inbox-server.ts";

const close = (server?: Server) => {
  server?.closeAllConnections();
  server?.close();
};

describe("in production, no signed POST goes to an internal address, whatever was stored", () => {
  let pod: PodProcess;
  let v4: InboxServer;
  let v6: InboxServer;

  beforeAll(async () => {
    [pod, v4, v6] = await Promise.all([
      startPod("production-addresses", { POD_ALLOW_PRIVATE_ADDRESS: "false" }),
      startInboxServer("127.0.0.1"),
      startInboxServer("::1"),
    ]);
  });
  afterAll(async () => {
    close(v4?.server);
    close(v6?.server);
    await pod?.stop();
  });

  it("followers stored before the rule, with loopback inboxes, get no delivery; the pod says why", {
    timeout: 90_000,
  }, async () => {
    // Rows as an older pod stored them: nothing checked the addresses then.
    const db = new Database(join(pod.dataDir, "pod.sqlite"));
    const insert = db.prepare(
      `INSERT INTO followers (actor_iri, follow_iri, handle, inbox, shared_inbox, state, created_at, accepted_at)
       VALUES (?, ?, NULL, ?, NULL, 'accepted', ?, ?)`,
    );
    const at = new Date().toISOString();
    for (const origin of [v4.origin, v6.origin])
      insert.run(`${origin}/users/x`, `${origin}/follows/1`, `${origin}/users/x/inbox`, at, at);
    db.close();

    const offer = await pod.admin("POST", "/offers", {
      name: "Apples",
      category: "food",
      quantity: 5,
      unit: "kg",
      area: { name: "Riverside" },
    });
    expect(offer.status).toBe(201);
    const refusals = () =>
      pod
        .logs()
        .split("\n")
        .filter((line) => line.includes('"msg":"delivery refused"'));
    await waitUntil(() => refusals().length >= 2 || v4.posts.length + v6.posts.length > 0, 60_000);
    expect(v4.posts).toEqual([]);
    expect(v6.posts).toEqual([]);
    for (const origin of [v4.origin, v6.origin]) {
      expect(
        refusals().some((line) => line.includes(`${origin}/users/x/inbox`)),
        origin,
      ).toBe(true);
    }
  });
});

describe("a follower's inboxes must be on its own host", () => {
  let pod: PodProcess;
  let elsewhere: InboxServer;
  let withForeignInbox: RemoteActor;
  let withForeignSharedInbox: RemoteActor;

  beforeAll(async () => {
    elsewhere = await startInboxServer("127.0.0.2");
    [pod, withForeignInbox, withForeignSharedInbox] = await Promise.all([
      startPod("inbox-host"),
      startRemoteActor("foreign-inbox", { actorFields: () => ({ inbox: `${elsewhere.origin}/inbox` }) }),
      startRemoteActor("foreign-shared", {
        actorFields: () => ({ endpoints: { sharedInbox: `${elsewhere.origin}/shared` } }),
      }),
    ]);
  });
  afterAll(async () => {
    close(elsewhere?.server);
    await Promise.all([pod?.stop(), withForeignInbox?.close(), withForeignSharedInbox?.close()]);
  });

  const followActorWhose =
    "a Follow from an actor whose inbox or shared inbox is on another host is refused: not stored, nothing sent there";
  it(followActorWhose, {
    timeout: 60_000,
  }, async () => {
    for (const actor of [withForeignInbox, withForeignSharedInbox]) {
      const follow = {
        "@context": "https://www.w3.org/ns/activitystreams",
        id: `${actor.actorId}/follows/1`,
        type: "Follow",
        actor: actor.actorId,
        object: pod.actorUrl,
      };
      const response = await postRaw(await signMastodonStyle(actor, `${pod.actorUrl}/inbox`, follow));
      expect(response.status).toBeLessThan(300);
    }
    const refusals = () =>
      pod
        .logs()
        .split("\n")
        .filter((line) => line.includes("follow refused: its inbox is not deliverable"));
    const followers = () => collectionItems(pod, `${pod.actorUrl}/followers`);
    await waitUntil(
      async () => refusals().length >= 2 || (await followers()).length > 0 || elsewhere.posts.length > 0,
      30_000,
    );
    expect(await followers()).toEqual([]);
    expect(refusals()).toHaveLength(2);
    expect(elsewhere.posts).toEqual([]);
  });
});
