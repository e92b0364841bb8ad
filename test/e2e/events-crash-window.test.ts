import Database from "better-sqlite3";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliveriesSettled } from "../support/pod-queue.ts";
import { collectionItems, startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";
import { postRaw, signMastodonStyle, startRemoteActor, type RemoteActor } from "../support/remote-actor.ts";

type Json = Record<string, any>;

/** Events the pod has not finished running (read from its SQLite file while it runs). */
function pendingEvents(pod: PodProcess): number {
  const db = new Database(join(pod.dataDir, "pod.sqlite"), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT COUNT(*) AS n FROM events WHERE state = 'pending'").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/**
 * The crash window: a change commits, and the process dies before anything follows from it. Before the
 * events table, the delivery was queued after the commit in a separate write, so a crash there lost it.
 * POD_TEST_CRASH_AFTER_COMMIT makes the pod SIGKILL itself right after the commit, before any delivery.
 */
describe("a delivery survives a crash between the commit and the delivery", () => {
  let pod: PodProcess;
  let alice: RemoteActor;

  beforeAll(async () => {
    [pod, alice] = await Promise.all([startPod("crash-window"), startRemoteActor("alice")]);
    const follow = {
      "@context": "https://www.w3.org/ns/activitystreams",
      id: `${alice.actorId}/follows/1`,
      type: "Follow",
      actor: alice.actorId,
      object: pod.actorUrl,
    };
    expect((await postRaw(await signMastodonStyle(alice, `${pod.actorUrl}/inbox`, follow))).status).toBeLessThan(300);
    await waitUntil(() => received().some((a) => a.type === "Accept"));
  });
  afterAll(async () => {
    await Promise.all([pod?.stop(), alice?.close()]);
  });

  const received = (): Json[] => alice.inbox.map((r) => JSON.parse(r.body.toString("utf8")) as Json);

  const title = "the pod is killed (SIGKILL) right after an offer commits; after a restart the follower gets its Note";
  it(title, { timeout: 60_000 }, async () => {
    // The switch is read when the pod runs an event, so it is set for this process only.
    pod.env.POD_TEST_CRASH_AFTER_COMMIT = "1";
    await pod.restart();
    const answer = pod.admin("POST", "/offers", {
      name: "Pears",
      description: "A crate from the yard",
      category: "food",
      quantity: 12,
      unit: "kg",
      area: { name: "Hillside" },
    });
    // The pod died before answering: the request fails with a closed connection.
    await expect(answer).rejects.toThrow();
    await waitUntil(() => pod.exitCodes().length === 2);
    expect(received().filter((a) => a.type === "Create")).toEqual([]);

    delete pod.env.POD_TEST_CRASH_AFTER_COMMIT;
    await pod.start();
    // The change had committed: the offer is there after the restart.
    const offers = (await pod.admin("GET", "/offers")).body.items as { id: string; name: string }[];
    expect(offers.map((o) => o.name)).toEqual(["Pears"]);
    const note = `${pod.url}/offers/${offers[0]!.id}/note`;

    await waitUntil(() => received().some((a) => a.type === "Create" && a.object?.id === note), 20_000);
    // Nothing more is on its way: the event is done and nothing about the offer is queued or in flight.
    await waitUntil(() => pendingEvents(pod) === 0);
    await deliveriesSettled(pod, offers[0]!.id);
    const creates = received().filter((a) => a.type === "Create" && a.object?.id === note);
    expect(creates).toHaveLength(1);
    expect(creates[0]!.object.content).toContain("Pears");
    // The outbox (what servers copy on follow) lists it once too.
    const outbox = await collectionItems(pod, `${pod.actorUrl}/outbox`);
    expect(outbox.filter((id) => id.startsWith(`${note}#`))).toHaveLength(1);
  });
});
