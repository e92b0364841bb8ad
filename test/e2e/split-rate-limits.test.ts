import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIGN_IN_LIMIT } from "../../src/mastodon/routes/oauth.ts";
import { ADMIN_WRONG_TOKEN_LIMIT } from "../../src/operators/auth.ts";
import { fromAddress } from "../support/loopback-client.ts";
import { TEST_ADMIN_TOKEN } from "../support/pod-process.ts";
import { startRole, type RoleProcess } from "../support/split-pod.ts";

/**
 * Two web processes of one pod, on one data directory: a client that spreads its guesses over both gets the
 * limit once, not once per process.
 */
describe("rate limits hold across the web processes of one pod", () => {
  let dataDir: string;
  let webs: RoleProcess[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "pod-split-limits-"));
    const env = {
      POD_URL: "http://127.0.0.1:9",
      DATA_DIR: dataDir,
      POD_HANDLE: "pod",
      POD_NAME: "Pod limits",
      POD_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      LOG_LEVEL: "warn",
    };
    webs = await Promise.all([startRole("web", env), startRole("web", env)]);
  });

  afterAll(async () => {
    await Promise.all(webs.map((web) => web.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("wrong operator tokens sent to both processes in turn: the limit's worth get 401, the next 429", async () => {
    const statuses: number[] = [];
    for (let i = 0; i <= ADMIN_WRONG_TOKEN_LIMIT.max; i++) {
      const web = webs[i % 2]!;
      const answer = await fromAddress("127.0.5.1", `${web.url}/admin/api/status`, {
        headers: { authorization: `Bearer wrong-${i}` },
      });
      statuses.push(answer.status);
    }
    expect(statuses).toEqual([...Array(ADMIN_WRONG_TOKEN_LIMIT.max).fill(401), 429]);
    // Even the right token, at either process, while the address is over the limit.
    for (const web of webs) {
      const answer = await fromAddress("127.0.5.1", `${web.url}/admin/api/status`, {
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      });
      expect(answer.status).toBe(429);
    }
    // Another address is counted apart.
    const other = await fromAddress("127.0.5.2", `${webs[1]!.url}/admin/api/status`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    expect(other.status).toBe(200);
  });

  it("Mastodon sign-in attempts sent to both processes in turn are counted once", async () => {
    const statuses: number[] = [];
    for (let i = 0; i <= SIGN_IN_LIMIT.max; i++) {
      const answer = await fromAddress("127.0.5.3", `${webs[i % 2]!.url}/oauth/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "password", username: "x", password: `guess-${i}` }).toString(),
      });
      statuses.push(answer.status);
    }
    expect(statuses.slice(0, -1).every((s) => s !== 429)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });
});
