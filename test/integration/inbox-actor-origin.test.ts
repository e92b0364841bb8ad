import { Intent, Proposal, PUBLIC_COLLECTION, Update } from "@fedify/vocab";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { viewObjects } from "../../src/confederation/schema.ts";
import { toInstant } from "../../src/federation/deps.ts";
import { followsOf } from "../../src/follows/room.ts";
import { following } from "../../src/follows/schema.ts";
import { PodCreate } from "../../src/publishing/vocab.ts";
import { startInProcessPod, type InProcessPod } from "../support/in-process-pod.ts";
import {
  postRaw,
  sameServerAccount,
  signMastodonStyle,
  startRemoteActor,
  type RemoteActor,
} from "../support/remote-actor.ts";
import { sqliteOf } from "../support/sqlite-of.ts";

/**
 * Issue 9 item 9: two actors on one host (alice and bob, both followed). Origin is the actor, not the
 * host: bob can neither delete alice's objects (nor leave tombstones that block her), nor take her ids first.
 */
describe("two actors on one host", () => {
  let server: InProcessPod;
  let alice: RemoteActor;
  let bob: RemoteActor;
  /** Alice's objects as her server serves them at their ids. */
  const published = new Map<string, unknown>();

  beforeAll(async () => {
    server = await startInProcessPod();
    const bobAccount = sameServerAccount("bob", "Group");
    alice = await startRemoteActor("alice", {
      serve: (url) => bobAccount.serves(url) ?? published.get(url.href),
    });
    bob = bobAccount.on(alice);
    const at = new Date().toISOString();
    for (const actor of [alice, bob]) {
      sqliteOf(server.pod)
        .db.insert(following)
        .values({
          actorIri: actor.actorId,
          followIri: `${server.url}/follows/${actor.actorId.split("/").pop()}`,
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
    }
  });
  afterAll(async () => {
    await server?.close();
    await alice?.close();
  });

  let n = 0;
  const offer = (author: RemoteActor, iri: string, name: string) =>
    new Proposal({
      id: new URL(iri),
      attribution: new URL(author.actorId),
      name,
      purpose: "offer",
      published: toInstant(new Date(Date.now() - 60_000)),
      updated: toInstant(new Date(Date.now() + ++n)),
      publishes: new Intent({ action: "transfer" }),
    });
  async function send(actor: RemoteActor, activity: unknown): Promise<number> {
    return (await postRaw(await signMastodonStyle(actor, `${server.url}/inbox`, activity))).status;
  }
  async function create(actor: RemoteActor, object: Proposal): Promise<number> {
    const activity = new PodCreate({
      id: new URL(`${object.id!.href}#create-${++n}`),
      actor: new URL(actor.actorId),
      to: PUBLIC_COLLECTION,
      object,
    });
    return send(actor, await activity.toJsonLd({ format: "compact" }));
  }
  const deleteOf = (actor: RemoteActor, iri: string) => ({
    "@context": "https://www.w3.org/ns/activitystreams",
    id: `${actor.actorId}/deletes/${++n}`,
    type: "Delete",
    actor: actor.actorId,
    object: iri,
  });
  const row = (iri: string) => sqliteOf(server.pod).db.select().from(viewObjects).where(eq(viewObjects.iri, iri)).get();

  it("a Delete from another actor on the same host neither removes the object nor blocks its owner later", async () => {
    const kept = `${alice.origin}/users/alice/offers/kept`;
    expect(await create(alice, offer(alice, kept, "Apples"))).toBe(202);
    expect(await send(bob, deleteOf(bob, kept))).toBe(202);
    expect(row(kept)?.podIri).toBe(alice.actorId);

    // Bob "deletes" an id alice has not used yet: no tombstone may block her Create of it.
    const future = `${alice.origin}/users/alice/offers/future`;
    expect(await send(bob, deleteOf(bob, future))).toBe(202);
    expect(await create(alice, offer(alice, future, "Pears"))).toBe(202);
    expect(row(future)?.podIri).toBe(alice.actorId);

    // And alice's own Update of the first object still applies.
    const update = new Update({
      id: new URL(`${kept}#update-${++n}`),
      actor: new URL(alice.actorId),
      to: PUBLIC_COLLECTION,
      object: offer(alice, kept, "Apples, more"),
    });
    expect(await send(alice, await update.toJsonLd({ format: "compact" }))).toBe(202);
    expect(row(kept)?.name).toBe("Apples, more");
  });

  it("an object another actor created first under the owner's id goes to the actor the id names", async () => {
    const contested = `${alice.origin}/users/alice/offers/contested`;
    expect(await create(bob, offer(bob, contested, "Bob's squat"))).toBe(202);
    const real = offer(alice, contested, "Alice's plums");
    published.set(contested, await real.toJsonLd());
    expect(await create(alice, real)).toBe(202);
    expect(row(contested)).toMatchObject({ podIri: alice.actorId, name: "Alice's plums" });
  });

  it("an Update from another actor that claims the owner's object is not taken", async () => {
    const iri = `${alice.origin}/users/alice/offers/claimed`;
    expect(await create(alice, offer(alice, iri, "Beans"))).toBe(202);
    const update = new Update({
      id: new URL(`${bob.actorId}/updates/${++n}`),
      actor: new URL(bob.actorId),
      to: PUBLIC_COLLECTION,
      object: offer(alice, iri, "Beans (gone)"),
    });
    expect(await send(bob, await update.toJsonLd({ format: "compact" }))).toBe(202);
    expect(row(iri)).toMatchObject({ podIri: alice.actorId, name: "Beans" });
  });
});
