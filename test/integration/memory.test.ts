/** The memory room over HTTP, against a real pod process (admin API, public pages, ActivityPub documents). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectionItems, startPod, type PodProcess } from "../support/pod-process.ts";

const AP = "application/activity+json";

describe("memory entries", () => {
  let pod: PodProcess;
  const fetchAs = (url: string, accept = AP) => fetch(url, { headers: { accept } });
  const objectUrl = (publicationId: string) => `${pod.url}/memory/${publicationId}`;

  beforeAll(async () => {
    pod = await startPod("memory");
  });
  afterAll(async () => {
    await pod?.stop();
  });

  it("public → internal → public publishes anew at a new IRI; the old one answers 410 with a Tombstone", async () => {
    const made = await pod.admin("POST", "/memory", {
      kind: "decision",
      title: "Two keys for the pantry",
      summary: "Two teams hold a key each.",
      visibility: "public",
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const first: string = made.body.publicationId;
    expect((await fetchAs(objectUrl(first))).status).toBe(200);

    const internal = await pod.admin("POST", `/memory/${made.body.id}/visibility`, { visibility: "internal" });
    expect(internal.body.publicationId).toBeNull();
    const gone = await fetchAs(objectUrl(first));
    expect(gone.status).toBe(410);
    const tombstone = await gone.json();
    expect(tombstone.type).toBe("Tombstone");
    expect(JSON.stringify(tombstone.formerType)).toContain("Article");
    expect((await fetchAs(`${objectUrl(first)}/note`)).status).toBe(410);
    expect(await collectionItems(pod, `${pod.actorUrl}/memory`)).toEqual([]);

    const again = await pod.admin("POST", `/memory/${made.body.id}/visibility`, { visibility: "public" });
    const second: string = again.body.publicationId;
    expect(second).not.toBe(first);
    expect((await fetchAs(objectUrl(second))).status).toBe(200);
    expect((await fetchAs(objectUrl(first))).status).toBe(410);
    expect(await collectionItems(pod, `${pod.actorUrl}/memory`)).toEqual([objectUrl(second)]);
  });

  it("an internal entry is not found at any public address and is in no collection", async () => {
    const made = await pod.admin("POST", "/memory", {
      kind: "lesson",
      title: "Internal Yakhornet lesson",
      summary: "Yakhornet stays with members.",
    });
    expect(made.body).toMatchObject({ visibility: "internal", publicationId: null });
    const html = await (await fetchAs(`${pod.url}/memory`, "text/html")).text();
    expect(html).not.toContain("Yakhornet");
    const search = await (await fetchAs(`${pod.url}/memory/search?q=yakhornet`, "text/html")).text();
    expect(search).not.toContain("Internal Yakhornet");
    expect(JSON.stringify(await collectionItems(pod, `${pod.actorUrl}/memory`))).not.toContain(made.body.id);
  });

  it("a workflow gets a new revision only when its text changes", async () => {
    const made = await pod.admin("POST", "/memory", {
      kind: "workflow",
      title: "Opening the pantry",
      summary: "Keys, lights, list.",
      body: "1. Keys",
    });
    const same = await pod.admin("PATCH", `/memory/${made.body.id}`, {
      title: "Opening the pantry (morning)",
      summary: "Keys, lights, list.",
      body: "1. Keys",
    });
    expect(same.body.revision).toBe(1);
    const changed = await pod.admin("PATCH", `/memory/${made.body.id}`, {
      title: "Opening the pantry (morning)",
      summary: "Keys, lights, list.",
      body: "1. Keys\n2. Lights",
      changeNote: "Lights too",
    });
    expect(changed.body.revision).toBe(2);
  });

  it("a withdrawn entry can no longer change (409), and bad input names the field (400)", async () => {
    const made = await pod.admin("POST", "/memory", { kind: "decision", title: "Old rule", summary: "Gone soon." });
    await pod.admin("POST", `/memory/${made.body.id}/withdraw`);
    const patch = await pod.admin("PATCH", `/memory/${made.body.id}`, { title: "New", summary: "x" });
    expect(patch.status).toBe(409);
    expect(patch.contentType).toMatch(/^application\/problem\+json/);
    const bad = await pod.admin("POST", "/memory", {
      kind: "decision",
      title: "Review it",
      summary: "Soon.",
      reviewOn: "tomorrow",
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("reviewOn");
  });

  it("the search takes any words, FTS5 syntax included, as plain words (never a 500)", async () => {
    const hostile = ['"', "AND OR NOT", "*", "NEAR(a b)", "^title", "title:x", "')--", "🙂", "a".repeat(200), "(("];
    for (const q of hostile) {
      const response = await fetchAs(`${pod.url}/memory/search?q=${encodeURIComponent(q)}`, "text/html");
      expect(response.status, q).toBe(200);
    }
    const found = await (
      await fetchAs(`${pod.url}/memory/search?q=${encodeURIComponent('"keys" (pantry')}`, "text/html")
    ).text();
    expect(found).toContain("Two keys for the pantry");
  });

  it("a decision superseded by a newer public one links it, in its Article and on its page", async () => {
    const decide = (title: string) =>
      pod.admin("POST", "/memory", { kind: "decision", title, summary: "A rule.", visibility: "public" });
    const older = (await decide("Pantry opens at 9")).body;
    const newer = (await decide("Pantry opens at 10")).body;
    const superseded = await pod.admin("POST", `/memory/${older.id}/supersede`, { by: newer.id });
    expect(superseded.body.supersededBy).toBe(newer.id);
    const article = await (await fetchAs(objectUrl(older.publicationId))).json();
    expect(article.content).toContain(`<a href="${objectUrl(newer.publicationId)}">`);
    const html = await (await fetchAs(objectUrl(older.publicationId), "text/html")).text();
    expect(html).toContain(`href="/memory/${newer.publicationId}"`);
    const self = await pod.admin("POST", `/memory/${older.id}/supersede`, { by: older.id });
    expect(self.status).toBe(409);
  });
});
