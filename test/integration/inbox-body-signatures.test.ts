import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { roomsOf } from "../../src/db/room-db.ts";
import { socialStore } from "../../src/social/store.ts";
import { startInProcessPod, type InProcessPod } from "../support/in-process-pod.ts";
import { postRaw, signMastodonStyle, startRemoteActor, type RemoteActor } from "../support/remote-actor.ts";

/**
 * The signature guard verifies every delivery's HTTP signature and that the activity's actor owns the key.
 * A Linked Data Signature or Object Integrity Proof in the body then proves nothing more (Mastodon checks an
 * LD signature only when the HTTP signer is not the actor, which the guard refuses), so the pod does not
 * verify them: no fetch of the keys they name, no JSON-LD canonicalisation — most of a Mastodon post's cost.
 */
describe("body signatures of a delivery whose HTTP signature proves the actor", () => {
  let server: InProcessPod;
  let carol: RemoteActor;
  let n = 0;

  beforeAll(async () => {
    server = await startInProcessPod();
    carol = await startRemoteActor("carol");
  });
  afterAll(async () => {
    await server?.close();
    await carol?.close();
  });

  /** A Mastodon-style Create(Note) mentioning the pod, carrying body signatures that name keys on carol's server. */
  const mention = () => {
    const id = `${carol.actorId}/statuses/${++n}`;
    const pod = `${server.url}/users/${server.pod.deps.config.handle}`;
    return {
      id,
      activity: {
        "@context": ["https://www.w3.org/ns/activitystreams", { sensitive: "as:sensitive" }],
        id: `${id}/activity`,
        type: "Create",
        actor: carol.actorId,
        to: ["https://www.w3.org/ns/activitystreams#Public"],
        cc: [pod],
        object: {
          id,
          type: "Note",
          attributedTo: carol.actorId,
          to: ["https://www.w3.org/ns/activitystreams#Public"],
          cc: [pod],
          sensitive: false,
          content: `<p><a href="${pod}" class="u-url mention">@pod</a> any apples left?</p>`,
          tag: [{ type: "Mention", href: pod, name: "@pod" }],
        },
        signature: {
          type: "RsaSignature2017",
          creator: `${carol.origin}/keys/ld`,
          created: new Date().toISOString(),
          signatureValue: Buffer.from("not a signature").toString("base64"),
        },
        proof: {
          type: "DataIntegrityProof",
          cryptosuite: "eddsa-jcs-2022",
          verificationMethod: `${carol.origin}/keys/proof`,
          proofPurpose: "assertionMethod",
          proofValue: "z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk9czvN8rq7dgBFsdcyNkKjvmspV",
          created: new Date().toISOString(),
        },
      },
    };
  };
  const keyFetches = () => carol.gets.filter((get) => get.url.startsWith("/keys/")).map((get) => get.url);

  it("keeps the post without fetching the keys its LD signature and proof name", async () => {
    const { id, activity } = mention();
    const response = await postRaw(await signMastodonStyle(carol, `${server.url}/inbox`, activity));
    expect(response.status).toBe(202);
    expect((await socialStore(roomsOf(server.pod.deps)).statusByIri(id))?.content).toContain("any apples left?");
    expect(keyFetches()).toEqual([]);
  });

  const stillRefusesSame =
    "still refuses the same post when its HTTP signature is not carol's (the body signatures do not stand in)";
  it(stillRefusesSame, async () => {
    const { id, activity } = mention();
    const signed = await signMastodonStyle(carol, `${server.url}/inbox`, activity);
    const forged = {
      ...signed,
      headers: {
        ...signed.headers,
        Signature: signed.headers.Signature!.replace(/signature="[^"]+"/, 'signature="AAAA"'),
      },
    };
    expect((await postRaw(forged)).status).toBe(401);
    expect(await socialStore(roomsOf(server.pod.deps)).statusByIri(id)).toBeUndefined();
    expect(keyFetches()).toEqual([]);
  });
});
