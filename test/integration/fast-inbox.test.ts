import { createHash, createSign } from "node:crypto";
import { request } from "node:http";
import { Intent, Measure, Place, Proposal, PUBLIC_COLLECTION } from "@fedify/vocab";
import { parseDecimal } from "@fedify/vocab-runtime";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { viewObjects } from "../../src/confederation/schema.ts";
import { toInstant } from "../../src/federation/deps.ts";
import { eq } from "drizzle-orm";
import { OTHER_PROCESSES_SEEN_WITHIN_MS } from "../../src/db/versions.ts";
import { following } from "../../src/follows/schema.ts";
import { followsWriters } from "../support/follows.ts";
import { blockedAccounts } from "../../src/moderation/schema.ts";
import { PodCreate } from "../../src/publishing/vocab.ts";
import { startInProcessPod, type InProcessPod } from "../support/in-process-pod.ts";
import { postRaw, signMastodonStyle, startRemoteActor, type RemoteActor } from "../support/remote-actor.ts";
import { sqliteOf } from "../support/sqlite-of.ts";

/** What the fast path must accept — and everything it must leave to Fedify's path, which refuses. */
describe("the inbox fast path for neighbor pods' offers", () => {
  let server: InProcessPod;
  let alice: RemoteActor;
  let mallory: RemoteActor;
  let n = 0;

  beforeAll(async () => {
    server = await startInProcessPod();
    [alice, mallory] = await Promise.all([startRemoteActor("alice"), startRemoteActor("mallory")]);
    const at = new Date().toISOString();
    sqliteOf(server.pod)
      .db.insert(following)
      .values({
        actorIri: alice.actorId,
        followIri: `${server.url}/follows/1`,
        handle: null,
        inbox: alice.inboxUrl,
        sharedInbox: null,
        state: "accepted",
        createdAt: at,
        respondedAt: at,
      })
      .run();
  });
  afterAll(async () => {
    await server?.close();
    await Promise.all([alice?.close(), mallory?.close()]);
  });

  /** A Create(Proposal) exactly as pods of this software write it. */
  async function offerBody(actor: RemoteActor, name = "Apples"): Promise<{ body: Buffer; id: string }> {
    const id = new URL(`${actor.origin}/offers/${++n}`);
    const create = new PodCreate({
      id: new URL(`${id.href}#create`),
      actor: new URL(actor.actorId),
      to: PUBLIC_COLLECTION,
      object: new Proposal({
        id,
        attribution: new URL(actor.actorId),
        name,
        purpose: "offer",
        published: toInstant(new Date()),
        publishes: new Intent({
          action: "transfer",
          resourceConformsTo: new URL("https://w3id.org/pods/categories/food"),
          resourceQuantity: new Measure({ unit: "kg", numericalValue: parseDecimal("10") }),
        }),
        location: new Place({ name: "Riverside" }),
      }),
    });
    return { body: Buffer.from(JSON.stringify(await create.toJsonLd({ format: "compact" }))), id: id.href };
  }

  /** Signs like Mastodon (draft-cavage, rsa-sha256), with knobs to get each part wrong. */
  function sign(
    body: Buffer,
    options: { signer?: RemoteActor; keyId?: string; date?: Date; headers?: string[]; digestOf?: Buffer } = {},
  ): { method: string; url: string; headers: Record<string, string> } {
    const signer = options.signer ?? alice;
    const host = new URL(server.url).host;
    const headers: Record<string, string> = {
      host,
      date: (options.date ?? new Date()).toUTCString(),
      digest: `SHA-256=${createHash("sha256")
        .update(options.digestOf ?? body)
        .digest("base64")}`,
      "content-type": "application/activity+json",
    };
    const covered = options.headers ?? ["(request-target)", "host", "date", "digest"];
    const signingString = covered
      .map((h) => (h === "(request-target)" ? "(request-target): post /inbox" : `${h}: ${headers[h]}`))
      .join("\n");
    const signature = createSign("sha256").update(signingString).sign(signer.privateKeyPem, "base64");
    headers.signature =
      `keyId="${options.keyId ?? signer.keyId}",algorithm="rsa-sha256",headers=` +
      `"${covered.join(" ")}",signature="${signature}"`;
    return { method: "POST", url: "/inbox", headers };
  }

  const inView = (iri: string) =>
    sqliteOf(server.pod)
      .db.select()
      .from(viewObjects)
      .all()
      .some((row) => row.iri === iri);
  /** Delivers over HTTP, as a neighbor does: the signature guard runs first, then the fast path or Fedify. */
  const deliver = async (request: { headers: Record<string, string> }, body: Buffer) =>
    (await postRaw({ url: `${server.url}/inbox`, headers: request.headers, body })).status;
  /** What the guard hands the fast path once a delivery verified. */
  const verifiedOf = (body: Buffer, actor = alice) => ({
    activity: JSON.parse(body.toString()),
    actorIri: actor.actorId,
    keyId: actor.keyId,
    header: {
      spec: "draft" as const,
      keyId: new URL(actor.keyId),
      signedHeaders: ["(request-target)", "host", "date", "digest"],
      algorithm: "rsa-sha256",
      signature: "",
      timed: false,
    },
  });

  it("verifies and stores a correctly signed offer from a followed pod", async () => {
    const { body, id } = await offerBody(alice);
    expect(await deliver(sign(body), body)).toBe(202);
    expect(inView(id)).toBe(true);
  });

  it("leaves a body changed after signing to Fedify, which refuses it", async () => {
    const { body, id } = await offerBody(alice);
    const request = sign(body);
    const tampered = Buffer.from(body.toString().replace("Apples", "Apples!"));
    expect(await deliver(request, tampered)).toBe(401);
    expect(inView(id)).toBe(false);
  });

  it("does not accept a signature made with another key than the one named", async () => {
    const { body, id } = await offerBody(alice);
    expect(await deliver(sign(body, { signer: mallory, keyId: alice.keyId }), body)).toBe(401);
    expect(inView(id)).toBe(false);
  });

  it("does not accept an activity whose actor does not own the signing key", async () => {
    const { body, id } = await offerBody(alice);
    expect(await deliver(sign(body, { signer: mallory }), body)).toBe(401);
    expect(inView(id)).toBe(false);
  });

  it("does not accept a stale date, a signature that leaves out the digest, or a digest of other bytes", async () => {
    const { body, id } = await offerBody(alice);
    expect(await deliver(sign(body, { date: new Date(Date.now() - 2 * 60 * 60 * 1000) }), body)).toBe(401);
    expect(await deliver(sign(body, { headers: ["(request-target)", "host", "date"] }), body)).toBe(401);
    expect(await deliver(sign(body, { digestOf: Buffer.from("{}") }), body)).toBe(401);
    expect(inView(id)).toBe(false);
  });

  it("leaves other shapes to Fedify: another context, another activity, unknown properties", async () => {
    const { body } = await offerBody(alice);
    const json = JSON.parse(body.toString());
    const variants = [
      { ...json, "@context": "https://www.w3.org/ns/activitystreams" },
      { ...json, type: "Announce" },
      { ...json, object: { ...json.object, tag: [] } },
      {
        ...json,
        object: {
          ...json.object,
          publishes: {
            ...json.object.publishes,
            resourceQuantity: { type: "Measure", hasUnit: "kg", hasNumericalValue: "lots" },
          },
        },
      },
    ];
    for (const variant of variants) {
      const variantBody = Buffer.from(JSON.stringify(variant));
      expect(await server.pod.inboxFastPath(verifiedOf(variantBody)), JSON.stringify(variant).slice(0, 80)).toBe(false);
    }
  });

  it("refuses an invalid object it verified, as the generic path does: nothing stored", async () => {
    const { body } = await offerBody(alice);
    const json = JSON.parse(body.toString());
    json.object.publishes.resourceQuantity.hasNumericalValue = "-5";
    const negative = Buffer.from(JSON.stringify(json));
    expect(await deliver(sign(negative), negative)).toBe(202);
    expect(inView(json.object.id)).toBe(false);
  });

  it("refuses a key on another origin that claims to be the actor's, on both paths", async () => {
    // Mallory serves, on her own origin, a key document naming alice as its owner.
    const forged = `${mallory.origin}/keys/alice`;
    const keyServer = await import("node:http").then(({ createServer }) =>
      createServer((_req, res) => {
        res.writeHead(200, { "content-type": "application/activity+json" });
        res.end(
          JSON.stringify({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            id: forged,
            type: "Key",
            owner: alice.actorId,
            publicKeyPem: mallory.publicKeyPem,
          }),
        );
      }),
    );
    await new Promise<void>((resolve) => keyServer.listen(0, "127.0.0.1", resolve));
    const keyId = `http://127.0.0.1:${(keyServer.address() as { port: number }).port}/keys/alice`;
    try {
      const { body, id } = await offerBody(alice, "Forged");
      expect(await deliver(sign(body, { signer: mallory, keyId }), body)).toBe(401);
      expect(inView(id)).toBe(false);
    } finally {
      keyServer.close();
    }
  });

  it("does not take a delivery signed for another host, or one with created/expires parameters", async () => {
    const { body, id } = await offerBody(alice);
    const otherHost = sign(body);
    otherHost.headers.host = "other.example";
    // (re-sign with the other host, so only the host check can refuse it)
    const resigned = { ...otherHost, headers: { ...otherHost.headers } };
    const covered = "(request-target) host date digest";
    const signingString =
      `(request-target): post /inbox\nhost: ` +
      `other.example\ndate: ${resigned.headers.date}\ndigest: ${resigned.headers.digest}`;
    resigned.headers.signature =
      `keyId="${alice.keyId}",algorithm="rsa-sha256",headers="${covered}",signature=` +
      `"${createSign("sha256").update(signingString).sign(alice.privateKeyPem, "base64")}"`;
    // The guard refuses it: the Host header (the one the signature covers) names another server.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${server.url}/inbox`,
        { method: "POST", headers: { ...resigned.headers, "content-length": body.length } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end(body);
    });
    expect(status).toBe(401);
    const withExpires = sign(body);
    withExpires.headers.signature += ',expires="1"';
    expect(await deliver(withExpires, body)).toBe(401);
    expect(inView(id)).toBe(false);
  });

  const takesSameActivity =
    "takes the same activity twice without doing it twice, and never brings back what its origin deleted";
  it(takesSameActivity, async () => {
    const { body, id } = await offerBody(alice, "Plums");
    expect(await deliver(sign(body), body)).toBe(202);
    expect(await deliver(sign(body), body)).toBe(202);
    expect(
      sqliteOf(server.pod)
        .db.select()
        .from(viewObjects)
        .all()
        .filter((row) => row.iri === id),
    ).toHaveLength(1);

    const deletion = {
      "@context": "https://www.w3.org/ns/activitystreams",
      id: `${id}#delete`,
      type: "Delete",
      actor: alice.actorId,
      object: id,
    };
    const deleted = await postRaw(await signMastodonStyle(alice, `${server.url}/inbox`, deletion));
    expect(deleted.status).toBe(202);
    expect(inView(id)).toBe(false);

    // A late retry of the Create (new activity id, same object) does not resurrect it.
    const json = JSON.parse(body.toString());
    json.id = `${id}#create-again`;
    const again = Buffer.from(JSON.stringify(json));
    expect(await deliver(sign(again), again)).toBe(202);
    expect(inView(id)).toBe(false);
  });

  it("takes two deliveries of one activity arriving together once (the second waits for the first)", async () => {
    const { body, id } = await offerBody(alice, "Quinces");
    const taken = vi.spyOn(server.pod.confederation.inbox, "onProposal");
    try {
      expect(await Promise.all([deliver(sign(body), body), deliver(sign(body), body)])).toEqual([202, 202]);
      expect(taken).toHaveBeenCalledTimes(1);
      expect(inView(id)).toBe(true);
    } finally {
      taken.mockRestore();
    }
  });

  it("fetches an uncached key once for deliveries that arrive together", async () => {
    const carol = await startRemoteActor("carol");
    try {
      const writers = followsWriters(server.pod.deps.rooms);
      const address = { actorIri: carol.actorId, handle: null, inbox: carol.inboxUrl, sharedInbox: null };
      await writers.recordFollowing(address, `${server.url}/follows/carol`, new Date());
      await writers.answerFollowing(carol.actorId, "accepted", new Date());
      const offers = await Promise.all([1, 2, 3].map((i) => offerBody(carol, `Figs ${i}`)));
      const handled = await Promise.all(offers.map(({ body }) => deliver(sign(body, { signer: carol }), body)));
      expect(handled).toEqual([202, 202, 202]);
      expect(offers.every(({ id }) => inView(id))).toBe(true);
      expect(carol.gets).toHaveLength(1);
    } finally {
      await carol.close();
    }
  });

  it("reads an offer into the same view record as Fedify's generic path does", async () => {
    const object = (id: string) => ({
      id,
      type: "Proposal",
      attributedTo: alice.actorId,
      name: "Pears &amp; plums",
      summary: "Don&#39;t <em>wait</em>",
      content: '<p>Ripe &quot;today&quot;.<br>Bring a bag</p><p><a href="javascript:x" onclick="y">here</a></p>',
      url: id,
      purpose: "offer",
      publishes: {
        type: "Intent",
        action: "transfer",
        resourceConformsTo: "https://w3id.org/pods/categories/food",
        // Spaces around the number: both paths read it as Fedify's parseDecimal does.
        resourceQuantity: { type: "Measure", hasUnit: "kg", hasNumericalValue: " 12.5 " },
        availableQuantity: { type: "Measure", hasUnit: "kg", hasNumericalValue: "3" },
      },
      location: { type: "Place", name: "Riverside <b>park</b>", latitude: 51.5, longitude: -0.1 },
      startTime: "2026-12-01T09:00:00+01:00",
      endTime: "2026-12-24T18:00:00Z",
      published: "2026-11-20T10:00:00.5Z",
      updated: "2026-11-21T10:00:00Z",
    });
    const { body } = await offerBody(alice);
    const json = JSON.parse(body.toString());
    const rowOf = (iri: string) => {
      const row = sqliteOf(server.pod)
        .db.select()
        .from(viewObjects)
        .all()
        .find((r) => r.iri === iri);
      return row && { ...row, iri: undefined, url: undefined, receivedAt: undefined };
    };

    const fastId = `${alice.origin}/offers/same-fast`;
    const fast = Buffer.from(JSON.stringify({ ...json, id: `${fastId}#create`, object: object(fastId) }));
    expect(await server.pod.inboxFastPath(verifiedOf(fast))).toBe(true);

    // One more inline term in the context: the fast path declines, Fedify's JSON-LD path reads it.
    const genericId = `${alice.origin}/offers/same-generic`;
    const generic = Buffer.from(
      JSON.stringify({
        ...json,
        "@context": [...json["@context"], { extra: "https://x.example/ns#extra" }],
        id: `${genericId}#create`,
        object: object(genericId),
      }),
    );
    expect(await server.pod.inboxFastPath(verifiedOf(generic))).toBe(false);
    expect((await postRaw({ url: `${server.url}/inbox`, headers: sign(generic).headers, body: generic })).status).toBe(
      202,
    );

    expect(rowOf(fastId)).toBeDefined();
    expect(rowOf(fastId)).toEqual(rowOf(genericId));
    expect(rowOf(fastId)).toMatchObject({
      name: "Pears & plums",
      quantityMilli: 12500,
      availableMilli: 3000,
      areaName: "Riverside park",
      startsAt: "2026-12-01T08:00:00.000Z",
      // The view's summary is the description's text (the Proposal's own summary is a line for Mastodon).
      summary: 'Ripe "today".\nBring a bag\nhere',
      content: '<p>Ripe "today".<br />Bring a bag</p><p><a rel="nofollow noopener">here</a></p>',
    });
  });

  it("over HTTP: a valid delivery is accepted (202) and in the view", async () => {
    const { body, id } = await offerBody(alice, "Pears");
    const response = await postRaw({ url: `${server.url}/inbox`, headers: sign(body).headers, body });
    expect(response.status).toBe(202);
    expect(inView(id)).toBe(true);
  });

  const activityWhoseId =
    "an activity whose id is on another origin than its actor is refused on both paths: it can't take another " +
    "server's id";
  it(activityWhoseId, async () => {
    const { body, id } = await offerBody(alice, "Borrowed id");
    const json = JSON.parse(body.toString());
    json.id = `${mallory.origin}/activities/1`;
    const stolen = Buffer.from(JSON.stringify(json));
    expect(await server.pod.inboxFastPath(verifiedOf(stolen))).toBe(false);
    const response = await postRaw({ url: `${server.url}/inbox`, headers: sign(stolen).headers, body: stolen });
    expect(response.status).toBe(400);
    expect(inView(id)).toBe(false);
  });

  const failureAfterFast =
    "a failure after the fast path verified an activity answers 5xx (the sender retries); Fedify's path does not " +
    "handle it again";
  it(failureAfterFast, async () => {
    const { body, id } = await offerBody(alice, "Dates");
    const taken = vi.spyOn(server.pod.confederation.inbox, "onProposal").mockRejectedValueOnce(new Error("disk full"));
    try {
      const response = await postRaw({ url: `${server.url}/inbox`, headers: sign(body).headers, body });
      expect(response.status).toBe(500);
      expect(taken).toHaveBeenCalledTimes(1);
      expect(inView(id)).toBe(false);
      // The retry goes through.
      expect((await postRaw({ url: `${server.url}/inbox`, headers: sign(body).headers, body })).status).toBe(202);
      expect(inView(id)).toBe(true);
    } finally {
      taken.mockRestore();
    }
  });

  it("over HTTP: a follow ended, accepted again, a block and an unblock each count for the very next offer", async () => {
    const offer = async (name: string) => {
      const { body, id } = await offerBody(alice, name);
      return { status: await deliver(sign(body), body), kept: inView(id) };
    };
    expect(await offer("Before")).toEqual({ status: 202, kept: true });
    const row = sqliteOf(server.pod).db.select().from(following).where(eq(following.actorIri, alice.actorId)).get()!;
    const writers = followsWriters(server.pod.deps.rooms);
    expect(await writers.removeFollowing(alice.actorId)).toBeDefined();
    expect(await offer("Unfollowed")).toEqual({ status: 202, kept: false });
    // Followed again through the follows' own writers (another process's write counts within
    // OTHER_PROCESSES_SEEN_WITHIN_MS: test/integration/follow-answers.test.ts).
    await writers.recordFollowing(row, `${row.followIri}-again`, new Date());
    expect(await offer("Asked again")).toEqual({ status: 202, kept: false });
    await writers.answerFollowing(alice.actorId, "accepted", new Date());
    expect(await offer("Followed again")).toEqual({ status: 202, kept: true });
    // A block written by another process (the CLI): seen once the change counter is read again.
    sqliteOf(server.pod)
      .db.insert(blockedAccounts)
      .values({ actorIri: alice.actorId, handle: "", reason: "", createdAt: row.createdAt })
      .run();
    await new Promise((resolve) => setTimeout(resolve, OTHER_PROCESSES_SEEN_WITHIN_MS + 10));
    expect(await offer("Blocked")).toEqual({ status: 403, kept: false });
    expect(await server.pod.moderation.unblockAccount(alice.actorId)).toBe(true);
    expect(await offer("Unblocked")).toEqual({ status: 202, kept: true });
  });
});
