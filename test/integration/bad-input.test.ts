import { createPublicKey } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { generateCryptoKeyPair, signRequest } from "@fedify/fedify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_ADMIN_TOKEN, startPod, type PodProcess } from "../support/pod-process.ts";
import { deliveriesSettled } from "../support/pod-queue.ts";
import { startRemoteActor, type RemoteActor } from "../support/remote-actor.ts";

const MAX_BODY_BYTES = 2048;
const PROBLEM_JSON = /^application\/problem\+json\b/;

/** A server that answers 404 to everything and records what it was asked (a key that cannot be fetched). */
async function startNotFoundServer(): Promise<{ origin: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    res.writeHead(404, { "content-type": "text/plain" }).end("not found");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Decodes a base58btc string (the `z` multibase alphabet) to bytes. */
function base58btcDecode(text: string): Uint8Array {
  const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  let value = 0n;
  for (const char of text) {
    const digit = alphabet.indexOf(char);
    if (digit < 0) throw new Error(`not base58btc: ${char}`);
    value = value * 58n + BigInt(digit);
  }
  const bytes: number[] = [];
  while (value > 0n) {
    bytes.unshift(Number(value % 256n));
    value /= 256n;
  }
  for (const char of text) {
    if (char !== "1") break;
    bytes.unshift(0);
  }
  return Uint8Array.from(bytes);
}

describe("bad input against a real pod process (signature verification on)", () => {
  let pod: PodProcess;
  /**
   * A real, fetchable remote actor: if the pod processed an unverified Follow from it, it would be stored and answered.
   */
  let nobody: RemoteActor;
  let missing: Awaited<ReturnType<typeof startNotFoundServer>>;

  beforeAll(async () => {
    [pod, nobody, missing] = await Promise.all([
      startPod("bad-input", { POD_MAX_BODY_BYTES: String(MAX_BODY_BYTES) }),
      startRemoteActor("nobody"),
      startNotFoundServer(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([pod?.stop(), nobody?.close(), missing?.close()]);
  });

  const withLogs = (message: string) => `${message}\n--- pod logs ---\n${pod.logs().slice(-4000)}`;
  const followActivity = (actor: string, id: string, extra: Record<string, unknown> = {}) => ({
    "@context": "https://www.w3.org/ns/activitystreams",
    id,
    type: "Follow",
    actor,
    object: pod.actorUrl,
    ...extra,
  });
  const postInbox = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${pod.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/activity+json", ...headers },
      body,
    });

  /** No trace of any follow: admin lists and the public collection are all empty. */
  async function expectNoFollowStored(): Promise<void> {
    const followers = await pod.admin("GET", "/followers");
    expect(followers.status).toBe(200);
    expect(followers.body.items).toEqual([]);
    const requests = await pod.admin("GET", "/follow-requests");
    expect(requests.status).toBe(200);
    expect(requests.body.items).toEqual([]);
    const collection = await pod.getActivityPub(`${pod.actorUrl}/followers`);
    expect(collection.totalItems).toBe(0);
    const status = await pod.admin("GET", "/status");
    expect(status.body).toMatchObject({ followers: 0, followRequests: 0 });
  }

  const refusesUnsignedWellformed =
    "refuses an unsigned, well-formed Follow at /users/pod/inbox and at /inbox with 401 problem+json, leaving no trace";
  it(refusesUnsignedWellformed, async () => {
    const actors = [nobody.actorId, pod.actorUrl];
    let n = 0;
    for (const path of ["/users/pod/inbox", "/inbox"]) {
      for (const actor of actors) {
        const body = JSON.stringify(followActivity(actor, `${actor}/follows/unsigned-${++n}`));
        const response = await postInbox(path, body);
        const text = await response.text();
        expect(
          response.status,
          withLogs(`unsigned Follow to ${path} from ${actor} answered ${response.status}: ${text}`),
        ).toBe(401);
        expect(response.headers.get("content-type")).toMatch(PROBLEM_JSON);
        expect(JSON.parse(text)).toMatchObject({ status: 401, title: "Unauthorized" });
      }
    }
    // The remote actor was never answered (what the pod queued about it was delivered), and nothing was stored.
    await deliveriesSettled(pod, nobody.actorId);
    expect(nobody.inbox).toEqual([]);
    await expectNoFollowStored();
  });

  it("refuses a Follow signed with a key whose keyId cannot be fetched (401), not half-storing it", async () => {
    const { privateKey } = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
    const cases = [
      // Nothing listens on port 1: the key fetch fails at connection time.
      { label: "unreachable host", actor: "http://127.0.0.1:1/actor", keyId: "http://127.0.0.1:1/actor#key" },
      // The key owner answers 404.
      { label: "actor answers 404", actor: `${missing.origin}/actor`, keyId: `${missing.origin}/actor#key` },
      // The Follow names a real, fetchable actor, but the key it is signed with is a 404.
      { label: "fetchable actor, 404 key", actor: nobody.actorId, keyId: `${nobody.origin}/users/ghost#main-key` },
    ];
    let n = 0;
    for (const { label, actor, keyId } of cases) {
      for (const path of ["/users/pod/inbox", "/inbox"]) {
        const body = JSON.stringify(followActivity(actor, `${actor}/follows/badkey-${++n}`));
        const request = new Request(`${pod.url}${path}`, {
          method: "POST",
          headers: { "content-type": "application/activity+json", accept: "application/activity+json" },
          body,
        });
        const signed = await signRequest(request, privateKey, new URL(keyId));
        expect(signed.headers.get("signature")).toContain(`keyId="${keyId}"`);
        const response = await fetch(signed);
        const text = await response.text();
        expect(response.status, withLogs(`${label}: Follow to ${path} answered ${response.status}: ${text}`)).toBe(401);
        expect(response.headers.get("content-type")).toMatch(PROBLEM_JSON);
        expect(JSON.parse(text)).toMatchObject({ status: 401 });
      }
    }
    // The pod really tried to fetch the 404 key (the refusal came from verification, not from something earlier).
    expect(missing.requests.some((line) => line.startsWith("GET /actor"))).toBe(true);
    await deliveriesSettled(pod, nobody.actorId);
    expect(nobody.inbox).toEqual([]);
    await expectNoFollowStored();
  });

  it('answers a malformed JSON body with 400 problem+json naming field "body" (inbox and admin API)', async () => {
    const inbox = await postInbox("/users/pod/inbox", '{"type": "Follow", ');
    expect(inbox.status).toBe(400);
    expect(inbox.headers.get("content-type")).toMatch(PROBLEM_JSON);
    expect(await inbox.json()).toMatchObject({ status: 400, field: "body" });

    const shared = await postInbox("/inbox", "not json at all");
    expect(shared.status).toBe(400);
    expect(shared.headers.get("content-type")).toMatch(PROBLEM_JSON);
    expect(await shared.json()).toMatchObject({ status: 400, field: "body" });

    const admin = await fetch(`${pod.url}/admin/api/following`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, "content-type": "application/json" },
      body: '{"target": ',
    });
    expect(admin.status).toBe(400);
    expect(admin.headers.get("content-type")).toMatch(PROBLEM_JSON);
    expect(await admin.json()).toMatchObject({ status: 400, field: "body" });
  });

  it("answers a text/plain inbox POST with 415 problem+json", async () => {
    for (const path of ["/users/pod/inbox", "/inbox"]) {
      const response = await postInbox(
        path,
        JSON.stringify(followActivity(nobody.actorId, `${nobody.actorId}/f/415`)),
        {
          "content-type": "text/plain",
        },
      );
      expect(response.status).toBe(415);
      expect(response.headers.get("content-type")).toMatch(PROBLEM_JSON);
      expect(await response.json()).toMatchObject({ status: 415, title: "Unsupported Media Type" });
    }
  });

  const answers4Kb = `answers a 4 KB body with 413 problem+json when POD_MAX_BODY_BYTES=${MAX_BODY_BYTES} (inbox and admin API)`;
  it(answers4Kb, async () => {
    const big = JSON.stringify(
      followActivity(nobody.actorId, `${nobody.actorId}/f/big`, { padding: "x".repeat(4096) }),
    );
    expect(Buffer.byteLength(big)).toBeGreaterThan(4096);
    for (const path of ["/users/pod/inbox", "/inbox"]) {
      const response = await postInbox(path, big);
      expect(response.status).toBe(413);
      expect(response.headers.get("content-type")).toMatch(PROBLEM_JSON);
      expect(await response.json()).toMatchObject({ status: 413 });
    }
    const admin = await fetch(`${pod.url}/admin/api/following`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ target: `@${"x".repeat(4096)}@example.org` }),
    });
    expect(admin.status).toBe(413);
    expect(admin.headers.get("content-type")).toMatch(PROBLEM_JSON);
    expect(await admin.json()).toMatchObject({ status: 413 });
    // A body under the limit still gets through to signature checking (401, not 413).
    const small = await postInbox(
      "/inbox",
      JSON.stringify(followActivity(nobody.actorId, `${nobody.actorId}/f/small`)),
    );
    expect(small.status).toBe(401);
  });

  it("answers an unknown route with 404 problem+json", async () => {
    const response = await fetch(`${pod.url}/nope`);
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toMatch(PROBLEM_JSON);
    expect(await response.json()).toMatchObject({ type: "about:blank", status: 404, title: "Not Found" });
  });

  const answersInvalidAdmin =
    "answers an invalid admin body (POST /admin/api/following {}) with 400 problem+json whose field is body.target";
  it(answersInvalidAdmin, async () => {
    const response = await fetch(`${pod.url}/admin/api/following`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toMatch(PROBLEM_JSON);
    const problem = await response.json();
    expect(problem).toMatchObject({ type: "about:blank", status: 400, title: "Bad Request", field: "body.target" });
    expect(problem.detail).toMatch(/^body\.target: /);
    // Nothing was followed.
    expect((await pod.admin("GET", "/following")).body.items).toEqual([]);
  });

  it("logs each refusal once, without the body", async () => {
    const cases = [
      { id: "refusal-unsigned-0001", contentType: "application/activity+json", status: 401 },
      { id: "refusal-badjson-0002", contentType: "application/activity+json", status: 400 },
      { id: "refusal-texttype-0003", contentType: "text/plain", status: 415 },
    ];
    const markers: string[] = [];
    for (const { id, contentType, status } of cases) {
      const marker = `MARKER-${id}-${Math.random().toString(36).slice(2)}`;
      markers.push(marker);
      const activity = JSON.stringify(
        followActivity(nobody.actorId, `${nobody.actorId}/follows/${id}`, { summary: marker }),
      );
      const body = status === 400 ? `${activity.slice(0, -1)},` : activity;
      const response = await postInbox("/users/pod/inbox", body, { "content-type": contentType, "x-request-id": id });
      expect(response.status).toBe(status);
      expect(await response.text()).not.toContain(marker);
    }
    // Logs are written asynchronously by the child process: wait until the last refusal shows up.
    await expect.poll(() => pod.logs().includes(cases.at(-1)!.id), { timeout: 30_000, interval: 100 }).toBe(true);
    // One more refusal, without a marker: once its line is out, every earlier line is (one output stream).
    const flush = JSON.stringify(followActivity(nobody.actorId, `${nobody.actorId}/follows/flush`));
    expect(
      (
        await postInbox("/users/pod/inbox", flush, {
          "content-type": "application/activity+json",
          "x-request-id": "refusal-flush-0004",
        })
      ).status,
    ).toBe(401);
    await expect.poll(() => pod.logs().includes("refusal-flush-0004"), { timeout: 30_000, interval: 100 }).toBe(true);
    const logs = pod.logs();
    for (const marker of markers) expect(logs, `the body (marker ${marker}) leaked into the log`).not.toContain(marker);

    const lines = logs.split("\n").filter((line) => line.trim().startsWith("{"));
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.some((line) => line.includes("refused"))).toBe(true);
    for (const { id, status } of cases) {
      const refusals = records.filter((r) => r.reqId === id && typeof r.msg === "string" && r.msg.includes("refused"));
      expect(refusals, withLogs(`refusal log lines for request ${id}`)).toHaveLength(1);
      expect(refusals[0]).toMatchObject({ status });
    }
  });

  describe("content negotiation and discovery", () => {
    const port = () => new URL(pod.url).port;

    const getUserspodServes =
      "GET /users/pod serves an ActivityPub Group to AP clients and an HTML page naming the pod to browsers";
    it(getUserspodServes, async () => {
      const ap = await fetch(pod.actorUrl, { headers: { accept: "application/activity+json" } });
      expect(ap.status).toBe(200);
      expect(ap.headers.get("content-type")).toMatch(/^application\/(activity\+json|ld\+json)/);
      const actor = await ap.json();
      expect(actor).toMatchObject({ id: pod.actorUrl, type: "Group", preferredUsername: "pod" });

      const page = await fetch(pod.actorUrl, { headers: { accept: "text/html" } });
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toMatch(/^text\/html/);
      const html = await page.text();
      expect(html).toMatch(/^<!doctype html>/i);
      expect(html).toContain(pod.env.POD_NAME);
      expect(html).toContain(pod.handle);
    });

    it("WebFinger for acct:pod@127.0.0.1:<port> links to the actor as self", async () => {
      const resource = `acct:pod@127.0.0.1:${port()}`;
      const response = await fetch(`${pod.url}/.well-known/webfinger?resource=${encodeURIComponent(resource)}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^application\/jrd\+json/);
      const jrd = await response.json();
      expect(jrd.subject).toBe(resource);
      expect(jrd.links).toContainEqual(
        expect.objectContaining({ rel: "self", type: "application/activity+json", href: pod.actorUrl }),
      );
      // An unknown account is not found.
      const unknown = await fetch(
        `${pod.url}/.well-known/webfinger?resource=${encodeURIComponent(`acct:nobody@127.0.0.1:${port()}`)}`,
      );
      expect(unknown.status).toBe(404);
    });

    it("NodeInfo discovery links to /nodeinfo/2.1, which names the software pods speaking activitypub", async () => {
      const discovery = await (await fetch(`${pod.url}/.well-known/nodeinfo`)).json();
      const link = discovery.links.find(
        (l: { rel: string }) => l.rel === "http://nodeinfo.diaspora.software/ns/schema/2.1",
      );
      expect(link?.href).toBe(`${pod.url}/nodeinfo/2.1`);
      const response = await fetch(link.href);
      expect(response.status).toBe(200);
      const nodeinfo = await response.json();
      expect(nodeinfo.software.name).toBe("pods");
      expect(nodeinfo.protocols).toEqual(["activitypub"]);
    });

    it("host-meta is XRD XML with an lrdd template pointing at WebFinger", async () => {
      const response = await fetch(`${pod.url}/.well-known/host-meta`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/xml/);
      const xml = await response.text();
      expect(xml).toMatch(/^<\?xml /);
      expect(xml).toContain('<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">');
      const template = /<Link rel="lrdd" template="([^"]+)"\s*\/>/.exec(xml)?.[1];
      expect(template).toBe(`${pod.url}/.well-known/webfinger?resource={uri}`);
    });

    const actorDocumentCarries =
      "the actor document carries inbox, sharedInbox, collections, discoverable, an RSA publicKey and an Ed25519 " +
      "Multikey";
    it(actorDocumentCarries, async () => {
      const actor = await pod.getActivityPub(pod.actorUrl);
      expect(actor.inbox).toBe(`${pod.actorUrl}/inbox`);
      expect(actor.endpoints?.sharedInbox).toBe(`${pod.url}/inbox`);
      expect(actor.outbox).toBe(`${pod.actorUrl}/outbox`);
      expect(actor.followers).toBe(`${pod.actorUrl}/followers`);
      expect(actor.following).toBe(`${pod.actorUrl}/following`);
      expect(actor.featured).toBe(`${pod.actorUrl}/featured`);
      expect(actor.discoverable).toBe(true);

      const publicKeys = [actor.publicKey].flat().filter(Boolean);
      expect(publicKeys.length).toBeGreaterThan(0);
      const key = publicKeys[0];
      expect(key.owner).toBe(pod.actorUrl);
      expect(key.id).toMatch(new RegExp(`^${pod.actorUrl.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}#`));
      expect(createPublicKey(key.publicKeyPem).asymmetricKeyType).toBe("rsa");

      const methods = [actor.assertionMethod].flat().filter(Boolean);
      const ed25519 = methods.filter((m: { type: string; publicKeyMultibase: string }) => {
        if (m.type !== "Multikey" || !m.publicKeyMultibase?.startsWith("z")) return false;
        const bytes = base58btcDecode(m.publicKeyMultibase.slice(1));
        // Multicodec ed25519-pub (0xed 0x01) followed by the 32-byte key.
        return bytes.length === 34 && bytes[0] === 0xed && bytes[1] === 0x01;
      });
      expect(ed25519, JSON.stringify(methods)).toHaveLength(1);
      expect(ed25519[0].controller).toBe(pod.actorUrl);
    });
  });
});
