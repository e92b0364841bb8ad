/**
 * An assembly's working parts between three pod processes over real HTTP with real signatures: A convenes B and
 * C; B needs flour and reported its month, C has flour that ends soon. A's agenda drafts itself from those facts;
 * the barter table matches them; a pledge C → B proposed in A's web app is confirmed by C and claimed from C's
 * offer; a crisis thread B opens, C answers and B closes reads closed on every copy. A fourth participant,
 * independently signed ("mallory"), forges a confirmation and a closing: the convener refuses both.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkPage, launchBrowser, signedInPage } from "../support/browser.ts";
import { startNeighborPod, type NeighborPod } from "../support/neighbor-pod.ts";
import { followAndWait, startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";

interface Pledge {
  iri: string;
  state: string;
  giverIri: string;
  receiverIri: string;
  quantityMilli: number;
  claimId: string | null;
}
interface Crisis {
  iri: string;
  state: string;
  openerIri: string;
  closingIri: string | null;
}
interface Table {
  draft: { markdown: string } | null;
  matches: { need: { iri: string; name: string }; offers: { offer: { iri: string; available: string } }[] }[];
  pledges: Pledge[];
  crises: Crisis[];
}

/** ActivityStreams with Mastodon's Hashtag term: the forgeries read as a pod's own markers would. */
const MASTODON = ["https://www.w3.org/ns/activitystreams", { Hashtag: "as:Hashtag" }];
const idOn = async (pod: PodProcess, iri: string): Promise<string> =>
  (await pod.admin("GET", "/assemblies")).body.items.find((row: { iri: string }) => row.iri === iri)?.id;
const table = async (pod: PodProcess, id: string): Promise<Table> =>
  (await pod.admin("GET", `/assemblies/${id}/table`)).body;
const record = async (pod: PodProcess, id: string): Promise<{ iri: string; inReplyTo: string | null }[]> =>
  (await pod.admin("GET", `/assemblies/${id}`)).body.record;
const lastMonthDay = () => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 10)).toISOString().slice(0, 10);
};

describe("assemblies: the agenda drafts itself, the barter table, pledges and crisis threads", {
  timeout: 90_000,
}, () => {
  let a: PodProcess;
  let b: PodProcess;
  let c: PodProcess;
  let mallory: NeighborPod;
  let browser: Browser;
  let pageA: Page;
  const ids: Record<"a" | "b" | "c", string> = { a: "", b: "", c: "" };
  let eventIri = "";
  let inviteIri = "";
  let offerId = "";

  beforeAll(async () => {
    [a, b, c, mallory, browser] = await Promise.all([
      startPod("a", { POD_TIME_ZONE: "Europe/Madrid" }),
      startPod("b"),
      startPod("c"),
      startNeighborPod("mallory"),
      launchBrowser(),
    ]);
    await Promise.all([followAndWait(a, b), followAndWait(a, c)]);
    // A follows mallory too (mallory answers the Follow by hand): so A may invite it.
    expect((await a.admin("POST", "/following", { target: mallory.actorId })).status).toBe(202);
    await waitUntil(() => mallory.inbox.some((r) => JSON.parse(r.body.toString("utf8")).type === "Follow"));
    const follow = mallory.inbox.map((r) => JSON.parse(r.body.toString("utf8"))).find((x) => x.type === "Follow");
    await mallory.deliver(`${a.actorUrl}/inbox`, mallory.activity("Accept", follow));

    const need = await b.admin("POST", "/needs", {
      name: "Flour for the soup kitchen",
      category: "food",
      quantity: 30,
      unit: "kg",
      area: { name: "Hillside" },
    });
    expect(need.status).toBe(201);
    const soon = new Date(Date.now() + 5 * 86_400_000).toISOString();
    const offer = await c.admin("POST", "/offers", {
      name: "Flour",
      category: "food",
      quantity: 50,
      unit: "kg",
      area: { name: "Riverside" },
      availableUntil: soon,
    });
    expect(offer.status).toBe(201);
    offerId = offer.body.id;
    const entry = { metric: "meals-prepared", date: lastMonthDay(), quantity: 120 };
    expect((await b.admin("POST", "/sovereignty/entries", entry)).status).toBe(201);
    const draft = await b.admin("POST", "/sovereignty/reports/draft");
    expect((await b.admin("POST", `/sovereignty/reports/${draft.body.id}/publish`)).status).toBe(200);
    await waitUntil(async () => {
      const [needs, offers] = await Promise.all(
        ["needs", "surplus"].map(async (list) => (await (await fetch(`${a.url}/view/${list}`)).json()).items),
      );
      return needs.length === 1 && offers.length === 1;
    });
    await waitUntil(async () =>
      (await (await fetch(`${a.url}/view/sovereignty.csv`)).text()).includes("meals-prepared"),
    );
    ({ page: pageA } = await signedInPage(browser, a));
  }, 120_000);
  afterAll(async () => {
    const { writeFileSync } = await import("node:fs");
    for (const [n, pod] of Object.entries({ a, b, c })) writeFileSync(`/tmp/asm-a-log-${n}.txt`, pod?.logs() ?? "");
    await Promise.all([a?.stop(), b?.stop(), c?.stop(), browser?.close(), mallory?.close()]);
  });

  it("A convenes B, C and mallory; the agenda drafted at convening holds B's report and need, C's surplus", async () => {
    const convened = await a.admin("POST", "/assemblies", {
      title: "Winter assembly",
      startTime: "2099-01-15T18:00",
      placeName: "Riverside hall",
      invited: [b.actorUrl, c.actorUrl, mallory.actorId],
    });
    expect(convened.status).toBe(201);
    ({ id: ids.a, iri: eventIri, inviteIri } = convened.body);
    await waitUntil(async () => Boolean((await idOn(b, eventIri)) && (await idOn(c, eventIri))));
    ids.b = await idOn(b, eventIri);
    ids.c = await idOn(c, eventIri);
    for (const [pod, id] of [
      [b, ids.b],
      [c, ids.c],
    ] as const)
      expect((await pod.admin("POST", `/assemblies/${id}/answer`, { answer: "accepted" })).status).toBe(200);
    await mallory.deliver(`${a.actorUrl}/inbox`, mallory.activity("Accept", inviteIri, { to: a.actorUrl }));
    await waitUntil(async () =>
      (await a.admin("GET", `/assemblies/${ids.a}`)).body.participants.every(
        (p: { answer: string }) => p.answer === "accepted",
      ),
    );

    const { draft } = await table(a, ids.a);
    const sections = Object.fromEntries(
      draft!.markdown
        .split(/^### /m)
        .slice(1)
        .map((part) => [part.split("\n")[0], part]),
    );
    expect(sections.Reports).toMatch(/Meals prepared 120 meal/);
    expect(sections["Needs not met yet"]).toContain("Flour for the soup kitchen 30 kg");
    expect(sections["Needs not met yet"]).toContain("could be met by Flour");
    expect(sections["Surplus going to waste"]).toContain("Flour 50 kg");
    expect(sections["Services no one covers"]).toContain("Food");
    // Only the convener holds a draft.
    expect((await table(b, ids.b)).draft).toBeNull();
  });

  it("the barter table matches B's need with C's flour; A pledges C → B in its web app", async () => {
    const { matches } = await table(a, ids.a);
    expect(matches).toHaveLength(1);
    expect(matches[0]!.need.name).toBe("Flour for the soup kitchen");
    expect(matches[0]!.offers.map((m) => m.offer.iri)).toEqual([`${c.url}/offers/${offerId}`]);

    await pageA.goto(`${a.url}/app/assemblies/${ids.a}`);
    await pageA.fill("#p0-quantity", "20");
    await pageA.click("form[action$='/pledges'] button[type=submit]");
    await pageA.waitForURL(/did=pledged/);
    const [pledge] = (await table(a, ids.a)).pledges;
    expect(pledge).toMatchObject({ state: "proposed", giverIri: c.actorUrl, receiverIri: b.actorUrl });
    expect(pledge!.quantityMilli).toBe(20_000);
    await waitUntil(async () => (await table(c, ids.c)).pledges.length === 1);
    await waitUntil(async () => (await table(b, ids.b)).pledges.length === 1);
  });

  it("a confirmation forged by mallory is refused; C's confirmation claims 20 kg from its offer on every copy", async () => {
    const pledgeIri = (await table(a, ids.a)).pledges[0]!.iri;
    const forged = {
      id: `${mallory.actorId}/notes/confirm`,
      type: "Note",
      attributedTo: mallory.actorId,
      context: eventIri,
      inReplyTo: pledgeIri,
      content: "<p>Confirmed.</p>",
      tag: [
        { type: "Hashtag", name: "#reply", href: `${a.url}/tags/reply` },
        { type: "Hashtag", name: "#confirmed", href: `${a.url}/tags/confirmed` },
      ],
      to: a.actorUrl,
    };
    mallory.publish(forged);
    await mallory.deliver(
      `${a.actorUrl}/inbox`,
      mallory.activity("Create", forged, { to: a.actorUrl, "@context": MASTODON }),
    );
    await waitUntil(() => a.logs().includes("pledge confirmation refused"));
    expect((await table(a, ids.a)).pledges[0]!.state).toBe("proposed");
    expect((await record(a, ids.a)).map((item) => item.iri)).not.toContain(forged.id);
    // B cannot confirm what C gives either.
    expect((await b.admin("POST", `/assemblies/${ids.b}/pledges/confirm`, { pledge: pledgeIri })).status).toBe(422);

    const confirmed = await c.admin("POST", `/assemblies/${ids.c}/pledges/confirm`, { pledge: pledgeIri });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.claimId).toBeTruthy();
    const offer = (await c.admin("GET", `/offers/${offerId}`)).body;
    expect(offer.available).toBe("30");
    expect(offer.claims.map((claim: { id: string }) => claim.id)).toEqual([confirmed.body.claimId]);
    for (const [pod, id] of [
      [a, ids.a],
      [b, ids.b],
    ] as const)
      await waitUntil(async () => (await table(pod, id)).pledges[0]?.state === "confirmed");
    // The usual claim federation: A's view of C's offer has 30 kg left.
    await waitUntil(async () => (await table(a, ids.a)).matches[0]?.offers[0]?.offer.available === "30");
  });

  it("B's crisis thread: C replies, mallory's closing is refused, B closes it; closed on A, B and C", async () => {
    const opened = await b.admin("POST", `/assemblies/${ids.b}/crises`, {
      what: "Flood on the north bank",
      place: "North bank",
      needed: "Sandbags and dry food",
    });
    expect(opened.status).toBe(201);
    const crisisIri: string = opened.body.iri;
    for (const [pod, id] of [
      [a, ids.a],
      [c, ids.c],
    ] as const)
      await waitUntil(async () => (await table(pod, id)).crises.length === 1);
    // Until the assembly starts, the convener's redraft brings in what changed: the open thread.
    const redrafted = await a.admin("POST", `/assemblies/${ids.a}/agenda/redraft`);
    expect(redrafted.body.markdown).toMatch(/### Open crisis threads\n\n- \*\*.*\*\*: Flood on the north bank/);
    const reply = await c.admin("POST", `/assemblies/${ids.c}/crises/reply`, {
      crisis: crisisIri,
      text: "We can bring 40 sandbags tonight.",
    });
    expect(reply.status).toBe(201);

    const forged = {
      id: `${mallory.actorId}/notes/close`,
      type: "Note",
      attributedTo: mallory.actorId,
      context: eventIri,
      inReplyTo: crisisIri,
      content: "<p>Closed.</p>",
      tag: [
        { type: "Hashtag", name: "#reply", href: `${a.url}/tags/reply` },
        { type: "Hashtag", name: "#closed", href: `${a.url}/tags/closed` },
      ],
      to: a.actorUrl,
    };
    mallory.publish(forged);
    await mallory.deliver(
      `${a.actorUrl}/inbox`,
      mallory.activity("Create", forged, { to: a.actorUrl, "@context": MASTODON }),
    );
    await waitUntil(() => a.logs().includes("crisis closing refused"));
    expect((await table(a, ids.a)).crises[0]!.state).toBe("open");
    // Only the opener closes: C may not, even from its own pod.
    expect((await c.admin("POST", `/assemblies/${ids.c}/crises/close`, { crisis: crisisIri })).status).toBe(422);

    const closed = await b.admin("POST", `/assemblies/${ids.b}/crises/close`, { crisis: crisisIri, text: "Dry now." });
    expect(closed.status).toBe(201);
    for (const [pod, id] of [
      [a, ids.a],
      [b, ids.b],
      [c, ids.c],
    ] as const) {
      await waitUntil(async () => (await table(pod, id)).crises[0]?.state === "closed");
      const replies = async () =>
        (await record(pod, id)).filter((item) => item.inReplyTo === crisisIri).map((item) => item.iri);
      await waitUntil(async () => (await replies()).length === 2);
      expect((await replies()).sort()).toEqual([reply.body.iri, closed.body.iri].sort());
    }
  });

  it("A publishes its edited agenda in the web app; B holds it; the pages pass axe in English and Spanish", async () => {
    // An Update of A's Event from another pod changes nothing on B.
    const forged = {
      id: eventIri,
      type: "Event",
      attributedTo: mallory.actorId,
      name: "Winter assembly",
      startTime: "2099-01-15T17:00:00Z",
      content: "<p>Forged agenda</p>",
    };
    await mallory.deliver(`${b.actorUrl}/inbox`, mallory.activity("Update", forged, { to: b.actorUrl }));
    await waitUntil(() => b.logs().includes("assembly update refused"));
    expect((await b.admin("GET", `/assemblies/${ids.b}`)).body.agendaHtml).not.toContain("Forged");

    await pageA.goto(`${a.url}/app/assemblies/${ids.a}`);
    const drafted = await pageA.inputValue("#f-markdown");
    await pageA.fill("#f-markdown", `${drafted}\n## Closing\n\n- Next convener`);
    await pageA.click("form[action$='/agenda'] button[type=submit]");
    await pageA.waitForURL(/did=published/);
    await waitUntil(async () => (await b.admin("GET", `/assemblies/${ids.b}`)).body.agendaHtml.includes("Closing"));
    expect((await b.admin("GET", `/assemblies/${ids.b}`)).body.agendaHtml).toContain("Needs not met yet");

    await checkPage(pageA, "assembly-barter-a-done");
    expect(await pageA.locator("ul.pledges li").getAttribute("data-state")).toBe("confirmed");
    expect(await pageA.locator("ul.crises > li").getAttribute("data-state")).toBe("closed");
    await pageA.goto(`${a.url}/app/assemblies/${ids.a}?lang=es`);
    await checkPage(pageA, "assembly-barter-a-es", { screenshots: false });
    expect(await pageA.textContent("main")).toContain("Mesa de trueque");
    await pageA.goto(`${a.url}/app/assemblies/${ids.a}?lang=en`);
  });
});
