import { createHash, createPrivateKey, createSign } from "node:crypto";
import { generateCryptoKeyPair, signJsonLd, signObject, signRequest } from "@fedify/fedify";
import { Activity, type Delete, Intent, Proposal, PUBLIC_COLLECTION } from "@fedify/vocab";
import { exportMultibaseKey, getDocumentLoader } from "@fedify/vocab-runtime";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { viewObjects } from "../../src/confederation/schema.ts";
import { toInstant } from "../../src/federation/deps.ts";
import { followsOf } from "../../src/follows/room.ts";
import { following } from "../../src/follows/schema.ts";
import { PodCreate } from "../../src/publishing/vocab.ts";
import { startInProcessPod, type InProcessPod } from "../support/in-process-pod.ts";
import { postRaw, signMastodonStyle, startRemoteActor, type RemoteActor } from "../support/remote-actor.ts";
import { sqliteOf } from "../support/sqlite-of.ts";

const rsaPrivateKey = (pem: string) =>
  crypto.subtle.importKey(
    "pkcs8",
    createPrivateKey(pem).export({ format: "der", type: "pkcs8" }),
    { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    true,
    ["sign"],
  );

/**
 * Issue 9 item 2: activities forged as a followed pod. Mallory serves, on her own server, key documents
 * that name alice (a followed neighbor) as their owner or controller, signs with her own keys, and tries
 * every way the adversarial run found to make the pod verify with that key while the guard looked at
 * alice's. Each forged Delete of alice's actor must be refused and leave alice's follow and offers alone.
 */
describe("forged deliveries as a followed neighbor", () => {
  let server: InProcessPod;
  let alice: RemoteActor;
  let mallory: RemoteActor;
  let ed25519: CryptoKeyPair;
  let offerIri = "";
  const forgedRsaKey = () => `${mallory.origin}/users/not-alice#main-key`;
  const forgedMultikey = () => `${mallory.origin}/keys/alice-ed25519`;
  let multibase = "";

  beforeAll(async () => {
    server = await startInProcessPod();
    ed25519 = await generateCryptoKeyPair("Ed25519");
    multibase = await exportMultibaseKey(ed25519.publicKey);
    alice = await startRemoteActor("alice");
    mallory = await startRemoteActor("mallory", {
      serve: (url) => {
        // An actor document on mallory's server whose key claims alice as its owner (a bare Key document is
        // not read as a key by Fedify; a key inside an actor document is).
        if (url.href === forgedRsaKey().replace(/#.*/, "")) {
          return {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            id: url.href,
            type: "Person",
            inbox: `${url.href}/inbox`,
            publicKey: { id: forgedRsaKey(), owner: alice.actorId, publicKeyPem: mallory.publicKeyPem },
          };
        }
        if (url.href === forgedMultikey()) {
          return {
            "@context": "https://w3id.org/security/multikey/v1",
            id: url.href,
            type: "Multikey",
            controller: alice.actorId,
            publicKeyMultibase: multibase,
          };
        }
        return undefined;
      },
    });
    const at = new Date().toISOString();
    sqliteOf(server.pod)
      .db.insert(following)
      .values({
        actorIri: alice.actorId,
        followIri: `${server.url}/follows/alice`,
        handle: null,
        inbox: alice.inboxUrl,
        sharedInbox: null,
        state: "accepted",
        createdAt: at,
        respondedAt: at,
      })
      .run();
    // Written behind the follows room's back: its copy in memory reloads now.
    followsOf(server.pod.deps).followingChanged();
    // Alice's genuine offer, delivered the way neighbor pods deliver.
    offerIri = `${alice.origin}/offers/1`;
    const create = new PodCreate({
      id: new URL(`${offerIri}#create`),
      actor: new URL(alice.actorId),
      to: PUBLIC_COLLECTION,
      object: new Proposal({
        id: new URL(offerIri),
        attribution: new URL(alice.actorId),
        name: "Apples",
        purpose: "offer",
        published: toInstant(new Date()),
        publishes: new Intent({ action: "transfer" }),
      }),
    });
    const genuine = await postRaw(
      await signMastodonStyle(alice, `${server.url}/inbox`, await create.toJsonLd({ format: "compact" })),
    );
    expect(genuine.status).toBe(202);
  });
  afterAll(async () => {
    await server?.close();
    await Promise.all([alice?.close(), mallory?.close()]);
  });

  const aliceUntouched = () => {
    const db = sqliteOf(server.pod).db;
    expect(db.select().from(following).where(eq(following.actorIri, alice.actorId)).get()?.state).toBe("accepted");
    expect(db.select().from(viewObjects).where(eq(viewObjects.iri, offerIri)).get()?.podIri).toBe(alice.actorId);
  };
  let n = 0;
  /** A Delete of alice's actor, in alice's name: what removed the follow and every offer in the adversarial run. */
  const forgedDelete = () => ({
    "@context": "https://www.w3.org/ns/activitystreams",
    id: `${alice.origin}/deletes/${++n}`,
    type: "Delete",
    actor: alice.actorId,
    object: alice.actorId,
    to: PUBLIC_COLLECTION.href,
  });

  /** Draft-cavage headers signed with mallory's key; `params` writes the Signature header around the signature. */
  function signedByMallory(body: Buffer, params: (signature: string) => string): Record<string, string> {
    const headers: Record<string, string> = {
      host: new URL(server.url).host,
      date: new Date().toUTCString(),
      digest: `SHA-256=${createHash("sha256").update(body).digest("base64")}`,
      "content-type": "application/activity+json",
    };
    const signingString = [
      "(request-target): post /inbox",
      `host: ${headers.host}`,
      `date: ${headers.date}`,
      `digest: ${headers.digest}`,
    ].join("\n");
    headers.signature = params(createSign("sha256").update(signingString).sign(mallory.privateKeyPem, "base64"));
    return headers;
  }
  const covered = 'algorithm="rsa-sha256",headers="(request-target) host date digest"';

  async function deliver(headers: Record<string, string>, body: Buffer): Promise<Response> {
    return postRaw({ url: `${server.url}/inbox`, headers, body });
  }

  it("refuses a duplicated keyId (Fedify keeps the last one)", async () => {
    const body = Buffer.from(JSON.stringify(forgedDelete()));
    const headers = signedByMallory(
      body,
      (sig) => `keyId="${alice.keyId}",${covered},signature="${sig}",keyId="${forgedRsaKey()}"`,
    );
    const response = await deliver(headers, body);
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toMatch(/application\/problem\+json/);
    aliceUntouched();
  });

  it("refuses look-alike parameter names before the real keyId", async () => {
    for (const lookAlike of ["xkeyId", "keyid", "KeyId"]) {
      const body = Buffer.from(JSON.stringify(forgedDelete()));
      const headers = signedByMallory(
        body,
        (sig) => `${lookAlike}="${alice.keyId}",keyId="${forgedRsaKey()}",${covered},signature="${sig}"`,
      );
      expect((await deliver(headers, body)).status, lookAlike).toBe(401);
      aliceUntouched();
    }
  });

  it("refuses a second RFC 9421 signature label that the first one's key does not account for", async () => {
    const body = Buffer.from(JSON.stringify(forgedDelete()));
    const privateKey = await rsaPrivateKey(mallory.privateKeyPem);
    const signed = await signRequest(
      new Request(`${server.url}/inbox`, {
        method: "POST",
        headers: { "content-type": "application/activity+json" },
        body: new Uint8Array(body),
      }),
      privateKey,
      new URL(forgedRsaKey()),
      { spec: "rfc9421", body: body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer },
    );
    const headers: Record<string, string> = {};
    for (const [name, value] of signed.headers) headers[name] = value;
    const created = Math.floor(Date.now() / 1000);
    headers["signature-input"] =
      `sig0=("@method");keyid="${alice.keyId}";created=${created}, ${headers["signature-input"]}`;
    headers.signature = `sig0=:AAAA:, ${headers.signature}`;
    expect((await deliver(headers, body)).status).toBe(401);
    aliceUntouched();
  });

  it("refuses a body with an Object Integrity Proof by a key on another host, and no HTTP signature", async () => {
    const loader = getDocumentLoader({ allowPrivateAddress: true });
    const activity = await Activity.fromJsonLd(forgedDelete(), { documentLoader: loader, contextLoader: loader });
    const proven = await signObject(activity as Delete, ed25519.privateKey, new URL(forgedMultikey()), {
      documentLoader: loader,
      contextLoader: loader,
    });
    const body = Buffer.from(JSON.stringify(await proven.toJsonLd({ contextLoader: loader })));
    expect(body.toString()).toContain("proof");
    const response = await deliver(
      { host: new URL(server.url).host, "content-type": "application/activity+json" },
      body,
    );
    expect(response.status).toBe(401);
    aliceUntouched();
  });

  it("refuses a body with a Linked Data Signature by a key on another host, and no HTTP signature", async () => {
    const loader = getDocumentLoader({ allowPrivateAddress: true });
    const privateKey = await rsaPrivateKey(mallory.privateKeyPem);
    const signed = await signJsonLd(forgedDelete(), privateKey, new URL(forgedRsaKey()), { contextLoader: loader });
    const body = Buffer.from(JSON.stringify(signed));
    const response = await deliver(
      { host: new URL(server.url).host, "content-type": "application/activity+json" },
      body,
    );
    expect(response.status).toBe(401);
    aliceUntouched();
  });

  it("refuses a body proof off the actor's origin even beside a valid HTTP signature of the actor", async () => {
    const delivery = await signMastodonStyle(alice, `${server.url}/inbox`, {
      ...forgedDelete(),
      object: `${alice.origin}/offers/never`,
      proof: {
        type: "DataIntegrityProof",
        cryptosuite: "eddsa-jcs-2022",
        verificationMethod: forgedMultikey(),
        proofPurpose: "assertionMethod",
        proofValue: "z1",
      },
    });
    expect((await postRaw(delivery)).status).toBe(401);
    aliceUntouched();
  });

  it("refuses `@id` and full-IRI proof keys, which JSON-LD reads past the plain id and proof checks", async () => {
    // Mallory, signing as herself, names one of alice's activity ids: recorded as processed, it would make the
    // pod skip alice's real activity with that id.
    const preempt = {
      "@context": "https://www.w3.org/ns/activitystreams",
      "@id": `${alice.origin}/statuses/1#delete`,
      type: "Delete",
      actor: mallory.actorId,
      object: `${mallory.origin}/statuses/1`,
    };
    const first = await postRaw(await signMastodonStyle(mallory, `${server.url}/inbox`, preempt));
    expect(first.status).toBe(400);
    expect(((await first.json()) as { detail: string }).detail).toContain("@id");
    const hiddenProof = {
      "@context": "https://www.w3.org/ns/activitystreams",
      id: `${mallory.origin}/statuses/2#delete`,
      type: "Delete",
      actor: mallory.actorId,
      object: `${mallory.origin}/statuses/2`,
      "https://w3id.org/security#proof": { type: "DataIntegrityProof", verificationMethod: forgedMultikey() },
    };
    expect((await postRaw(await signMastodonStyle(mallory, `${server.url}/inbox`, hiddenProof))).status).toBe(400);
    aliceUntouched();
  });

  const alicesKeyAlready =
    "with alice's key already verified (cached), a wrong signature or a changed body under her keyId is refused";
  it(alicesKeyAlready, async () => {
    // The genuine delivery in beforeAll verified alice's key through Fedify; later ones use the cached key.
    const body = Buffer.from(JSON.stringify(forgedDelete()));
    const wrongKey = signedByMallory(body, (sig) => `keyId="${alice.keyId}",${covered},signature="${sig}"`);
    expect((await deliver(wrongKey, body)).status).toBe(401);
    const signed = await signMastodonStyle(alice, `${server.url}/inbox`, {
      "@context": "https://www.w3.org/ns/activitystreams",
      id: `${alice.origin}/notes/1#create`,
      type: "Create",
      actor: alice.actorId,
      object: { id: `${alice.origin}/notes/1`, type: "Note", attributedTo: alice.actorId, content: "hello" },
    });
    const changed = Buffer.from(JSON.stringify(forgedDelete()));
    expect((await postRaw({ ...signed, body: changed })).status).toBe(401);
    aliceUntouched();
  });

  it("an unsigned 625 KiB body is refused before any JSON-LD processing or fetch", async () => {
    const parsed = vi.spyOn(Activity, "fromJsonLd");
    const getsBefore = alice.gets.length + mallory.gets.length;
    try {
      const big = { ...forgedDelete(), type: "Create", object: { type: "Note", content: "x".repeat(640_000) } };
      const body = Buffer.from(JSON.stringify(big));
      expect(body.length).toBeGreaterThan(625 * 1024);
      const response = await deliver(
        { host: new URL(server.url).host, "content-type": "application/activity+json" },
        body,
      );
      expect(response.status).toBe(401);
      // Signed by mallory but naming alice's key: refused by the signature check, still before any JSON-LD.
      const forgedHeaders = signedByMallory(body, (sig) => `keyId="${alice.keyId}",${covered},signature="${sig}"`);
      expect((await deliver(forgedHeaders, body)).status).toBe(401);
      expect(parsed).not.toHaveBeenCalled();
      // Only alice's key may have been fetched (to check mallory's signature against it); nothing the body names.
      expect([...alice.gets, ...mallory.gets].slice(getsBefore).every((get) => get.url === "/users/alice")).toBe(true);
    } finally {
      parsed.mockRestore();
    }
  });
});
