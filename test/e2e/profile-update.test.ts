import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectionItems, startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";
import { AS_PUBLIC, expandOne, recipients } from "../support/independent-reader.ts";
import {
  postRaw,
  signMastodonStyle,
  startRemoteActor,
  type ReceivedRequest,
  type RemoteActor,
} from "../support/remote-actor.ts";

const NEW_NAME = "Riverside tool library";
const NEW_SUMMARY = "Lending drills, ladders and seed packets between neighbours.";
const LATER_NAME = "Riverside tool and seed library";

/** The parsed body of a delivery. */
const bodyOf = (request: ReceivedRequest) => JSON.parse(request.body.toString("utf8"));
const isUpdate = (request: ReceivedRequest) => bodyOf(request).type === "Update";

/** Parses a FEP-8fcf `Collection-Synchronization` header: comma-separated `key="value"` pairs. */
function parseCollectionSynchronization(header: string): Record<string, string> {
  const params: Record<string, string> = {};
  const pattern = /\s*([A-Za-z][A-Za-z0-9-]*)\s*=\s*"([^"]*)"\s*(?:,|$)/y;
  let match: RegExpExecArray | null;
  while (pattern.lastIndex < header.length && (match = pattern.exec(header)) !== null) params[match[1]!] = match[2]!;
  expect(pattern.lastIndex, `unparsable Collection-Synchronization header: ${header}`).toBe(header.length);
  return params;
}

/** FEP-8fcf partial follower digest: XOR of SHA-256 of each (distinct) follower id, hex-encoded. */
function followerDigest(ids: string[]): string {
  const result = Buffer.alloc(32);
  for (const id of new Set(ids)) {
    const hash = createHash("sha256").update(id, "utf8").digest();
    for (let i = 0; i < 32; i++) result[i]! ^= hash[i]!;
  }
  return result.toString("hex");
}

describe("the pod tells its followers when its profile changes (Update(actor) with FEP-8fcf followers sync)", () => {
  let pod: PodProcess;
  let alice: RemoteActor;

  beforeAll(async () => {
    [pod, alice] = await Promise.all([startPod("profile-update"), startRemoteActor("alice")]);
  });
  afterAll(async () => {
    await Promise.all([pod?.stop(), alice?.close()]);
  });

  const followersUrl = () => `${pod.actorUrl}/followers`;
  const updates = () => alice.inbox.filter(isUpdate);
  const withLogs = (message: string) => `${message}\n--- pod logs ---\n${pod.logs().slice(-4000)}`;

  it("accepts a signed Follow from a remote actor (setup)", async () => {
    const follow = {
      "@context": "https://www.w3.org/ns/activitystreams",
      id: `${alice.actorId}/follows/1`,
      type: "Follow",
      actor: alice.actorId,
      object: pod.actorUrl,
    };
    const response = await postRaw(await signMastodonStyle(alice, `${pod.actorUrl}/inbox`, follow));
    const text = await response.text();
    expect(response.status, withLogs(`Follow answered ${response.status}: ${text}`)).toBeGreaterThanOrEqual(200);
    expect(response.status, withLogs(`Follow answered ${response.status}: ${text}`)).toBeLessThan(300);

    await waitUntil(() => alice.inbox.some((r) => bodyOf(r).type === "Accept"), 30_000).catch((error) => {
      throw new Error(withLogs(`no Accept delivered: ${String(error)}`));
    });
    expect(await collectionItems(pod, followersUrl())).toEqual([alice.actorId]);
    expect(updates()).toEqual([]);
  });

  const afterRestartNew =
    "after a restart with a new POD_NAME and POD_SUMMARY, delivers Update(Group) with a correct " +
    "Collection-Synchronization header";
  it(afterRestartNew, async () => {
    expect(await collectionItems(pod, followersUrl()), "the setup test must have run").toEqual([alice.actorId]);
    const before = alice.inbox.length;
    pod.env.POD_NAME = NEW_NAME;
    pod.env.POD_SUMMARY = NEW_SUMMARY;
    await pod.restart();

    // The pod's own actor document shows the new profile.
    const actorDoc = await pod.getActivityPub(pod.actorUrl);
    expect(actorDoc.name).toBe(NEW_NAME);
    expect(actorDoc.summary).toBe(`<p>${NEW_SUMMARY}</p>`);

    await waitUntil(() => alice.inbox.slice(before).some(isUpdate), 15_000).catch((error) => {
      throw new Error(withLogs(`no Update delivered after the profile changed: ${String(error)}`));
    });
    // Exactly one: whether a duplicate follows is checked in the last test, behind a later Update.
    const delivery = alice.inbox.slice(before).find(isUpdate)!;
    expect(delivery.method).toBe("POST");
    // The remote actor publishes no sharedInbox, so the personal inbox is used.
    expect(delivery.url).toBe(new URL(alice.inboxUrl).pathname);
    expect(delivery.headers["content-type"]).toMatch(/^application\/(activity\+json|ld\+json)/);
    expect(delivery.headers.signature ?? delivery.headers["signature-input"]).toBeDefined();

    // The activity: Update by the pod actor, of the pod Group with the new name and summary.
    const update = bodyOf(delivery);
    expect(update.type).toBe("Update");
    expect(update.actor).toBe(pod.actorUrl);
    expect(typeof update.id).toBe("string");
    expect(update.id.startsWith(`${pod.actorUrl}#update/`)).toBe(true);
    // Addressed as Mastodon addresses actor Updates: to Public, cc followers. A server that looks for
    // itself among the recipients (an actor has none of its own) accepts it because it is public.
    const addressed = recipients(await expandOne(update));
    expect(addressed).toContain(AS_PUBLIC);
    expect(addressed).toContain(followersUrl());
    expect(typeof update.object).toBe("object");
    expect(update.object.id).toBe(pod.actorUrl);
    expect(update.object.type).toBe("Group");
    expect(update.object.name).toBe(NEW_NAME);
    expect(update.object.summary).toBe(`<p>${NEW_SUMMARY}</p>`);
    expect(update.object.followers).toBe(followersUrl());

    // FEP-8fcf: collectionId is the followers collection, url is it filtered to the receiver's origin,
    // and digest is the XOR of SHA-256 of the followers on that origin (only alice).
    const header = delivery.headers["collection-synchronization"];
    expect(header, withLogs("no Collection-Synchronization header on the Update")).toBeDefined();
    const sync = parseCollectionSynchronization(String(header));
    expect(Object.keys(sync).sort()).toEqual(["collectionId", "digest", "url"]);
    expect(sync.collectionId).toBe(followersUrl());
    const filtered = new URL(sync.url!);
    expect(`${filtered.origin}${filtered.pathname}`).toBe(followersUrl());
    expect(filtered.searchParams.get("base-url")).toBe(`${alice.origin}/`);
    expect(sync.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(sync.digest).toBe(followerDigest([alice.actorId]));

    // The filtered collection the header points at lists exactly the followers the digest covers.
    expect(await collectionItems(pod, sync.url!)).toEqual([alice.actorId]);
  });

  const sendsNoUpdate =
    "sends no Update when the pod restarts without a profile change (nor a duplicate of the earlier one)";
  it(sendsNoUpdate, async () => {
    expect(updates(), "the previous test must have run").toHaveLength(1);
    const before = alice.inbox.length;
    await pod.restart();
    expect((await pod.getActivityPub(pod.actorUrl)).name).toBe(NEW_NAME);
    // The marker: a later profile change. Its Update has the same ordering key (the actor) as any Update
    // the quiet restart (or a retry of the first one) would have queued, so those would arrive first.
    pod.env.POD_NAME = LATER_NAME;
    await pod.restart();
    await waitUntil(
      () => alice.inbox.slice(before).some((r) => isUpdate(r) && bodyOf(r).object.name === LATER_NAME),
      15_000,
    );
    const since = alice.inbox.slice(before).filter(isUpdate);
    expect(
      since.map((r) => bodyOf(r).object.name),
      withLogs("an Update was sent without a profile change"),
    ).toEqual([LATER_NAME]);
    expect(new Set(updates().map((r) => bodyOf(r).id)).size).toBe(2);
  });
});
