import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { receivedActivities } from "../../src/confederation/schema.ts";
import { roomsOf } from "../../src/db/room-db.ts";
import { statuses } from "../../src/social/schema.ts";
import { socialStore } from "../../src/social/store.ts";
import { startInProcessPod, type InProcessPod } from "../support/in-process-pod.ts";
import { postRaw, signMastodonStyle, startRemoteActor, type RemoteActor } from "../support/remote-actor.ts";
import { sqliteOf } from "../support/sqlite-of.ts";

/**
 * A Mastodon-style post taken by the fast path is written in one commit with its inbox record; a post the pod
 * does not keep still leaves its record.
 */
describe("the inbox record of a Mastodon-style post", () => {
  let server: InProcessPod;
  let erin: RemoteActor;
  let n = 0;

  beforeAll(async () => {
    server = await startInProcessPod();
    erin = await startRemoteActor("erin");
  });
  afterAll(async () => {
    await server?.close();
    await erin?.close();
  });

  const create = (author: string) => {
    const id = `${erin.actorId}/statuses/${++n}`;
    const pod = server.actorUrl;
    const to = ["https://www.w3.org/ns/activitystreams#Public"];
    return {
      id,
      activity: {
        "@context": "https://www.w3.org/ns/activitystreams",
        id: `${id}/activity`,
        type: "Create",
        actor: erin.actorId,
        published: "2025-09-01T10:00:00Z",
        to,
        cc: [pod],
        object: {
          id,
          type: "Note",
          attributedTo: author,
          published: "2025-09-01T10:00:00Z",
          to,
          cc: [pod],
          tag: [{ type: "Mention", href: pod, name: "@pod" }],
          content: `<p>@pod apples (${n})</p>`,
        },
      },
    };
  };
  const deliver = async (activity: unknown) =>
    (await postRaw(await signMastodonStyle(erin, `${server.url}/inbox`, activity))).status;
  const records = (activityIri: string) =>
    sqliteOf(server.pod)
      .db.select()
      .from(receivedActivities)
      .where(eq(receivedActivities.activityIri, activityIri))
      .all();
  const posts = (iri: string) => sqliteOf(server.pod).db.select().from(statuses).where(eq(statuses.iri, iri)).all();

  it("a kept post and its record, once each however often it is delivered", async () => {
    const post = create(erin.actorId);
    expect(await deliver(post.activity)).toBe(202);
    expect(await deliver(post.activity)).toBe(202);
    expect(posts(post.id)).toHaveLength(1);
    expect(records(post.activity.id)).toMatchObject([
      { type: "Create", actorIri: erin.actorId, objectIri: post.id, objectType: "Note" },
    ]);
  });

  it("a post another account is named the author of is not kept, and its record is", async () => {
    const post = create(`${erin.origin}/users/someone-else`);
    expect(await deliver(post.activity)).toBe(202);
    expect(await socialStore(roomsOf(server.pod.deps)).statusByIri(post.id)).toBeUndefined();
    expect(records(post.activity.id)).toMatchObject([{ type: "Create", actorIri: erin.actorId, objectIri: post.id }]);
  });
});
