import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPod, TEST_ADMIN_TOKEN, type PodProcess } from "../support/pod-process.ts";

/** The same fields as a urlencoded form, a JSON object (keys kept literally) and a multipart form. */
type Encoding = "form" | "json" | "multipart";
const ENCODINGS: Encoding[] = ["form", "json", "multipart"];

function encode(
  fields: [string, string][],
  encoding: Encoding,
): { headers: Record<string, string>; body: string | FormData } {
  if (encoding === "form")
    return {
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    };
  if (encoding === "json") {
    const text = `{${fields.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`).join(",")}}`;
    return { headers: { "content-type": "application/json" }, body: text };
  }
  const form = new FormData();
  for (const [key, value] of fields) form.append(key, value);
  return { headers: {}, body: form };
}

const APP_FIELDS: [string, string][] = [
  ["client_name", "innocent app"],
  ["redirect_uris", "https://app.example/cb"],
];

describe("input keys never reach Object.prototype (issue 9, item 1), through the real pod process", () => {
  let pod: PodProcess;
  const get = (path: string, headers: Record<string, string> = {}) => fetch(new URL(path, pod.url), { headers });
  const registerApp = async (extra: [string, string][], encoding: Encoding) => {
    const { headers, body } = encode([...APP_FIELDS, ...extra], encoding);
    const response = await fetch(new URL("/api/v1/apps", pod.url), { method: "POST", headers, body });
    return { status: response.status, body: await response.json() };
  };

  /** What everybody sees of the pod: its actor document, the admin API, the inbox and the Mastodon API. */
  async function podStillWorks() {
    const actor = await get("/users/pod", { accept: "application/activity+json" });
    expect(actor.status).toBe(200);
    expect(actor.headers.get("content-type")).toMatch(/^application\/activity\+json/);
    expect((await actor.json()).id).toBe(pod.actorUrl);
    const status = await get("/admin/api/status", { authorization: `Bearer ${TEST_ADMIN_TOKEN}` });
    expect([status.status, status.headers.get("content-type")]).toEqual([200, "application/json; charset=utf-8"]);
    expect((await get("/admin/api/status")).status).toBe(401);
    const inbox = await fetch(new URL("/users/pod/inbox", pod.url), {
      method: "POST",
      headers: { "content-type": "application/activity+json" },
      body: JSON.stringify({
        "@context": "https://www.w3.org/ns/activitystreams",
        id: "https://elsewhere.example/a/1",
        type: "Follow",
        actor: "https://elsewhere.example/u",
        object: pod.actorUrl,
      }),
    });
    expect(inbox.status).toBe(401);
    expect((await get("/api/v1/notifications")).status).toBe(401);
    expect((await get("/api/v1/instance")).status).toBe(200);
  }

  beforeAll(async () => {
    pod = await startPod("proto", { LOG_LEVEL: "warn" });
  });
  afterAll(async () => {
    await pod?.stop();
  });

  it("baseline: the pod works and Rails-style keys still nest", async () => {
    await podStillWorks();
    for (const encoding of ENCODINGS) {
      const nested = await registerApp(
        [
          ["scopes", "read"],
          ["redirect_uris[]", "https://app.example/other"],
        ],
        encoding,
      );
      expect(nested.status, encoding).toBe(200);
    }
  });

  it("__proto__[oauthToken][…] in any encoding is a 400 naming the field; token-less stays 401", async () => {
    const forged: [string, string][] = [
      ["__proto__[oauthToken][operator]", "1"],
      ["__proto__[oauthToken][scopes]", "read write follow"],
      ["__proto__[oauthToken][appId]", "1"],
    ];
    for (const encoding of ENCODINGS) {
      const answer = await registerApp(forged, encoding);
      // The damage first (the direct messages of the pod without a token), then the answer itself.
      const notifications = await get("/api/v1/notifications");
      expect(notifications.status, encoding).toBe(401);
      expect(answer.status, encoding).toBe(400);
      expect(answer.body.error, encoding).toMatch(/__proto__\[oauthToken\]/);
    }
    await podStillWorks();
  });

  it("harmless-looking hostile keys are refused and break nothing for anyone afterwards", async () => {
    const hostile = [
      "a[__proto__][x]",
      "__proto__[content-type]",
      "__proto__",
      "constructor[prototype][x]",
      "a[constructor][prototype]",
      "scopes[prototype]",
    ];
    const statuses: Record<string, number> = {};
    for (const encoding of ENCODINGS) {
      for (const key of hostile)
        statuses[`${encoding} ${key}`] = (await registerApp([[key, "text/plain"]], encoding)).status;
    }
    // Form keys on the OAuth endpoints go through the same parser.
    const token = await fetch(new URL("/oauth/token", pod.url), {
      method: "POST",
      body: new URLSearchParams({ grant_type: "client_credentials", "__proto__[operator]": "1" }),
    });
    statuses["form /oauth/token __proto__[operator]"] = token.status;
    await podStillWorks();
    for (const [what, status] of Object.entries(statuses)) expect(status, what).toBe(400);
  });
});
