import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromAddress, loopbackAddress } from "../support/loopback-client.ts";
import { TEST_ADMIN_TOKEN, startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";

const PROBLEM_JSON = /^application\/problem\+json\b/;
const TOKEN_PATTERN = /pod_[A-Za-z0-9_-]{43}/g;

let calls = 0;
/**
 * Calls the admin API with an explicit Authorization header (or none), each time from another loopback
 * address: these tests send more wrong tokens than one client address may (admin-rate-limit.test.ts).
 */
async function adminWith(
  pod: PodProcess,
  authorization: string | undefined,
  method: string,
  path: string,
  body?: unknown | string,
): Promise<{ status: number; contentType: string | null; headers: Headers; body: any; text: string }> {
  const headers: Record<string, string> = {};
  if (authorization !== undefined) headers.authorization = authorization;
  if (body !== undefined) headers["content-type"] = "application/json";
  const answer = await fromAddress(loopbackAddress(9, calls++), `${pod.url}/admin/api${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const responseHeaders = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) {
    if (typeof value === "string") responseHeaders.set(name, value);
  }
  const text = answer.text;
  const contentType = responseHeaders.get("content-type");
  return { status: answer.status, contentType, headers: responseHeaders, body: text ? JSON.parse(text) : null, text };
}

const bearer = (token: string) => `Bearer ${token}`;

describe("operator API authentication", () => {
  let pod: PodProcess;
  beforeAll(async () => {
    pod = await startPod("operator");
  });
  afterAll(async () => {
    await pod?.stop();
  });

  const routes: [string, string, unknown?][] = [
    ["GET", "/status"],
    ["GET", "/followers"],
    ["GET", "/follow-requests"],
    ["GET", "/following"],
    ["POST", "/following", { target: "@someone@example.org" }],
    ["POST", "/follow-requests/approve", { actor: "https://example.org/users/someone" }],
    ["POST", "/token/rotate"],
  ];

  it.each([
    ["no Authorization header", undefined],
    ["a wrong token", bearer("wrong-token-wrong-token-wrong-token")],
    ["an empty bearer", "Bearer "],
    ["the right token under another scheme", `Basic ${TEST_ADMIN_TOKEN}`],
    ["the right token with a suffix", bearer(`${TEST_ADMIN_TOKEN}x`)],
  ])("refuses %s with 401 problem+json on every admin route", async (_label, authorization) => {
    for (const [method, path, body] of routes) {
      const response = await adminWith(pod, authorization, method, path, body);
      expect(response.status, `${method} ${path}`).toBe(401);
      expect(response.contentType, `${method} ${path}`).toMatch(PROBLEM_JSON);
      expect(response.body).toMatchObject({ status: 401, title: "Unauthorized" });
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer\b/);
    }
    // The refused rotation did not revoke or replace anything: the seeded token still works.
    expect((await pod.admin("GET", "/status")).status).toBe(200);
  });

  it("refuses a caller without a token with 401 before looking at its input (no validation detail leaks)", async () => {
    const attempts: [string, string, string | undefined][] = [
      ["POST", "/following", "{}"],
      ["POST", "/following", '{"target": '],
      ["POST", "/follow-requests/approve", '{"actor": "not a url"}'],
      ["GET", "/followers?limit=abc", undefined],
    ];
    for (const authorization of [undefined, bearer("wrong-token-wrong-token-wrong-token")]) {
      for (const [method, path, body] of attempts) {
        const response = await adminWith(pod, authorization, method, path, body);
        const what = `${method} ${path} ${body ?? ""} (${authorization ? "wrong token" : "no token"})`;
        expect(response.status, `${what} answered: ${response.text}`).toBe(401);
        expect(response.contentType).toMatch(PROBLEM_JSON);
      }
    }
  });

  it("admits the operator token: GET /admin/api/status describes the pod", async () => {
    const response = await adminWith(pod, bearer(TEST_ADMIN_TOKEN), "GET", "/status");
    expect(response.status).toBe(200);
    expect(response.contentType).toMatch(/^application\/json/);
    const port = new URL(pod.url).port;
    expect(response.body).toMatchObject({
      handle: `@pod@127.0.0.1:${port}`,
      actor: pod.actorUrl,
      followers: 0,
      followRequests: 0,
      following: 0,
      followingPending: 0,
    });
    expect(response.body.software).toMatch(/^pods \S+/);
    // Lists answer too.
    for (const path of ["/followers", "/follow-requests", "/following"]) {
      const list = await adminWith(pod, bearer(TEST_ADMIN_TOKEN), "GET", path);
      expect(list.status, path).toBe(200);
      expect(list.body).toEqual({ items: [], nextCursor: null });
    }
  });

  const rotatesTokensNew =
    "rotates tokens: the new token works, the previous rotated one is revoked, the POD_ADMIN_TOKEN seed keeps working";
  it(rotatesTokensNew, async () => {
    const first = await adminWith(pod, bearer(TEST_ADMIN_TOKEN), "POST", "/token/rotate");
    expect(first.status).toBe(200);
    expect(first.body.token).toMatch(/^pod_[A-Za-z0-9_-]{43}$/);
    expect(first.body.token).not.toBe(TEST_ADMIN_TOKEN);
    expect((await adminWith(pod, bearer(first.body.token), "GET", "/status")).status).toBe(200);
    expect((await adminWith(pod, bearer(TEST_ADMIN_TOKEN), "GET", "/status")).status).toBe(200);

    // Rotating with the rotated token itself: a fresh token replaces it.
    const second = await adminWith(pod, bearer(first.body.token), "POST", "/token/rotate");
    expect(second.status).toBe(200);
    expect(second.body.token).toMatch(/^pod_/);
    expect(second.body.token).not.toBe(first.body.token);
    expect((await adminWith(pod, bearer(second.body.token), "GET", "/status")).status).toBe(200);
    const revoked = await adminWith(pod, bearer(first.body.token), "GET", "/status");
    expect(revoked.status).toBe(401);
    expect(revoked.contentType).toMatch(PROBLEM_JSON);
    expect((await adminWith(pod, bearer(TEST_ADMIN_TOKEN), "GET", "/status")).status).toBe(200);

    // Tokens survive a restart (they are stored, not held in memory).
    await pod.restart();
    expect((await adminWith(pod, bearer(second.body.token), "GET", "/status")).status).toBe(200);
    expect((await adminWith(pod, bearer(TEST_ADMIN_TOKEN), "GET", "/status")).status).toBe(200);
    expect((await adminWith(pod, bearer(first.body.token), "GET", "/status")).status).toBe(401);
  });

  it("never writes a token into the log", () => {
    expect(pod.logs()).not.toContain(TEST_ADMIN_TOKEN);
    expect(pod.logs().match(TOKEN_PATTERN)).toBeNull();
  });
});

describe("first start without POD_ADMIN_TOKEN", () => {
  let pod: PodProcess;
  beforeAll(async () => {
    // An empty variable counts as unset (see loadConfig).
    pod = await startPod("first-start", { POD_ADMIN_TOKEN: "" });
  });
  afterAll(async () => {
    await pod?.stop();
  });

  const runningLines = () =>
    pod
      .logs()
      .split("\n")
      .filter((line) => line.includes('"pod is running"')).length;

  it("prints a generated token once; it works; a restart does not print it (or another) again", async () => {
    await waitUntil(() => runningLines() === 1, 30_000);
    const printed = pod.logs().match(TOKEN_PATTERN) ?? [];
    expect(printed, pod.logs()).toHaveLength(1);
    const token = printed[0]!;

    // The token is the credential; the test token was never registered on this pod.
    const status = await adminWith(pod, bearer(token), "GET", "/status");
    expect(status.status).toBe(200);
    expect(status.body.actor).toBe(pod.actorUrl);
    expect((await pod.admin("GET", "/status")).status).toBe(401);

    await pod.restart();
    await waitUntil(() => runningLines() === 2, 30_000);
    // pod.logs() spans both runs: still exactly the one token from the first start.
    expect(pod.logs().match(TOKEN_PATTERN)).toEqual([token]);
    expect((await adminWith(pod, bearer(token), "GET", "/status")).status).toBe(200);
  });
});

describe("manual approval of followers (POD_APPROVE_FOLLOWERS=true)", () => {
  let approver: PodProcess;
  let follower: PodProcess;
  let rejected: PodProcess;

  beforeAll(async () => {
    [approver, follower, rejected] = await Promise.all([
      startPod("approver", { POD_APPROVE_FOLLOWERS: "true" }),
      startPod("follower"),
      startPod("rejected"),
    ]);
  });
  afterAll(async () => {
    await Promise.all([approver?.stop(), follower?.stop(), rejected?.stop()]);
  });

  const withLogs = (message: string) =>
    `${message}\n--- approver logs ---\n${approver.logs().slice(-3000)}\n--- follower logs ` +
    `---\n${follower.logs().slice(-2000)}\n--- rejected logs ---\n${rejected.logs().slice(-2000)}`;
  const actorsIn = async (pod: PodProcess, path: string): Promise<string[]> => {
    const response = await pod.admin("GET", path);
    expect(response.status).toBe(200);
    return response.body.items.map((item: { actorIri: string }) => item.actorIri);
  };
  const followingState = async (pod: PodProcess, target: PodProcess): Promise<string | undefined> => {
    const response = await pod.admin("GET", "/following");
    return response.body.items.find((item: { actorIri: string }) => item.actorIri === target.actorUrl)?.state;
  };
  const bounded = (promise: Promise<void>, what: string) =>
    promise.catch((error) => {
      throw new Error(withLogs(`${what}: ${String(error)}`));
    });

  it("the approving pod's actor says it manually approves followers", async () => {
    expect((await approver.getActivityPub(approver.actorUrl)).manuallyApprovesFollowers).toBe(true);
    expect((await follower.getActivityPub(follower.actorUrl)).manuallyApprovesFollowers).toBe(false);
  });

  const followRequestWaits =
    "a follow request waits in follow-requests, and approving it makes a follower the requester sees as accepted";
  it(followRequestWaits, async () => {
    const sent = await follower.admin("POST", "/following", { target: approver.handle });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    expect(sent.body).toMatchObject({ actorIri: approver.actorUrl, state: "pending" });

    await bounded(
      waitUntil(async () => (await actorsIn(approver, "/follow-requests")).includes(follower.actorUrl), 15_000),
      "the follow request never reached the approver",
    );
    expect(await actorsIn(approver, "/follow-requests")).toEqual([follower.actorUrl]);
    expect(await actorsIn(approver, "/followers")).toEqual([]);
    expect((await approver.getActivityPub(`${approver.actorUrl}/followers`)).totalItems).toBe(0);
    expect((await approver.admin("GET", "/status")).body).toMatchObject({ followers: 0, followRequests: 1 });
    // Not answered yet: the requester still waits.
    expect(await followingState(follower, approver)).toBe("pending");

    const approved = await approver.admin("POST", "/follow-requests/approve", { actor: follower.actorUrl });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({ actorIri: follower.actorUrl, state: "accepted" });
    expect(await actorsIn(approver, "/followers")).toEqual([follower.actorUrl]);
    expect(await actorsIn(approver, "/follow-requests")).toEqual([]);
    expect((await approver.getActivityPub(`${approver.actorUrl}/followers`)).totalItems).toBe(1);

    await bounded(
      waitUntil(async () => (await followingState(follower, approver)) === "accepted", 15_000),
      "the requester never saw the Accept",
    );
    expect((await follower.admin("GET", "/status")).body).toMatchObject({ following: 1, followingPending: 0 });
  });

  it("approving again, or approving an actor that never asked, is a problem (409 / 404), not a change", async () => {
    const again = await approver.admin("POST", "/follow-requests/approve", { actor: follower.actorUrl });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ status: 409 });
    const stranger = await approver.admin("POST", "/follow-requests/approve", {
      actor: "http://127.0.0.1:1/users/stranger",
    });
    expect(stranger.status).toBe(404);
    expect(stranger.body).toMatchObject({ status: 404 });
    const invalid = await approver.admin("POST", "/follow-requests/approve", { actor: "not a url" });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({ status: 400, field: "body.actor" });
    expect(await actorsIn(approver, "/followers")).toEqual([follower.actorUrl]);
  });

  it("a rejected follow request leaves no follower and ends as rejected at the requester", async () => {
    const sent = await rejected.admin("POST", "/following", { target: approver.handle });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    await bounded(
      waitUntil(async () => (await actorsIn(approver, "/follow-requests")).includes(rejected.actorUrl), 15_000),
      "the follow request never reached the approver",
    );
    expect(await actorsIn(approver, "/followers")).not.toContain(rejected.actorUrl);

    const refused = await approver.admin("POST", "/follow-requests/reject", { actor: rejected.actorUrl });
    expect(refused.status, JSON.stringify(refused.body)).toBe(200);
    expect(refused.body).toMatchObject({ actorIri: rejected.actorUrl });
    expect(await actorsIn(approver, "/follow-requests")).toEqual([]);
    expect(await actorsIn(approver, "/followers")).toEqual([follower.actorUrl]);

    await bounded(
      waitUntil(async () => (await followingState(rejected, approver)) === "rejected", 15_000),
      "the requester never saw the Reject",
    );
    expect((await rejected.admin("GET", "/status")).body).toMatchObject({ following: 0 });
    expect((await approver.getActivityPub(`${approver.actorUrl}/followers`)).totalItems).toBe(1);
  });
});
