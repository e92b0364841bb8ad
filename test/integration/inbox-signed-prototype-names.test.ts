/**
 * A signature may name any header. Names an object's prototype answers ("constructor", "__proto__", "toString")
 * are headers the request does not have: the delivery is refused 401, never a 500 (review finding on the guard
 * that reads Node's parsed headers, which inherit from Object.prototype).
 */
import { createHash, createSign } from "node:crypto";
import { Intent, Measure, Place, Proposal, PUBLIC_COLLECTION } from "@fedify/vocab";
import { parseDecimal } from "@fedify/vocab-runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toInstant } from "../../src/federation/deps.ts";
import { followsOf } from "../../src/follows/room.ts";
import { following } from "../../src/follows/schema.ts";
import { PodCreate } from "../../src/publishing/vocab.ts";
import { startInProcessPod, type InProcessPod } from "../support/in-process-pod.ts";
import { postRaw, startRemoteActor, type RemoteActor } from "../support/remote-actor.ts";
import { sqliteOf } from "../support/sqlite-of.ts";

describe("a signed delivery naming a header an object's prototype answers", () => {
  let server: InProcessPod;
  let alice: RemoteActor;
  let n = 0;
  beforeAll(async () => {
    server = await startInProcessPod();
    alice = await startRemoteActor("alice");
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
    // Written behind the follows room's back: its copy in memory reloads now.
    followsOf(server.pod.deps).followingChanged();
  });
  afterAll(async () => {
    await server?.close();
    await alice?.close();
  });

  async function offerBody(): Promise<Buffer> {
    const id = new URL(`${alice.origin}/offers/${++n}`);
    const offer = new Proposal({
      id,
      attribution: new URL(alice.actorId),
      name: "Apples",
      purpose: "offer",
      published: toInstant(new Date()),
      publishes: new Intent({
        action: "transfer",
        resourceConformsTo: new URL("https://w3id.org/pods/categories/food"),
        resourceQuantity: new Measure({ unit: "kg", numericalValue: parseDecimal("10") }),
      }),
      location: new Place({ name: "Riverside" }),
    });
    const create = new PodCreate({
      id: new URL(`${id.href}#create`),
      actor: new URL(alice.actorId),
      to: PUBLIC_COLLECTION,
      object: offer,
    });
    return Buffer.from(JSON.stringify(await create.toJsonLd({ format: "compact" })));
  }

  function signed(body: Buffer, covered: string[]): Record<string, string> {
    const headers: Record<string, string> = {
      host: new URL(server.url).host,
      date: new Date().toUTCString(),
      digest: `SHA-256=${createHash("sha256").update(body).digest("base64")}`,
      "content-type": "application/activity+json",
    };
    const lines = covered.map((h) =>
      h === "(request-target)" ? "(request-target): post /inbox" : `${h}: ${headers[h]}`,
    );
    const signature = createSign("sha256").update(lines.join("\n")).sign(alice.privateKeyPem, "base64");
    headers.signature = `keyId="${alice.keyId}",algorithm="rsa-sha256",headers="${covered.join(" ")}",signature="${signature}"`;
    return headers;
  }

  it("is refused 401 once the sender's key is known, and a proper delivery still lands", async () => {
    const standard = ["(request-target)", "host", "date", "digest"];
    const first = await offerBody();
    const accepted = await postRaw({ url: `${server.url}/inbox`, headers: signed(first, standard), body: first });
    expect(accepted.status).toBeLessThan(300);
    for (const name of ["constructor", "__proto__", "toString"]) {
      const body = await offerBody();
      const response = await postRaw({
        url: `${server.url}/inbox`,
        headers: signed(body, [...standard, name]),
        body,
      });
      expect(response.status, name).toBe(401);
    }
  });
});
