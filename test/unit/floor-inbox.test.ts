import { createHash, createSign, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { measureFloor } from "../../bench/floor.ts";
import type { Delivery } from "../../bench/replay.ts";

// The ingest benches read the pod against this floor: it must really verify what it takes, or it is no floor.
const HOST = "127.0.0.1:9";
const ACTOR = "http://127.0.0.1:8/users/pod";
const KEY_ID = `${ACTOR}#main-key`;
const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const keys = { [KEY_ID]: publicKey.export({ type: "spki", format: "pem" }).toString() };

/** A delivery signed with the test key (`actor` is who the activity claims as its actor). */
function delivery(i: number, actor = ACTOR): Delivery {
  const body = Buffer.from(
    JSON.stringify({
      id: `${actor}/activities/${i}`,
      type: "Create",
      actor,
      object: { id: `${actor}/offers/${i}`, type: "Proposal", published: new Date().toISOString() },
    }),
  );
  const date = new Date().toUTCString();
  const digest = `SHA-256=${createHash("sha256").update(body).digest("base64")}`;
  const signed = `(request-target): post /inbox\nhost: ${HOST}\ndate: ${date}\ndigest: ${digest}`;
  const signature = createSign("sha256").update(signed).sign(privateKey, "base64");
  const headers = {
    host: HOST,
    date,
    digest,
    "content-type": "application/activity+json",
    signature: `keyId="${KEY_ID}",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="${signature}"`,
  };
  return { path: "/inbox", headers, body };
}

const floor = (measured: Delivery[]) =>
  measureFloor({ mode: "inbox", warmUp: [delivery(0)], measured, keys, host: HOST, concurrency: 2 });

describe("the ingest benches' floor inbox", () => {
  it("takes signed deliveries and refuses a changed body (digest or signature), another host, or a key off the actor's origin", async () => {
    const taken = await floor([delivery(1), delivery(2)]);
    expect(taken.deliveriesPerSecond).toBeGreaterThan(0);

    const signed = delivery(3);
    const tampered = { ...signed, body: Buffer.from(signed.body.toString().replace("Create", "Update")) };
    await expect(floor([tampered])).rejects.toThrow(/1 deliveries were refused: 401/);
    // The digest made again for the changed body: now only the signature (over the old digest) tells.
    const digest = `SHA-256=${createHash("sha256").update(tampered.body).digest("base64")}`;
    await expect(floor([{ ...tampered, headers: { ...tampered.headers, digest } }])).rejects.toThrow(
      /1 deliveries were refused: 401/,
    );
    const elsewhere = { ...signed, headers: { ...signed.headers, host: "127.0.0.1:10" } };
    await expect(floor([elsewhere])).rejects.toThrow(/1 deliveries were refused: 401/);
    // Signed with the key, but the activity names an actor on another origin.
    await expect(floor([delivery(4, "http://127.0.0.2:8/users/pod")])).rejects.toThrow(
      /1 deliveries were refused: 401/,
    );
  });
});
