import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { roomsOf } from "../../src/db/room-db.ts";
import { socialStore } from "../../src/social/store.ts";
import { startInProcessPod, type InProcessPod } from "../support/in-process-pod.ts";
import { postRaw, signMastodonStyle, startRemoteActor, type RemoteActor } from "../support/remote-actor.ts";

/**
 * A Mastodon-style post is read (its author's actor fetched, its id checked) before it is written; a block of
 * its author that lands in between must keep it out, as the confederal inbox does inside its commit.
 */
describe("a block that lands while a post is being read", () => {
  let server: InProcessPod;
  let dave: RemoteActor;
  let blockOnNextGet = false;
  let n = 0;

  beforeAll(async () => {
    server = await startInProcessPod();
    dave = await startRemoteActor("dave", {
      beforeGet: async (url) => {
        if (!blockOnNextGet || url.pathname !== "/users/dave") return;
        blockOnNextGet = false;
        await server.pod.moderation.blockAccount(dave.actorId);
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await dave?.close();
  });

  const post = (mentionsPod: boolean) => {
    const id = `${dave.actorId}/statuses/${++n}`;
    const pod = server.actorUrl;
    const cc = mentionsPod ? [pod] : [];
    const tag = mentionsPod ? [{ type: "Mention", href: pod, name: "@pod" }] : [];
    const note = { id, type: "Note", attributedTo: dave.actorId, to: ["https://www.w3.org/ns/activitystreams#Public"] };
    return {
      id,
      activity: {
        "@context": "https://www.w3.org/ns/activitystreams",
        id: `${id}/activity`,
        type: "Create",
        actor: dave.actorId,
        to: note.to,
        cc,
        object: { ...note, cc, tag, content: `<p>${mentionsPod ? "@pod " : ""}apples (${n})</p>` },
      },
    };
  };
  const deliver = async (activity: unknown) =>
    (await postRaw(await signMastodonStyle(dave, `${server.url}/inbox`, activity))).status;

  it("is honoured for that post: nothing of it is stored", async () => {
    // A post the pod does not keep: the guard fetches and keeps dave's key, the post goes no further.
    const ignored = post(false);
    expect(await deliver(ignored.activity)).toBe(202);
    expect(await socialStore(roomsOf(server.pod.deps)).statusByIri(ignored.id)).toBeUndefined();
    const keyFetches = dave.gets.length;
    // This one mentions the pod: reading it fetches dave's actor (unknown account), and the block lands then.
    blockOnNextGet = true;
    const kept = post(true);
    expect(await deliver(kept.activity)).toBe(202);
    expect(dave.gets.length).toBeGreaterThan(keyFetches);
    expect(blockOnNextGet).toBe(false);
    expect(server.pod.moderation.refuses(dave.actorId)).toBe(true);
    expect(await socialStore(roomsOf(server.pod.deps)).statusByIri(kept.id)).toBeUndefined();
  });
});
