/**
 * The practices room over HTTP, against a real pod process.
 * Needs the wiring in src/app.ts, src/pod.ts, src/federation/federation.ts and src/federation/actor.ts,
 * and the migration that creates the `practices` table.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectionItems, startPod, type PodProcess } from "../support/pod-process.ts";

const PROBLEM_JSON = /^application\/problem\+json\b/;
const UNKNOWN_ID = "01963c6e-7a4b-7c3d-8e9f-0123456789ab";

const valid = (overrides: Record<string, unknown> = {}) => ({
  title: "Saturday bakery route",
  summary: "Three bakeries, one cargo bike: 40 kg of bread saved every week.",
  body: "Start at **Rosa's** before 8.\n\n- Rosa's\n- Corner bakery\n\n<script>alert(1)</script>",
  tags: ["food", "logistics"],
  problem: "Bread was thrown away at closing time.",
  outcomes: "40 kg a week redistributed.",
  language: "en",
  ...overrides,
});

describe("practices", () => {
  let pod: PodProcess;
  const practiceUrl = (id: string) => `${pod.url}/practices/${id}`;
  const collectionUrl = () => `${pod.actorUrl.replace(/\/users\/pod$/, "")}/users/pod/practices`;
  const listIds = async () => ((await pod.admin("GET", "/practices")).body.items as { id: string }[]).map((p) => p.id);
  const fetchAs = (url: string, accept: string, init: RequestInit = {}) =>
    fetch(url, { ...init, headers: { accept, ...init.headers } });

  beforeAll(async () => {
    pod = await startPod("practices");
  });
  afterAll(async () => {
    await pod?.stop();
  });

  it("creates a practice (201) served at its id as an ActivityPub Article", async () => {
    const created = await pod.admin("POST", "/practices", valid());
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      title: "Saturday bakery route",
      tags: ["food", "logistics"],
      status: "published",
      adaptedFrom: null,
    });
    const id: string = created.body.id;

    const response = await fetchAs(practiceUrl(id), "application/activity+json");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/activity\+json/);
    const article = await response.json();
    expect(article).toMatchObject({
      type: "Article",
      id: practiceUrl(id),
      url: practiceUrl(id),
      attributedTo: pod.actorUrl,
      name: "Saturday bakery route",
      summary: "Three bakeries, one cargo bike: 40 kg of bread saved every week.",
      to: "as:Public",
      cc: `${pod.actorUrl}/followers`,
    });
    expect(article.content).toContain("<strong>Rosa's</strong>");
    expect(article.content).not.toMatch(/<script/i);
    expect(article.content).toContain("<h2>Problem</h2>");
    expect(article.contentMap).toEqual({ en: article.content });
    expect([article.tag].flat()).toContainEqual({ type: "Hashtag", name: "#food", href: `${pod.url}/tags/food` });

    // The admin API shows it too.
    const one = await pod.admin("GET", `/practices/${id}`);
    expect(one.status).toBe(200);
    expect(one.body.id).toBe(id);
  });

  it("serves an HTML page to browsers with every user text escaped", async () => {
    const created = await pod.admin(
      "POST",
      "/practices",
      valid({
        title: "<script>x</script>",
        summary: '<img src=x onerror="alert(1)">',
        problem: "<b>bold?</b>",
        body: "Fine <script>y()</script>",
      }),
    );
    expect(created.status).toBe(201);
    const response = await fetchAs(practiceUrl(created.body.id), "text/html");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const page = await response.text();
    expect(page).toMatch(/^<!doctype html>/i);
    // Preact's escaping: `<`, `&` and `"` (a `>` alone opens nothing).
    expect(page).toContain("&lt;script>x&lt;/script>");
    expect(page).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;>");
    expect(page).toContain("&lt;b>bold?&lt;/b>");
    expect(page).not.toContain("<script>");
    expect(page).not.toMatch(/<img/i);
  });

  it("PATCH changes only the given fields and the Article shows the edit", async () => {
    const created = await pod.admin("POST", "/practices", valid({ adaptedFrom: "https://other.example/practices/1" }));
    const id: string = created.body.id;
    const patched = await pod.admin("PATCH", `/practices/${id}`, {
      title: "Saturday and Sunday bakery route",
      tags: ["food"],
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({
      title: "Saturday and Sunday bakery route",
      summary: valid().summary,
      tags: ["food"],
      adaptedFrom: "https://other.example/practices/1",
    });
    expect(patched.body.updatedAt >= patched.body.createdAt).toBe(true);

    const article = await pod.getActivityPub(practiceUrl(id));
    expect(article.name).toBe("Saturday and Sunday bakery route");
    const tags = [article.tag].flat();
    expect(tags).toContainEqual({ type: "Hashtag", name: "#food", href: `${pod.url}/tags/food` });
    expect(tags).toContainEqual({
      type: "Link",
      href: "https://other.example/practices/1",
      mediaType: 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
      name: "Adapted from",
    });

    // adaptedFrom: null clears the link.
    const cleared = await pod.admin("PATCH", `/practices/${id}`, { adaptedFrom: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body.adaptedFrom).toBeNull();
    expect(
      [(await pod.getActivityPub(practiceUrl(id))).tag].flat().some((t: { type: string }) => t?.type === "Link"),
    ).toBe(false);
  });

  it.each([
    ["an empty title", valid({ title: "   " }), "body.title"],
    ["a missing summary", { title: "x" }, "body.summary"],
    ["an adaptedFrom that is not a URL", valid({ adaptedFrom: "not a url" }), "body.adaptedFrom"],
    ["an adaptedFrom that is not http(s)", valid({ adaptedFrom: "ftp://other.example/p/1" }), "body.adaptedFrom"],
    ["11 tags", valid({ tags: Array.from({ length: 11 }, (_, i) => `tag${i}`) }), "body.tags"],
    ["a tag with a space", valid({ tags: ["two words"] }), "body.tags.0"],
    ["a body over 20000 characters", valid({ body: "x".repeat(20001) }), "body.body"],
    ["a bad language tag", valid({ language: "English" }), "body.language"],
  ])("refuses %s with 400 problem+json naming the field, storing nothing", async (_label, body, field) => {
    const before = await listIds();
    const response = await fetch(`${pod.url}/admin/api/practices`, {
      method: "POST",
      headers: { authorization: `Bearer ${pod.env.POD_ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toMatch(PROBLEM_JSON);
    expect(await response.json()).toMatchObject({ status: 400, title: "Bad Request", field });
    expect(await listIds()).toEqual(before);
  });

  it("refuses unknown fields (strict) on create and patch", async () => {
    const before = await listIds();
    const create = await pod.admin("POST", "/practices", valid({ status: "withdrawn" }));
    expect(create.status).toBe(400);
    expect(await listIds()).toEqual(before);

    const id = (await pod.admin("POST", "/practices", valid())).body.id;
    const patch = await pod.admin("PATCH", `/practices/${id}`, { id: UNKNOWN_ID });
    expect(patch.status).toBe(400);
    const badPatch = await pod.admin("PATCH", `/practices/${id}`, { title: "" });
    expect(badPatch.status).toBe(400);
    expect(badPatch.body.field).toBe("body.title");
    expect((await pod.admin("GET", `/practices/${id}`)).body.title).toBe(valid().title);
  });

  it("withdraw: the id answers 410 with a Tombstone, edits get 409, the admin API still shows it", async () => {
    const id: string = (await pod.admin("POST", "/practices", valid({ title: "To withdraw" }))).body.id;
    const withdrawn = await pod.admin("POST", `/practices/${id}/withdraw`);
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.status).toBe("withdrawn");

    const ap = await fetchAs(practiceUrl(id), "application/activity+json");
    expect(ap.status).toBe(410);
    expect(await ap.json()).toMatchObject({ type: "Tombstone", id: practiceUrl(id), formerType: "as:Article" });
    const html = await fetchAs(practiceUrl(id), "text/html");
    expect(html.status).toBe(410);

    const patch = await pod.admin("PATCH", `/practices/${id}`, { title: "Back again" });
    expect(patch.status).toBe(409);
    expect(patch.body).toMatchObject({ status: 409, title: "Conflict" });
    expect((await pod.admin("POST", `/practices/${id}/withdraw`)).status).toBe(409);
    expect((await pod.admin("GET", `/practices/${id}`)).body).toMatchObject({
      status: "withdrawn",
      title: "To withdraw",
    });
    expect(
      (await pod.admin("GET", "/practices?status=withdrawn")).body.items.map((p: { id: string }) => p.id),
    ).toContain(id);
  });

  it("answers an unknown id with 404 (admin and public) and a malformed id with 400", async () => {
    for (const [method, path, body] of [
      ["GET", `/practices/${UNKNOWN_ID}`, undefined],
      ["PATCH", `/practices/${UNKNOWN_ID}`, { title: "x" }],
      ["POST", `/practices/${UNKNOWN_ID}/withdraw`, undefined],
    ] as const) {
      const response = await pod.admin(method, path, body);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.body).toMatchObject({ status: 404 });
    }
    const ap = await fetchAs(practiceUrl(UNKNOWN_ID), "application/activity+json");
    expect(ap.status).toBe(404);
    expect(ap.headers.get("content-type")).toMatch(PROBLEM_JSON);
    expect((await fetchAs(practiceUrl("not-a-uuid"), "text/html")).status).toBe(400);
  });

  it("the practices collection lists the current ones, newest first, and the actor links it", async () => {
    const admin = await pod.admin("GET", "/practices?limit=200");
    const current = (admin.body.items as { id: string; status: string }[])
      .filter((p) => p.status !== "withdrawn")
      .map((p) => practiceUrl(p.id));
    expect(current.length).toBeGreaterThan(0);

    const collection = await pod.getActivityPub(collectionUrl());
    expect(collection.type).toBe("OrderedCollection");
    expect(collection.totalItems).toBe(current.length);
    expect(await collectionItems(pod, collectionUrl())).toEqual(current);

    const actor = await pod.getActivityPub(pod.actorUrl);
    expect([actor.streams].flat()).toContain(collectionUrl());
  });

  const outboxListsWhat =
    "the outbox lists what people read of a practice: its Note's Create while it stands, its Delete once withdrawn";
  it(outboxListsWhat, async () => {
    const id: string = (await pod.admin("POST", "/practices", valid({ title: "Outbox check" }))).body.id;
    await pod.admin("PATCH", `/practices/${id}`, { summary: "Changed." });
    const listed = async () => await collectionItems(pod, `${pod.actorUrl}/outbox`);
    const about = (items: string[]) => items.filter((item) => item.startsWith(practiceUrl(id)));
    // One Create, of the Note (carrying the edit); the Article is for pods, which read /practices.
    expect(about(await listed()).map((item) => item.replace(/-[0-9a-f-]{36}$/, ""))).toEqual([
      `${practiceUrl(id)}/note#create`,
    ]);
    await pod.admin("POST", `/practices/${id}/withdraw`);
    expect(about(await listed()).map((item) => item.replace(/-[0-9a-f-]{36}$/, ""))).toEqual([
      `${practiceUrl(id)}/note#delete`,
    ]);
  });
});
