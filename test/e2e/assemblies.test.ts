/**
 * Confederal assemblies between three pod processes over real HTTP with real signatures: A convenes in the web
 * app (a browser, no script needed) and invites B and C; B accepts, C declines; B posts a report and A a crisis;
 * A and B hold the same record; with A stopped, B still shows it. Hostile input comes from independently signed
 * neighbors: an Invite from a stranger, an Announce whose contribution is not its origin's.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkPage, launchBrowser, signedInPage } from "../support/browser.ts";
import { startNeighborPod, type NeighborPod } from "../support/neighbor-pod.ts";
import { collectionItems, followAndWait, startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";
import { signerOf } from "../support/pod-signer.ts";
import { signedGet } from "../support/remote-actor.ts";

interface Row {
  id: string;
  iri: string;
  role: string;
  answer: string | null;
}
interface Detail extends Row {
  startTime: string;
  participants: { actorIri: string; answer: string }[];
  record: { iri: string; kind: string; authorIri: string; contentHtml: string }[];
}

const list = async (pod: PodProcess): Promise<Row[]> => (await pod.admin("GET", "/assemblies")).body.items;
const detail = async (pod: PodProcess, id: string): Promise<Detail> =>
  (await pod.admin("GET", `/assemblies/${id}`)).body;
const inboxOf = (pod: PodProcess) => `${pod.actorUrl}/inbox`;

describe("assemblies: convene, answer, one shared record without a center", { timeout: 60_000 }, () => {
  let a: PodProcess;
  let b: PodProcess;
  let c: PodProcess;
  let browser: Browser;
  let pageA: Page;
  let pageB: Page;
  let stranger: NeighborPod;
  let neighbor: NeighborPod;
  let onA: Row;
  let onB: Row;

  beforeAll(async () => {
    [a, b, c, browser, stranger, neighbor] = await Promise.all([
      startPod("a", { POD_TIME_ZONE: "Europe/Madrid" }),
      startPod("b", { POD_TIME_ZONE: "America/Mexico_City" }),
      startPod("c"),
      launchBrowser(),
      startNeighborPod("stranger"),
      startNeighborPod("neighbor"),
    ]);
    await Promise.all([followAndWait(a, b), followAndWait(a, c)]);
    ({ page: pageA } = await signedInPage(browser, a));
    ({ page: pageB } = await signedInPage(browser, b));
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), c?.stop(), browser?.close(), stranger?.close(), neighbor?.close()]);
  });

  it("A convenes through the web app form; B and C receive the Invite; the Event is served at its IRI", async () => {
    await pageA.goto(`${a.url}/app/assemblies/new`);
    expect(pageA.url()).toBe(`${a.url}/app/assemblies/new`);
    await checkPage(pageA, "assemblies-new");
    await pageA.fill("#f-title", "Winter assembly");
    await pageA.fill("#f-startTime", "2026-12-15T18:00");
    await pageA.fill("#f-placeName", "Riverside community hall");
    await pageA.fill("#f-onlineUrl", "https://meet.example/winter");
    await pageA.fill("#f-agenda", "# Agenda\n\n- reports\n- crises");
    await pageA.check(`input[value="${b.actorUrl}"]`);
    await pageA.check(`input[value="${c.actorUrl}"]`);
    await Promise.all([pageA.waitForLoadState(), pageA.click('form[action="/app/assemblies"] button[type=submit]')]);
    expect(pageA.url(), (await pageA.textContent("main")) ?? "").toMatch(/\/app\/assemblies\/[\w-]+\?done=convened/);

    onA = (await list(a))[0]!;
    expect(onA?.role).toBe("convener");
    // 18:00 in Madrid in December is 17:00 UTC.
    expect((await detail(a, onA!.id)).startTime).toBe("2026-12-15T17:00:00.000Z");

    // A participants-only assembly's Event is read by its participants alone, with a signed fetch.
    const unsigned = await fetch(onA!.iri, { headers: { accept: "application/activity+json" } });
    expect(unsigned.status).toBe(404);
    const signed = await signedGet(await signerOf(b), onA!.iri);
    expect(signed.status).toBe(200);
    const event = await signed.json();
    expect(event.type).toBe("Event");
    expect(event.name).toBe("Winter assembly");
    expect(event.attributedTo).toBe(a.actorUrl);
    expect(event.startTime).toMatch(/^2026-12-15T17:00:00/);
    expect(event.location).toMatchObject({ type: "Place", name: "Riverside community hall" });
    expect(event.content).toContain("<h2>Agenda</h2>");
    expect([event.to].flat().sort()).toEqual([b.actorUrl, c.actorUrl].sort());
    expect(JSON.stringify(event)).not.toContain("#Public");

    await waitUntil(async () => (await list(b)).length === 1 && (await list(c)).length === 1);
    onB = (await list(b))[0]!;
    expect(onB).toMatchObject({ iri: onA!.iri, role: "invited", answer: null });
    expect((await detail(b, onB!.id)).startTime).toBe("2026-12-15T17:00:00.000Z");
  });

  it("B accepts in the web app, C declines; the convener records each answer", async () => {
    await pageB.goto(`${b.url}/app/assemblies/${onB.id}`);
    await pageB.check('input[name="answer"][value="accepted"]');
    await pageB.click('form[action$="/answer"] button[type=submit]');
    await pageB.waitForURL(/done=answered/);
    const [onC] = await list(c);
    expect((await c.admin("POST", `/assemblies/${onC!.id}/answer`, { answer: "rejected" })).status).toBe(200);

    await waitUntil(async () => {
      const answers = (await detail(a, onA.id)).participants.map((p) => `${p.actorIri} ${p.answer}`);
      return answers.includes(`${b.actorUrl} accepted`) && answers.includes(`${c.actorUrl} rejected`);
    });
    // The convener relays each answer: B shows C's, C shows B's.
    await waitUntil(async () =>
      (await detail(b, onB.id)).participants.some((p) => p.actorIri === c.actorUrl && p.answer === "rejected"),
    );
    await waitUntil(async () =>
      (await detail(c, onC!.id)).participants.some((p) => p.actorIri === b.actorUrl && p.answer === "accepted"),
    );
    // A still follows B and C: the Accept of the Invite did not touch the follows.
    const following = (await a.admin("GET", "/following")).body.items.map((f: { state: string }) => f.state);
    expect(following).toEqual(["accepted", "accepted"]);
    // C declined: it cannot contribute.
    const refused = await c.admin("POST", `/assemblies/${onC!.id}/contributions`, { kind: "report", text: "x" });
    expect(refused.status).toBe(422);
  });

  it("B's report and A's crisis end up in one record, the same on A and on B", async () => {
    await pageB.goto(`${b.url}/app/assemblies/${onB.id}`);
    await pageB.selectOption("#f-kind", "report");
    await pageB.fill("#f-text", "Hillside: 40 households fed this month; we lack flour.");
    await pageB.click('form[action$="/contributions"] button[type=submit]');
    await pageB.waitForURL(/done=posted/);
    await waitUntil(async () => (await detail(a, onA.id)).record.length === 1);
    const crisis = await a.admin("POST", `/assemblies/${onA.id}/contributions`, {
      kind: "crisis",
      text: "The river flooded the north bank.",
    });
    expect(crisis.status).toBe(201);
    await waitUntil(async () => (await detail(b, onB.id)).record.length === 2);

    const recordA = (await detail(a, onA.id)).record;
    const recordB = (await detail(b, onB.id)).record;
    expect(recordB.map((item) => item.iri)).toEqual(recordA.map((item) => item.iri));
    expect(recordA.map((item) => [item.kind, item.authorIri])).toEqual([
      ["report", b.actorUrl],
      ["crisis", a.actorUrl],
    ]);
    expect(recordB[0]!.iri.startsWith(`${b.url}/`)).toBe(true);
    expect(recordB[1]!.contentHtml).toContain("north bank");

    // Each contribution is a Note in the assembly's context, served at its IRI by its own pod to participants.
    const signed = await signedGet(await signerOf(a), recordB[0]!.iri);
    expect(signed.status).toBe(200);
    const note = await signed.json();
    expect(note).toMatchObject({ type: "Note", attributedTo: b.actorUrl, context: onA.iri, to: a.actorUrl });
  });

  it("the assembly pages read well in English and Spanish, on a phone, with axe clean", async () => {
    // Each page once in each language: the lists share one component (A's in Spanish, B's in English).
    await pageA.goto(`${a.url}/app/assemblies/new?lang=es`);
    await checkPage(pageA, "assemblies-new-es", { screenshots: false });
    await pageA.goto(`${a.url}/app/assemblies`);
    await checkPage(pageA, "assemblies-list-a-es");
    await pageB.goto(`${b.url}/app/assemblies`);
    await checkPage(pageB, "assemblies-list-b");
    for (const [page, pod, id, name] of [
      [pageA, a, onA.id, "a"],
      [pageB, b, onB.id, "b"],
    ] as const) {
      await page.goto(`${pod.url}/app/assemblies/${id}?lang=es`);
      await checkPage(page, `assembly-${name}-es`);
      expect(await page.textContent("main")).toContain("El acta");
      await page.goto(`${pod.url}/app/assemblies/${id}?lang=en`);
      await checkPage(page, `assembly-${name}`);
    }
    // B's page: its own time zone and both contributions, in the record's order.
    await pageB.goto(`${b.url}/app/assemblies/${onB.id}`);
    expect(await pageB.textContent("main")).toContain("America/Mexico_City");
    const order = await pageB.locator("ol.record > li").evaluateAll((items) => items.map((li) => li.dataset.iri));
    expect(order).toEqual((await detail(a, onA.id)).record.map((item) => item.iri));
  });

  it("with the convener stopped, B still shows the whole record", async () => {
    const before = (await detail(b, onB.id)).record;
    await a.stop();
    expect((await detail(b, onB.id)).record).toEqual(before);
    await pageB.goto(`${b.url}/app/assemblies/${onB.id}`);
    const shown = await pageB.locator("ol.record > li").evaluateAll((items) => items.map((li) => li.dataset.iri));
    expect(shown).toEqual(before.map((item) => item.iri));
  });

  it("refuses an Invite from a pod that neither follows B nor is followed by it: nothing stored", async () => {
    const event = {
      id: `${stranger.actorId}/events/1`,
      type: "Event",
      name: "Not yours",
      attributedTo: stranger.actorId,
      startTime: "2026-12-20T10:00:00Z",
      to: b.actorUrl,
    };
    const invite = stranger.activity("Invite", event, { to: b.actorUrl });
    expect((await stranger.deliver(inboxOf(b), invite)).status).toBeLessThan(300);
    await waitUntil(() => b.logs().includes("invite refused: not a neighbor pod"));
    expect(await list(b)).toHaveLength(1);
  });

  it("refuses an Announce whose contribution is not attributed to its origin; keeps one that is", async () => {
    await neighbor.deliver(inboxOf(b), neighbor.activity("Follow", b.actorUrl));
    await waitUntil(async () => (await collectionItems(b, `${b.actorUrl}/followers`)).includes(neighbor.actorId));
    const eventIri = `${neighbor.actorId}/events/spring`;
    const event = {
      id: eventIri,
      type: "Event",
      name: "Spring assembly",
      attributedTo: neighbor.actorId,
      startTime: "2027-03-20T10:00:00Z",
      location: { type: "Place", name: "Plaza" },
      to: b.actorUrl,
    };
    neighbor.publish(event);
    const invite = neighbor.activity("Invite", event, { to: b.actorUrl });
    await neighbor.deliver(inboxOf(b), invite);
    await waitUntil(async () => (await list(b)).length === 2);
    const spring = (await list(b)).find((row) => row.iri === eventIri)!;
    expect((await b.admin("POST", `/assemblies/${spring.id}/answer`, { answer: "accepted" })).status).toBe(200);

    const note = (slug: string, attributedTo: string) => ({
      "@context": "https://www.w3.org/ns/activitystreams",
      id: `${neighbor.actorId}/notes/${slug}`,
      type: "Note",
      attributedTo,
      context: eventIri,
      content: `<p>${slug}</p>`,
    });
    const announce = (objectIri: string) =>
      neighbor.activity("Announce", objectIri, {
        context: eventIri,
        to: b.actorUrl,
        published: new Date().toISOString(),
      });
    // Served on the neighbor's origin but claiming to be B's own words: not verifiable at its origin.
    const forged = note("forged", b.actorUrl);
    neighbor.publish(forged);
    await neighbor.deliver(inboxOf(b), announce(forged.id));
    await waitUntil(() => b.logs().includes("announced contribution refused"));
    const honest = note("honest", neighbor.actorId);
    neighbor.publish(honest);
    await neighbor.deliver(inboxOf(b), announce(honest.id));
    await waitUntil(async () => (await detail(b, spring.id)).record.length === 1);
    expect((await detail(b, spring.id)).record.map((item) => item.iri)).toEqual([honest.id]);

    // B's answers reached the convener as signed activities: Accept of the Invite, then Leave of the Event.
    expect((await b.admin("POST", `/assemblies/${spring.id}/answer`, { answer: "left" })).status).toBe(200);
    const received = () => neighbor.inbox.map((request) => JSON.parse(request.body.toString("utf8")));
    await waitUntil(() => received().some((activity) => activity.type === "Leave"));
    // (The first Accept B sent the neighbor answered its Follow; the answer to the Invite names the Invite.)
    const accept = received().find((activity) => activity.type === "Accept" && typeof activity.object === "string");
    expect(accept).toMatchObject({ actor: b.actorUrl, object: invite.id });
    const leave = received().find((activity) => activity.type === "Leave");
    expect(leave).toMatchObject({ actor: b.actorUrl, object: eventIri });
  });
});
