/**
 * The People's Service Charter over HTTP, against a real pod process: revisions, monthly reviews,
 * the public Article with its service Proposals, history, tombstoned services, featured and profile.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { monthAfter } from "../../src/charters/service.ts";
import { collectionItems, startPod, type PodProcess } from "../support/pod-process.ts";

const PROBLEM_JSON = /^application\/problem\+json\b/;
const DAY = 24 * 60 * 60 * 1000;

/** The same day of the next month (clamped to that month's last day), same time of day, UTC. */
function oneMonthAfter(iso: string): string {
  const d = new Date(iso);
  const year = d.getUTCFullYear() + (d.getUTCMonth() === 11 ? 1 : 0);
  const month = (d.getUTCMonth() + 1) % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(
    Date.UTC(
      year,
      month,
      Math.min(d.getUTCDate(), lastDay),
      d.getUTCHours(),
      d.getUTCMinutes(),
      d.getUTCSeconds(),
      d.getUTCMilliseconds(),
    ),
  ).toISOString();
}

const service = (key: string, overrides: Record<string, unknown> = {}) => ({
  key,
  name: `Service ${key}`,
  description: `What ${key} does.`,
  category: "food",
  schedule: "Saturdays 10:00–12:00",
  area: "Riverside",
  languages: ["en"],
  ...overrides,
});

const planned = (key: string, overrides: Record<string, unknown> = {}) => ({
  key,
  name: `Planned ${key}`,
  category: "tools",
  target: "2027-Q2",
  needs: { people: 3, skills: ["carpentry"], materials: ["shelving"] },
  ...overrides,
});

/** Revision 1: a pantry, rides (paused) and a bike repair café; a tool library planned. */
const REVISION_1 = {
  changeNote: "First charter, agreed at the March assembly.",
  services: [
    service("pantry", { name: "Community pantry" }),
    service("rides", { name: "Rides to the clinic", category: "transport", status: "paused" }),
    service("bike-repair", { name: "Bike repair café", category: "repair" }),
  ],
  planned: [planned("tool-library", { name: "Tool library" })],
};

/** Revision 2: the pantry stays, a soup kitchen starts, rides and bike repair are dropped. */
const REVISION_2 = {
  changeNote: "Soup kitchen started; rides and bike repair ended.",
  services: [
    service("pantry", { name: "Community pantry" }),
    service("soup", { name: "Soup kitchen", category: "meals" }),
  ],
  planned: [planned("tool-library", { name: "Tool library" })],
};

describe("reviewDue arithmetic", () => {
  // The pod's clock cannot be set from outside, so the month edges are checked here directly.
  it.each([
    ["2026-11-27T04:08:27.651Z", "2026-12-27T04:08:27.651Z"],
    ["2026-12-15T10:00:00.000Z", "2027-01-15T10:00:00.000Z"],
    ["2027-01-31T23:59:59.999Z", "2027-02-28T23:59:59.999Z"],
    ["2028-01-31T08:00:00.000Z", "2028-02-29T08:00:00.000Z"],
    ["2027-03-31T12:00:00.000Z", "2027-04-30T12:00:00.000Z"],
    ["2027-02-28T12:00:00.000Z", "2027-03-28T12:00:00.000Z"],
  ])("one month after %s is %s", (from, due) => {
    expect(monthAfter(from)).toBe(due);
    expect(oneMonthAfter(from)).toBe(due);
  });
});

describe("the People's Service Charter", () => {
  let pod: PodProcess;
  const charterUrl = () => `${pod.url}/charter`;
  const serviceUrl = (key: string) => `${pod.url}/charter/services/${key}`;
  const fetchAs = (url: string, accept: string) => fetch(url, { headers: { accept } });
  const revisionCount = async () => ((await pod.admin("GET", "/charter/revisions")).body.items as unknown[]).length;
  const profileFields = async () => {
    const actor = await pod.getActivityPub(pod.actorUrl);
    expect(Array.isArray(actor.attachment), "attachment is a JSON array").toBe(true);
    return actor.attachment as { type: string; name: string; value: string }[];
  };

  const call = (method: string, path: string, body?: unknown) => pod.admin(method, path, body);

  let first: any;
  let second: any;

  beforeAll(async () => {
    pod = await startPod("charter-api");
  });
  afterAll(async () => {
    await pod?.stop();
  });

  it("before any charter: 404 to the admin API and to pods, a page saying it is coming to people, no featured items", async () => {
    const admin = await call("GET", "/charter");
    expect(admin.status).toBe(404);
    expect(admin.contentType).toMatch(PROBLEM_JSON);
    expect(admin.body).toMatchObject({ status: 404, title: "Not Found" });
    expect((await call("GET", "/charter/revisions")).body).toEqual({ items: [] });
    expect((await call("GET", "/charter/revisions/1")).status).toBe(404);
    expect((await call("POST", "/charter/review")).status).toBe(404);

    const ap = await fetchAs(charterUrl(), "application/activity+json");
    expect(ap.status).toBe(404);
    expect(ap.headers.get("content-type")).toMatch(PROBLEM_JSON);
    // People read that the charter is coming (every page links it), in their language.
    const page = await fetch(charterUrl(), { headers: { accept: "text/html", "accept-language": "es" } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Este pod aún no ha publicado su carta");
    expect((await fetchAs(`${charterUrl()}/note`, "application/activity+json")).status).toBe(404);

    expect(await collectionItems(pod, `${pod.actorUrl}/featured`)).toEqual([]);
    expect((await profileFields()).map((f) => f.name)).not.toContain("Services");
  });

  it("PUT publishes revision 1 (201) with reviewDue one month after reviewedAt", async () => {
    const before = Date.now();
    const response = await call("PUT", "/charter", REVISION_1);
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    first = response.body;
    expect(first).toMatchObject({ number: 1, changeNote: REVISION_1.changeNote });
    expect(first.services.map((s: { key: string }) => s.key)).toEqual(["pantry", "rides", "bike-repair"]);
    // Defaults are filled in.
    expect(first.services[0]).toMatchObject({ status: "active", languages: ["en"] });
    expect(first.planned[0]).toMatchObject({
      key: "tool-library",
      target: "2027-Q2",
      needs: { people: 3, skills: ["carpentry"], materials: ["shelving"] },
    });

    const reviewedAt = Date.parse(first.reviewedAt);
    expect(reviewedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(reviewedAt).toBeLessThanOrEqual(Date.now() + 1000);
    expect(first.publishedAt).toBe(first.reviewedAt);
    expect(first.reviewDue).toBe(oneMonthAfter(first.reviewedAt));
    const gap = Date.parse(first.reviewDue) - reviewedAt;
    expect(gap).toBeGreaterThanOrEqual(28 * DAY);
    expect(gap).toBeLessThanOrEqual(31 * DAY);

    expect((await call("GET", "/charter")).body).toEqual(first);
  });

  it("after revision 1, the actor's profile fields list the active services only", async () => {
    const fields = await profileFields();
    expect(fields.every((f) => f.type === "PropertyValue")).toBe(true);
    const services = fields.find((f) => f.name === "Services");
    expect(services, JSON.stringify(fields)).toBeDefined();
    expect(services!.value).toContain("Community pantry");
    expect(services!.value).toContain("Bike repair café");
    expect(services!.value).not.toContain("Rides to the clinic"); // paused
  });

  it("PUT again publishes revision 2; the revisions list has both, newest first", async () => {
    const response = await call("PUT", "/charter", REVISION_2);
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    second = response.body;
    expect(second).toMatchObject({ number: 2, changeNote: REVISION_2.changeNote, firstPublishedAt: first.publishedAt });
    expect(second.reviewDue).toBe(oneMonthAfter(second.reviewedAt));
    expect(Date.parse(second.publishedAt)).toBeGreaterThanOrEqual(Date.parse(first.publishedAt));

    const revisions = await call("GET", "/charter/revisions");
    expect(revisions.status).toBe(200);
    expect(revisions.body.items).toEqual([
      { number: 2, changeNote: REVISION_2.changeNote, publishedAt: second.publishedAt },
      { number: 1, changeNote: REVISION_1.changeNote, publishedAt: first.publishedAt },
    ]);
    expect((await call("GET", "/charter")).body).toMatchObject({ number: 2 });
    expect((await call("GET", "/charter/revisions/1")).body).toMatchObject({
      number: 1,
      changeNote: REVISION_1.changeNote,
      services: first.services,
    });
  });

  it("the public charter is an Article with the services as Proposals and the revision facts", async () => {
    const response = await fetchAs(charterUrl(), "application/activity+json");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/activity\+json/);
    const article = await response.json();
    expect(article).toMatchObject({
      type: "Article",
      id: charterUrl(),
      attributedTo: pod.actorUrl,
      to: "as:Public",
      cc: `${pod.actorUrl}/followers`,
    });
    expect(article.name).toContain("People's Service Charter");
    expect(article.summary).toContain("Community pantry");
    expect(article.summary).toContain("Soup kitchen");
    expect(article.summary).toContain("Tool library");
    expect(article.summary).not.toContain("Bike repair");
    expect(article.content).toContain("Soup kitchen");

    const attachments = [article.attachment].flat() as any[];
    const proposals = attachments.filter((a) => a.type === "Proposal");
    expect(proposals.map((p) => p.id)).toEqual([serviceUrl("pantry"), serviceUrl("soup"), serviceUrl("tool-library")]);
    expect(proposals[0]).toMatchObject({
      name: "Community pantry",
      purpose: "offer",
      publishes: { type: "Intent", resourceConformsTo: "https://w3id.org/pods/categories/food" },
    });
    expect(proposals[1].publishes.resourceConformsTo).toBe("https://w3id.org/pods/categories/meals");
    expect(proposals[2].startTime).toMatch(/^2027-04-01T00:00:00/);

    const values = Object.fromEntries(
      attachments.filter((a) => a.type === "PropertyValue").map((a) => [a.name, a.value]),
    );
    expect(values).toMatchObject({
      revision: "2",
      reviewDue: second.reviewDue,
      reviewedAt: second.reviewedAt,
      changeNote: REVISION_2.changeNote,
    });

    // The companion Note pinned for Mastodon.
    const note = await pod.getActivityPub(`${charterUrl()}/note`);
    expect(note).toMatchObject({ type: "Note", id: `${charterUrl()}/note`, url: charterUrl() });
    expect(note.content).toContain("revision 2");
    expect(note.content).toContain("Soup kitchen");

    // The HTML page for browsers.
    const html = await fetchAs(charterUrl(), "text/html");
    expect(html.status).toBe(200);
    expect(html.headers.get("content-type")).toMatch(/^text\/html/);
    const page = await html.text();
    expect(page).toContain("People's Service Charter");
    expect(page).toContain("Soup kitchen");
    expect(page).toContain('href="/charter/history"');
    expect(page).toContain("Cooked meals");
  });

  it("the charter page names shared categories in the reader's language; the Article keeps the shared English label", async () => {
    const spanish = await fetch(charterUrl(), { headers: { accept: "text/html", "accept-language": "es" } });
    const page = await spanish.text();
    expect(page).toContain("Comidas preparadas");
    expect(page).toContain("Herramientas y equipo");
    expect(page).not.toContain("Cooked meals");
    const article = await pod.getActivityPub(charterUrl());
    expect(article.content).toContain("Cooked meals");
  });

  it("revision 1 is still served at /charter/revisions/1 with its own content", async () => {
    const article = await pod.getActivityPub(`${pod.url}/charter/revisions/1`);
    expect(article).toMatchObject({ type: "Article", id: `${pod.url}/charter/revisions/1` });
    const attachments = [article.attachment].flat() as any[];
    expect(attachments.filter((a) => a.type === "Proposal").map((p) => p.id)).toEqual([
      serviceUrl("pantry"),
      serviceUrl("rides"),
      serviceUrl("bike-repair"),
      serviceUrl("tool-library"),
    ]);
    const values = Object.fromEntries(
      attachments.filter((a) => a.type === "PropertyValue").map((a) => [a.name, a.value]),
    );
    expect(values).toMatchObject({ revision: "1", changeNote: REVISION_1.changeNote, reviewDue: first.reviewDue });
    expect(article.content).toContain("Bike repair café");
    expect(article.content).not.toContain("Soup kitchen");

    const html = await fetchAs(`${pod.url}/charter/revisions/1`, "text/html");
    expect(html.status).toBe(200);
    expect(await html.text()).toContain("revision 1");

    expect((await fetchAs(`${pod.url}/charter/revisions/3`, "application/activity+json")).status).toBe(404);
  });

  it("the history page lists both revisions, newest first", async () => {
    const response = await fetchAs(`${pod.url}/charter/history`, "text/html");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const page = await response.text();
    const at2 = page.indexOf('href="/charter/revisions/2"');
    const at1 = page.indexOf('href="/charter/revisions/1"');
    expect(at2).toBeGreaterThan(-1);
    expect(at1).toBeGreaterThan(at2);
    expect(page).toContain("Soup kitchen started; rides and bike repair ended.");
    expect(page).toContain("First charter, agreed at the March assembly.");
  });

  it("a service dropped in revision 2 answers 410 at its id; a kept one answers 200", async () => {
    for (const key of ["rides", "bike-repair"]) {
      const gone = await fetchAs(serviceUrl(key), "application/activity+json");
      expect(gone.status, key).toBe(410);
      expect(await gone.json()).toMatchObject({ type: "Tombstone", id: serviceUrl(key) });
      expect((await fetchAs(serviceUrl(key), "text/html")).status, key).toBe(410);
    }
    for (const key of ["pantry", "soup", "tool-library"]) {
      const kept = await fetchAs(serviceUrl(key), "application/activity+json");
      expect(kept.status, key).toBe(200);
      expect(await kept.json()).toMatchObject({ type: "Proposal", id: serviceUrl(key) });
    }
    expect((await fetchAs(serviceUrl("never-existed"), "application/activity+json")).status).toBe(404);
  });

  it("the featured collection holds the charter Note inline", async () => {
    const featured = await pod.getActivityPub(`${pod.actorUrl}/featured`);
    expect(featured.type).toBe("OrderedCollection");
    const items = [featured.orderedItems].flat().filter(Boolean);
    expect(items.map((i: string | { id: string }) => (typeof i === "string" ? i : i.id))).toEqual([
      `${pod.url}/charter/note`,
    ]);
    expect(items[0]).toMatchObject({ type: "Note", id: `${pod.url}/charter/note` });
    expect(await collectionItems(pod, `${pod.actorUrl}/featured`)).toEqual([`${pod.url}/charter/note`]);
  });

  it("after revision 2, the actor's Services field lists the active service names", async () => {
    const services = (await profileFields()).find((f) => f.name === "Services");
    expect(services).toMatchObject({ type: "PropertyValue" });
    expect(services!.value).toContain("Community pantry");
    expect(services!.value).toContain("Soup kitchen");
    expect(services!.value).not.toContain("Bike repair");
  });

  it("POST /charter/review moves reviewedAt and reviewDue forward without a new revision", async () => {
    const before = (await call("GET", "/charter")).body;
    await new Promise((resolve) => setTimeout(resolve, 25));
    const review = await call("POST", "/charter/review");
    expect(review.status, JSON.stringify(review.body)).toBe(200);
    expect(review.body).toMatchObject({
      number: 2,
      changeNote: REVISION_2.changeNote,
      publishedAt: before.publishedAt,
      services: before.services,
    });
    expect(Date.parse(review.body.reviewedAt)).toBeGreaterThan(Date.parse(before.reviewedAt));
    expect(Date.parse(review.body.reviewDue)).toBeGreaterThan(Date.parse(before.reviewDue));
    expect(review.body.reviewDue).toBe(oneMonthAfter(review.body.reviewedAt));

    expect((await call("GET", "/charter")).body).toEqual(review.body);
    expect(await revisionCount()).toBe(2);

    const article = await pod.getActivityPub(charterUrl());
    const values = Object.fromEntries(
      ([article.attachment].flat() as any[]).filter((a) => a.type === "PropertyValue").map((a) => [a.name, a.value]),
    );
    expect(values).toMatchObject({
      revision: "2",
      reviewedAt: review.body.reviewedAt,
      reviewDue: review.body.reviewDue,
    });
  });

  it.each<[string, () => Record<string, unknown>, string]>([
    [
      "an unknown category inside services[1]",
      () => ({ ...REVISION_2, services: [service("pantry"), service("bakery", { category: "unicorns" })] }),
      "body.services.1.category",
    ],
    [
      "an unknown category inside planned[0]",
      () => ({ ...REVISION_2, planned: [planned("garden", { category: "unicorns" })] }),
      "body.planned.0.category",
    ],
    [
      "duplicate service keys",
      () => ({ ...REVISION_2, services: [service("pantry"), service("pantry", { name: "Another pantry" })] }),
      "body.services",
    ],
    [
      "duplicate planned keys",
      () => ({ ...REVISION_2, planned: [planned("garden"), planned("garden")] }),
      "body.planned",
    ],
    ["a key both provided and planned", () => ({ ...REVISION_2, planned: [planned("pantry")] }), "body.planned"],
    [
      "a bad target (2027-Q5)",
      () => ({ ...REVISION_2, planned: [planned("garden", { target: "2027-Q5" })] }),
      "body.planned.0.target",
    ],
    ["an empty changeNote", () => ({ ...REVISION_2, changeNote: "" }), "body.changeNote"],
    ["a whitespace-only changeNote", () => ({ ...REVISION_2, changeNote: "   " }), "body.changeNote"],
    ["an unknown extra property", () => ({ ...REVISION_2, number: 7 }), "body"],
    [
      "an unknown property inside a service",
      () => ({ ...REVISION_2, services: [service("pantry", { price: 3 })] }),
      "body.services.0",
    ],
    [
      "a service key with capitals and spaces",
      () => ({ ...REVISION_2, services: [service("Soup Kitchen")] }),
      "body.services.0.key",
    ],
    [
      "a bad language tag in a service",
      () => ({ ...REVISION_2, services: [service("pantry", { languages: ["English"] })] }),
      "body.services.0.languages.0",
    ],
    ["a missing changeNote", () => ({ services: REVISION_2.services }), "body.changeNote"],
  ])("refuses %s with 400 naming the field, storing nothing", async (_label, body, field) => {
    const before = (await call("GET", "/charter")).body;
    const revisionsBefore = (await call("GET", "/charter/revisions")).body;
    const outboxBefore = (await pod.getActivityPub(`${pod.actorUrl}/outbox`)).totalItems;

    const response = await call("PUT", "/charter", body());
    expect(response.status, JSON.stringify(response.body)).toBe(400);
    expect(response.contentType).toMatch(PROBLEM_JSON);
    expect(response.body).toMatchObject({ status: 400, title: "Bad Request", field });

    expect((await call("GET", "/charter/revisions")).body).toEqual(revisionsBefore);
    expect(await revisionCount()).toBe(2);
    expect((await call("GET", "/charter")).body).toEqual(before);
    expect((await pod.getActivityPub(`${pod.actorUrl}/outbox`)).totalItems).toBe(outboxBefore);
    // A refused charter dropped nothing: kept services still answer.
    expect((await fetchAs(serviceUrl("soup"), "application/activity+json")).status).toBe(200);
  });
});
