import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIGN_IN_LIMIT } from "../../src/mastodon/routes/oauth.ts";
import { ADMIN_WRONG_TOKEN_LIMIT } from "../../src/operators/auth.ts";
import { startInProcessPod, type InProcessPod } from "../support/in-process-pod.ts";
import { fromAddress } from "../support/loopback-client.ts";
import { TEST_ADMIN_TOKEN } from "../support/pod-process.ts";

const adminStatus = (pod: InProcessPod, address: string, token: string, headers: Record<string, string> = {}) =>
  fromAddress(address, `${pod.url}/admin/api/status`, { headers: { authorization: `Bearer ${token}`, ...headers } });

/** A different X-Forwarded-For on every request, as a client would send to dodge a per-address limit. */
const forwardedFor = (i: number) => ({ "x-forwarded-for": `198.51.100.${i % 250}` });

describe("the admin API limits wrong operator tokens per client address (issue 9, item 12)", () => {
  let pod: InProcessPod;
  beforeAll(async () => {
    pod = await startInProcessPod();
  });
  afterAll(async () => {
    await pod?.close();
  });

  it("300 wrong tokens at once: 429s start, then even the right token from that address is 429", async () => {
    // (so a guess that happens to be right is not told apart)
    const answers = await Promise.all(
      Array.from({ length: 300 }, (_, i) => adminStatus(pod, "127.0.3.1", `wrong-token-${i}`)),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(ADMIN_WRONG_TOKEN_LIMIT.max);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    const blocked = await adminStatus(pod, "127.0.3.1", TEST_ADMIN_TOKEN);
    expect(blocked.status).toBe(429);
    expect(blocked.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(blocked.text)).toMatchObject({ status: 429, field: "authorization" });
    expect(Number(blocked.headers["retry-after"])).toBeGreaterThan(0);
    // Another address is another client: its right token works, its wrong one is a plain 401.
    expect((await adminStatus(pod, "127.0.3.2", TEST_ADMIN_TOKEN)).status).toBe(200);
    expect((await adminStatus(pod, "127.0.3.2", "wrong")).status).toBe(401);
  });

  it(`${ADMIN_WRONG_TOKEN_LIMIT.max} wrong tokens a window get 401, the next 429; right ones never count`, async () => {
    for (let i = 0; i < 50; i++) expect((await adminStatus(pod, "127.0.4.1", TEST_ADMIN_TOKEN)).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i <= ADMIN_WRONG_TOKEN_LIMIT.max; i++)
      statuses.push((await adminStatus(pod, "127.0.4.1", `wrong-${i}`)).status);
    expect(statuses).toEqual([...Array(ADMIN_WRONG_TOKEN_LIMIT.max).fill(401), 429]);
  });

  it("by default X-Forwarded-For from loopback is not believed: rotating it resets neither limiter", async () => {
    const admin: number[] = [];
    for (let i = 0; i <= ADMIN_WRONG_TOKEN_LIMIT.max; i++)
      admin.push((await adminStatus(pod, "127.0.0.1", `wrong-${i}`, forwardedFor(i))).status);
    expect(admin.at(-1)).toBe(429);
    const signIn: number[] = [];
    for (let i = 0; i <= SIGN_IN_LIMIT.max; i++) {
      const answer = await fromAddress("127.0.0.1", `${pod.url}/oauth/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...forwardedFor(i) },
        body: new URLSearchParams({
          grant_type: "client_credentials",
          client_id: "guess",
          client_secret: `guess-${i}`,
        }).toString(),
      });
      signIn.push(answer.status);
    }
    expect(signIn.slice(0, SIGN_IN_LIMIT.max).every((s) => s === 401)).toBe(true);
    expect(signIn.at(-1)).toBe(429);
  });
});

describe("with POD_TRUST_PROXY naming the proxy, its X-Forwarded-For names the client (and nobody else's does)", () => {
  let pod: InProcessPod;
  beforeAll(async () => {
    pod = await startInProcessPod({ env: { POD_TRUST_PROXY: "127.0.0.1" } });
  });
  afterAll(async () => {
    await pod?.close();
  });

  it("each client behind the proxy has its own budget; a client that is not the proxy cannot pick one", async () => {
    const viaProxy: number[] = [];
    for (let i = 0; i <= ADMIN_WRONG_TOKEN_LIMIT.max + 5; i++)
      viaProxy.push((await adminStatus(pod, "127.0.0.1", `wrong-${i}`, forwardedFor(i))).status);
    expect(viaProxy.every((s) => s === 401)).toBe(true);
    const direct: number[] = [];
    for (let i = 0; i <= ADMIN_WRONG_TOKEN_LIMIT.max; i++)
      direct.push((await adminStatus(pod, "127.0.6.1", `wrong-${i}`, forwardedFor(i))).status);
    expect(direct.at(-1)).toBe(429);
  });
});
