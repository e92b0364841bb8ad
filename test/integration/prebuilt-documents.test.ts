/**
 * The actor document, WebFinger and NodeInfo are served from prebuilt bytes (src/federation/prebuilt-documents.ts):
 * over real HTTP to a whole pod on 127.0.0.1, they must equal what Fedify builds afresh, follow the
 * charter (NodeInfo: posts and followers, whoever writes them), answer If-None-Match with 304, and leave
 * browsers to Fastify's HTML routes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openMigratedDatabase } from "../../src/db/client.ts";
import { followsWriters } from "../support/follows.ts";
import { startInProcessPod, type InProcessPod } from "../support/in-process-pod.ts";
import { sqliteRoomDb } from "../../src/db/room-db-sqlite.ts";

const AP = "application/activity+json";
const MASTODON_ACCEPT =
  'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"';
const BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
const TOKEN = "test-operator-token-0123456789abcdef";

let pod: InProcessPod;

beforeAll(async () => {
  pod = await startInProcessPod();
}, 60_000);

afterAll(async () => {
  await pod?.close();
});

/** What Fedify answers right now, built from the current facts (no cache, no Fastify). */
async function freshBuild(path: string, accept: string): Promise<string> {
  const response = await pod.pod.federation.fetch(new Request(new URL(path, pod.url), { headers: { accept } }), {
    contextData: null,
  });
  expect(response.status).toBe(200);
  return response.text();
}

const get = (path: string, headers: Record<string, string> = {}) => fetch(new URL(path, pod.url), { headers });

async function publishCharter(serviceName: string): Promise<void> {
  const response = await fetch(`${pod.url}/admin/api/charter`, {
    method: "PUT",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({
      changeNote: `Now with ${serviceName}`,
      services: [
        {
          key: "pantry",
          name: serviceName,
          description: "Food for all.",
          category: "food",
          schedule: "Saturdays",
          area: "Riverside",
          languages: ["en"],
        },
      ],
      planned: [],
    }),
  });
  expect(response.status).toBeLessThan(300);
}

describe("prebuilt actor document", () => {
  it("is byte-identical to a fresh Fedify build, on the first and on later requests, with an ETag", async () => {
    const fresh = await freshBuild("/users/pod", AP);
    for (let i = 0; i < 3; i++) {
      const response = await get("/users/pod", { accept: AP });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^application\/activity\+json/);
      expect(response.headers.get("vary")).toMatch(/accept/i);
      expect(response.headers.get("etag")).toMatch(/^"[\w-]+"$/);
      expect(await response.text()).toBe(fresh);
    }
  });

  it("answers If-None-Match with 304 and no body; another tag gets the document", async () => {
    const first = await get("/users/pod", { accept: MASTODON_ACCEPT });
    const etag = first.headers.get("etag")!;
    const body = await first.text();
    const again = await get("/users/pod", { accept: MASTODON_ACCEPT, "if-none-match": etag });
    expect(again.status).toBe(304);
    expect(again.headers.get("etag")).toBe(etag);
    expect(await again.text()).toBe("");
    const listed = await get("/users/pod", { accept: MASTODON_ACCEPT, "if-none-match": `"other", W/${etag}` });
    expect(listed.status).toBe(304);
    const stale = await get("/users/pod", { accept: MASTODON_ACCEPT, "if-none-match": '"not-this-one"' });
    expect(stale.status).toBe(200);
    expect(await stale.text()).toBe(body);
  });

  it("changes when a charter is published: new profile fields, new ETag, equal to a fresh build", async () => {
    const before = await get("/users/pod", { accept: AP });
    const beforeBody = await before.text();
    expect(beforeBody).not.toContain("Riverside soup pantry");
    await publishCharter("Riverside soup pantry");
    const after = await get("/users/pod", { accept: AP });
    const afterBody = await after.text();
    expect(afterBody).toContain("Riverside soup pantry");
    expect(afterBody).toBe(await freshBuild("/users/pod", AP));
    expect(after.headers.get("etag")).not.toBe(before.headers.get("etag"));
    const conditional = await get("/users/pod", { accept: AP, "if-none-match": before.headers.get("etag")! });
    expect(conditional.status).toBe(200);

    await publishCharter("Harbour tool pantry");
    const third = await (await get("/users/pod", { accept: AP })).text();
    expect(third).toContain("Harbour tool pantry");
    expect(third).not.toContain("Riverside soup pantry");
    expect(third).toBe(await freshBuild("/users/pod", AP));
  });

  it("leaves browsers to Fastify's HTML profile, before and after the AP document is cached", async () => {
    const html = await get("/users/pod", { accept: BROWSER_ACCEPT });
    await get("/users/pod", { accept: AP });
    const again = await get("/users/pod", { accept: BROWSER_ACCEPT });
    for (const response of [html, again]) {
      expect(response.headers.get("content-type") ?? "").not.toMatch(/activity\+json/);
    }
    expect(again.status).toBe(html.status);
    expect(await again.text()).toBe(await html.text());
    // An actor this pod does not have is not invented by the cache.
    expect((await get("/users/someone-else", { accept: AP })).status).toBe(404);
  });

  it("answers HEAD with the document's headers", async () => {
    const response = await fetch(new URL("/users/pod", pod.url), { method: "HEAD", headers: { accept: AP } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/activity\+json/);
  });
});

describe("prebuilt WebFinger", () => {
  const host = () => new URL(pod.url).host;

  it("is byte-identical to a fresh Fedify build for the acct: and the actor URI resources, with 304", async () => {
    for (const resource of [`acct:pod@${host()}`, `${pod.url}/users/pod`]) {
      const path = `/.well-known/webfinger?resource=${encodeURIComponent(resource)}`;
      const fresh = await freshBuild(path, "application/jrd+json");
      const first = await get(path);
      const second = await get(path);
      expect(first.status).toBe(200);
      expect(first.headers.get("content-type")).toMatch(/^application\/jrd\+json/);
      expect(await first.text()).toBe(fresh);
      expect(await second.text()).toBe(fresh);
      const etag = second.headers.get("etag")!;
      expect((await get(path, { "if-none-match": etag })).status).toBe(304);
    }
  });

  it("still answers 404 for an account the pod does not have", async () => {
    const path = `/.well-known/webfinger?resource=${encodeURIComponent(`acct:nobody@${host()}`)}`;
    expect((await get(path)).status).toBe(404);
    expect((await get(path)).status).toBe(404);
  });
});

describe("prebuilt NodeInfo", () => {
  const nodeInfo = async () => {
    const response = await get("/nodeinfo/2.1");
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toBe(await freshBuild("/nodeinfo/2.1", "application/json"));
    return { text, etag: response.headers.get("etag"), body: JSON.parse(text) };
  };

  it("is byte-identical to a fresh build, with an ETag and 304; the discovery document too", async () => {
    const first = await nodeInfo();
    const second = await nodeInfo();
    expect(second.etag).toBe(first.etag);
    expect((await get("/nodeinfo/2.1", { "if-none-match": first.etag! })).status).toBe(304);
    const discovery = await get("/.well-known/nodeinfo");
    expect(await discovery.text()).toBe(await freshBuild("/.well-known/nodeinfo", "application/json"));
  });

  it("counts a post published through the API at once", async () => {
    const before = await nodeInfo();
    const response = await fetch(`${pod.url}/admin/api/offers`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "Apples", category: "food", quantity: 5, unit: "kg", area: { name: "Riverside" } }),
    });
    expect(response.status).toBe(201);
    const after = await nodeInfo();
    expect(after.body.usage.localPosts).toBe(before.body.usage.localPosts + 1);
    expect(after.etag).not.toBe(before.etag);
  });

  it("follows followers written by another connection to the pod's file (as the CLI writes)", async () => {
    const other = openMigratedDatabase(pod.pod.deps.config.databasePath);
    try {
      const actor = {
        actorIri: "https://far.example/users/ana",
        handle: "@ana@far.example",
        inbox: "https://far.example/users/ana/inbox",
        sharedInbox: null,
      };
      expect((await nodeInfo()).body.metadata.followers).toBe(0);
      const writers = followsWriters(sqliteRoomDb(other.sqlite));
      await writers.recordFollower(actor, "https://far.example/follows/1", "pending", new Date());
      expect((await nodeInfo()).body.metadata.followers).toBe(0);
      await writers.acceptFollower(actor.actorIri, new Date());
      expect((await nodeInfo()).body.metadata.followers).toBe(1);
      await writers.removeFollower(actor.actorIri);
      expect((await nodeInfo()).body.metadata.followers).toBe(0);
    } finally {
      other.close();
    }
  });
});
