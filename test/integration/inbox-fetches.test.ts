import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { followsOf } from "../../src/follows/room.ts";
import { following } from "../../src/follows/schema.ts";
import { INBOX_FETCHES } from "../../src/federation/inbox-scope.ts";
import { startInProcessPod, type InProcessPod } from "../support/in-process-pod.ts";
import { postRaw, signMastodonStyle, startRemoteActor, type RemoteActor } from "../support/remote-actor.ts";
import { sqliteOf } from "../support/sqlite-of.ts";

/** What an inbox delivery may make the pod fetch: issue 9 item 8 and issue 10 item 4. */
describe("fetches caused by inbox deliveries", () => {
  let server: InProcessPod;
  let n = 0;

  beforeAll(async () => {
    server = await startInProcessPod();
  });
  afterAll(async () => {
    await server?.close();
  });

  const follow = (actor: RemoteActor) => {
    const at = new Date().toISOString();
    sqliteOf(server.pod)
      .db.insert(following)
      .values({
        actorIri: actor.actorId,
        followIri: `${server.url}/follows/${++n}`,
        handle: null,
        inbox: actor.inboxUrl,
        sharedInbox: null,
        state: "accepted",
        createdAt: at,
        respondedAt: at,
      })
      .run();
    // Written behind the follows room's back: its copy in memory reloads now.
    followsOf(server.pod.deps).followingChanged();
  };
  /** A public Create(Note) naming `tags` tag links on the sender's own server (each one a document to fetch). */
  const noteWithTags = (actor: RemoteActor, tags: number) => {
    const id = `${actor.origin}/notes/${++n}`;
    return {
      "@context": "https://www.w3.org/ns/activitystreams",
      id: `${id}/activity`,
      type: "Create",
      actor: actor.actorId,
      to: "https://www.w3.org/ns/activitystreams#Public",
      object: {
        id,
        type: "Note",
        attributedTo: actor.actorId,
        to: "https://www.w3.org/ns/activitystreams#Public",
        content: "<p>hello</p>",
        tag: Array.from({ length: tags }, (_, i) => `${actor.origin}/tags/${i}`),
      },
    };
  };
  const tagFetches = (actor: RemoteActor) => actor.gets.filter((get) => get.url.startsWith("/tags/")).length;

  const signedCreatenote5000 =
    "a signed Create(Note) with 5,000 tag links from an actor the pod does not follow fetches none of them";
  it(signedCreatenote5000, async () => {
    const stranger = await startRemoteActor("stranger");
    try {
      const response = await postRaw(
        await signMastodonStyle(stranger, `${server.url}/inbox`, noteWithTags(stranger, 5_000)),
      );
      expect(response.status).toBe(202);
      expect(tagFetches(stranger)).toBe(0);
      // Its key, and nothing else.
      expect(stranger.gets.map((get) => get.url)).toEqual(["/users/stranger"]);
    } finally {
      await stranger.close();
    }
  });

  it("the same from a followed actor fetches at most the per-activity budget", async () => {
    const friend = await startRemoteActor("friend", {
      serve: (url) =>
        url.pathname.startsWith("/tags/")
          ? { "@context": "https://www.w3.org/ns/activitystreams", id: url.href, type: "Hashtag", name: "#t" }
          : undefined,
    });
    try {
      follow(friend);
      const response = await postRaw(
        await signMastodonStyle(friend, `${server.url}/inbox`, noteWithTags(friend, 5_000)),
      );
      expect(response.status).toBeLessThan(500);
      expect(tagFetches(friend)).toBeLessThanOrEqual(INBOX_FETCHES);
      // Besides the budget: its actor document for the key (the signature check) and its WebFinger handle
      // (Fedify asks that outside the document loaders), each at most once.
      const others = friend.gets.filter((get) => !get.url.startsWith("/tags/")).map((get) => get.url);
      expect(others.length, others.join(" ")).toBeLessThanOrEqual(3);
    } finally {
      await friend.close();
    }
  });

  it("a key endpoint that failed (503) and recovered does not refuse the neighbor for long", async () => {
    let down = true;
    const flaky = await startRemoteActor("flaky", {
      failGet: (url) => (url.pathname === "/users/flaky" && down ? 503 : undefined),
    });
    try {
      follow(flaky);
      const first = await postRaw(await signMastodonStyle(flaky, `${server.url}/inbox`, noteWithTags(flaky, 0)));
      expect(first.status).toBe(401);
      down = false;
      // The sender retries, as servers do; within a minute one delivery is taken (Fedify alone keeps the failure 10
      // minutes).
      let status = 0;
      for (let attempt = 0; attempt < 60 && status !== 202; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        status = (await postRaw(await signMastodonStyle(flaky, `${server.url}/inbox`, noteWithTags(flaky, 0)))).status;
      }
      expect(status).toBe(202);
    } finally {
      await flaky.close();
    }
  }, 90_000);
});
