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

/** A delivery signed with the test key: by default from ACTOR, for HOST, now. */
function delivery(i: number, { actor = ACTOR, host = HOST, date = new Date() } = {}): Delivery {
  const body = Buffer.from(
    JSON.stringify({
      id: `${actor}/activities/${i}`,
      type: "Create",
      actor,
      object: { id: `${actor}/offers/${i}`, type: "Proposal", published: new Date().toISOString() },
    }),
  );
  const signedDate = date.toUTCString();
  const digest = `SHA-256=${createHash("sha256").update(body).digest("base64")}`;
  const signed = `(request-target): post /inbox\nhost: ${host}\ndate: ${signedDate}\ndigest: ${digest}`;
  const signature = createSign("sha256").update(signed).sign(privateKey, "base64");
  const headers = {
    host,
    date: signedDate,
    digest,
    "content-type": "application/activity+json",
    signature: `keyId="${KEY_ID}",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="${signature}"`,
  };
  return { path: "/inbox", headers, body };
}

const floor = (measured: Delivery[]) =>
  measureFloor({ mode: "inbox", warmUp: [delivery(0)], measured, keys, host: HOST, concurrency: 2 });

describe("the ingest benches' floor inbox", () => {
  it("takes signed deliveries and refuses a changed body (digest or signature), another host, an old date, or a key off the actor's origin", async () => {
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
    // Signed as it was sent: only the Host check, or the Date check, or the actor's origin can refuse these.
    await expect(floor([delivery(4, { host: "127.0.0.1:10" })])).rejects.toThrow(/1 deliveries were refused: 401/);
    const lastYear = new Date(Date.now() - 365 * 24 * 3600 * 1000);
    await expect(floor([delivery(5, { date: lastYear })])).rejects.toThrow(/1 deliveries were refused: 401/);
    await expect(floor([delivery(6, { actor: "http://127.0.0.2:8/users/pod" })])).rejects.toThrow(
      /1 deliveries were refused: 401/,
    );
  });
});
