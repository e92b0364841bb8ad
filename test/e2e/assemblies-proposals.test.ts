/**
 * Assemblies' outcomes between four pod processes over real HTTP with real signatures: A convenes a public
 * assembly in the web app and invites B, C, D and a remote actor R (signing with an independent library); B
 * accepts, C accepts tentatively (in the browser), D declines, R tentatively. B's proposal is adopted by A and B
 * and declined by C: each pod's decisions log holds its own choice and every copy shows the same adoption state.
 * A publishes the minutes; every copy shows them and the same next convener; with A stopped, B and C keep it all.
 * Hostile input: a ratification from a pod that is not a participant, and one the convener relays that does not
 * live on its author's origin.
 */
import {
  parseRequestSignature,
  type RequestLike,
  verifyDigestHeader,
  verifyDraftSignature,
} from "@misskey-dev/node-http-message-signatures";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkPage, launchBrowser, newPhone, signedInPage } from "../support/browser.ts";
import { startNeighborPod, type NeighborPod } from "../support/neighbor-pod.ts";
import { signedGet } from "../support/remote-actor.ts";
import { collectionItems, followAndWait, startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";
import { MASTODON_SIGNED_HEADERS, type ReceivedRequest } from "../support/remote-actor.ts";

interface Row {
  id: string;
  iri: string;
  role: string;
  answer: string | null;
}
interface Answer {
  actorIri: string;
  answer: "adopted" | "declined" | "pending";
  decisionId: string | null;
}
interface Outcomes {
  visibility: string;
  minutesIri: string | null;
  minutesHtml: string | null;
  next: { iri: string; confirmed: boolean };
  proposals: { iri: string; authorIri: string; title: string; answers: Answer[] }[];
}

const inboxOf = (pod: { actorUrl: string }) => `${pod.actorUrl}/inbox`;
const list = async (pod: PodProcess): Promise<Row[]> => (await pod.admin("GET", "/assemblies")).body.items;
const outcomes = async (pod: PodProcess, id: string): Promise<Outcomes> =>
  (await pod.admin("GET", `/assemblies/${id}/outcomes`)).body;
const received = (actor: NeighborPod) => actor.inbox.map((request) => JSON.parse(request.body.toString("utf8")));
/** The adoption state as a comparable list: pod and answer, sorted. */
const adoption = (o: Outcomes) => o.proposals.map((p) => p.answers.map((a) => `${a.actorIri} ${a.answer}`).sort());
const decisionsOf = async (pod: PodProcess) =>
  (
    (await pod.admin("GET", "/memory")).body.items as { kind: string; title: string; summary: string; body: string }[]
  ).filter((entry) => entry.kind === "decision");
const daysAgo = (days: number, hour: string) =>
  `${new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10)}T${hour}`;

describe("assemblies: proposals ratified by each pod, minutes, rotating convener", { timeout: 100_000 }, () => {
  let a: PodProcess;
  let b: PodProcess;
  let c: PodProcess;
  let d: PodProcess;
  let r: NeighborPod;
  let stranger: NeighborPod;
  let browser: Browser;
  let pageA: Page;
  let pageB: Page;
  let pageC: Page;
  const ids: Record<string, string> = {};
  let eventIri = "";
  let proposalIri = "";

  beforeAll(async () => {
    [a, b, c, d, r, stranger, browser] = await Promise.all([
      startPod("a"),
      startPod("b"),
      startPod("c"),
      startPod("d"),
      startNeighborPod("r"),
      startNeighborPod("stranger"),
      launchBrowser(),
    ]);
    await Promise.all([followAndWait(a, b), followAndWait(a, c), followAndWait(a, d)]);
    // A follows the remote actor; it answers with a signed Accept.
    expect((await a.admin("POST", "/following", { target: r.actorId })).status).toBe(202);
    await waitUntil(() => received(r).some((activity) => activity.type === "Follow"));
    const follow = received(r).find((activity) => activity.type === "Follow");
    expect((await r.deliver(inboxOf(a), r.activity("Accept", follow))).status).toBe(202);
    await waitUntil(async () =>
      (await a.admin("GET", "/following")).body.items.some(
        (f: { actorIri: string; state: string }) => f.actorIri === r.actorId && f.state === "accepted",
      ),
    );
    [{ page: pageA }, { page: pageB }, { page: pageC }] = await Promise.all([
      signedInPage(browser, a),
      signedInPage(browser, b),
      signedInPage(browser, c),
    ]);
  }, 90_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), c?.stop(), d?.stop(), r?.close(), stranger?.close(), browser?.close()]);
  });

  /** Verifies a delivery from A with the misskey library only, against the key A publishes. */
  async function verifiedFromA(delivery: ReceivedRequest) {
    const request: RequestLike = { method: delivery.method, url: delivery.url, headers: delivery.headers };
    const parsed = parseRequestSignature(request, { requiredComponents: { draft: MASTODON_SIGNED_HEADERS } });
    if (parsed.version !== "draft") throw new Error("not a draft-cavage signature");
    const actor = await a.getActivityPub(a.actorUrl);
    const key = [actor.publicKey].flat().find((k: { id: string }) => k.id === parsed.value.keyId);
    expect(key?.owner).toBe(a.actorUrl);
    expect(await verifyDraftSignature(parsed.value, key.publicKeyPem)).toBe(true);
    expect(await verifyDraftSignature(parsed.value, r.publicKeyPem)).toBe(false);
    expect(await verifyDigestHeader(request, new Uint8Array(delivery.body), true)).toBe(true);
    return JSON.parse(delivery.body.toString("utf8"));
  }

  it("A convenes a public assembly in the web app; the remote actor gets the signed Invite with the Event", async () => {
    await pageA.goto(`${a.url}/app/assemblies/new`);
    await pageA.fill("#f-title", "Autumn assembly");
    await pageA.fill("#f-startTime", daysAgo(2, "18:00"));
    await pageA.fill("#f-endTime", daysAgo(2, "20:00"));
    await pageA.fill("#f-placeName", "Riverside hall");
    await pageA.fill("#f-agenda", "# Agenda\n\n- reports\n- proposals");
    await pageA.check('input[name="visibility"][value="public"]');
    for (const pod of [b.actorUrl, c.actorUrl, d.actorUrl, r.actorId]) await pageA.check(`input[value="${pod}"]`);
    await pageA.click('form[action="/app/assemblies"] button[type=submit]');
    await pageA.waitForURL(/done=convened/);
    const [row] = await list(a);
    ids.a = row!.id;
    eventIri = row!.iri;
    expect((await outcomes(a, ids.a)).visibility).toBe("public");

    await waitUntil(() => received(r).some((activity) => activity.type === "Invite"));
    const delivery = r.inbox.find((request) => JSON.parse(request.body.toString("utf8")).type === "Invite")!;
    const invite = await verifiedFromA(delivery);
    expect(invite.object).toMatchObject({ type: "Event", id: eventIri, name: "Autumn assembly" });
    expect([invite.object.to].flat()).toContain("https://www.w3.org/ns/activitystreams#Public");
    await Promise.all(
      [b, c, d].map((pod) =>
        waitUntil(async () => {
          const found = (await list(pod)).find((item) => item.iri === eventIri);
          if (found) ids[pod === b ? "b" : pod === c ? "c" : "d"] = found.id;
          return found !== undefined;
        }),
      ),
    );
  });

  it("B accepts, C accepts tentatively in the browser, D declines, R tentatively: every copy agrees", async () => {
    expect((await b.admin("POST", `/assemblies/${ids.b}/answer`, { answer: "accepted" })).status).toBe(200);
    await pageC.goto(`${c.url}/app/assemblies/${ids.c}`);
    await pageC.check('input[name="answer"][value="tentative"]');
    await pageC.click('form[action$="/answer"] button[type=submit]');
    await pageC.waitForURL(/done=answered/);
    expect((await d.admin("POST", `/assemblies/${ids.d}/answer`, { answer: "rejected" })).status).toBe(200);
    const invite = received(r).find((activity) => activity.type === "Invite");
    expect((await r.deliver(inboxOf(a), r.activity("TentativeAccept", invite.id, { to: a.actorUrl }))).status).toBe(
      202,
    );
    const expected = [
      `${b.actorUrl} accepted`,
      `${c.actorUrl} tentative`,
      `${d.actorUrl} rejected`,
      `${r.actorId} tentative`,
    ].sort();
    for (const [pod, id] of [
      [a, ids.a],
      [b, ids.b],
      [c, ids.c],
    ] as const) {
      await waitUntil(async () => {
        const participants = (await pod.admin("GET", `/assemblies/${id}`)).body.participants;
        const answers = participants.map((p: { actorIri: string; answer: string }) => `${p.actorIri} ${p.answer}`);
        return JSON.stringify(answers.sort()) === JSON.stringify(expected);
      });
    }
    // The rotation: B is the only pod that accepted outright, so every copy names B as the next convener.
    for (const [pod, id] of [
      [a, ids.a],
      [b, ids.b],
      [c, ids.c],
    ] as const) {
      expect((await outcomes(pod, id!)).next).toEqual({ iri: b.actorUrl, confirmed: false });
    }
  });

  it("B's proposal reaches every participant; the remote actor gets the signed Announce and reads it at B", async () => {
    const sent = await b.admin("POST", `/assemblies/${ids.b}/proposals`, {
      title: "Shared flour fund",
      text: "Each pod puts 5 kg a month into a shared flour reserve.",
    });
    expect(sent.status).toBe(201);
    proposalIri = sent.body.iri;
    for (const [pod, id] of [
      [a, ids.a],
      [b, ids.b],
      [c, ids.c],
    ] as const) {
      await waitUntil(async () => (await outcomes(pod, id!)).proposals.length === 1);
    }
    expect((await outcomes(c, ids.c!)).proposals[0]).toMatchObject({ iri: proposalIri, title: "Shared flour fund" });

    await waitUntil(() =>
      received(r).some((activity) => activity.type === "Announce" && activity.object === proposalIri),
    );
    const delivery = r.inbox.find((request) => JSON.parse(request.body.toString("utf8")).object === proposalIri)!;
    const announce = await verifiedFromA(delivery);
    expect(announce).toMatchObject({ type: "Announce", actor: a.actorUrl, context: eventIri });
    // What a pod says in an assembly is read by participants only, with a signed fetch.
    expect((await fetch(proposalIri, { headers: { accept: "application/activity+json" } })).status).toBe(404);
    expect((await signedGet(stranger, proposalIri)).status).toBe(404);
    const signed = await signedGet(r, proposalIri);
    expect(signed.status).toBe(200);
    const note = await signed.json();
    expect(note).toMatchObject({ type: "Note", attributedTo: b.actorUrl, context: eventIri });
    expect(note.content).toContain("Shared flour fund");
    expect(note.name).toBeUndefined();
  });

  it("A and B adopt, C declines: each decisions log holds its own choice; every copy shows the same state", async () => {
    const ratify = (pod: PodProcess, id: string, answer: string, reason: string) =>
      pod.admin("POST", `/assemblies/${id}/ratifications`, { proposal: proposalIri, answer, reason });
    expect((await ratify(a, ids.a!, "adopted", "We have a baker with spare flour.")).status).toBe(201);
    // B decides in the web app.
    await pageB.goto(`${b.url}/app/assemblies/${ids.b}`);
    await pageB.fill("#f-reason-0", "Our members agreed at the Tuesday meeting.");
    await pageB.click('form[action$="/ratifications"] button[value="adopted"]');
    await pageB.waitForURL(/done=ratified/);
    expect((await ratify(c, ids.c!, "declined", "We cannot store flour.")).status).toBe(201);
    // A pod decides once.
    expect((await ratify(c, ids.c!, "adopted", "")).status).toBe(409);

    const expected = [
      `${a.actorUrl} adopted`,
      `${b.actorUrl} adopted`,
      `${c.actorUrl} declined`,
      `${r.actorId} pending`,
    ].sort();
    for (const [pod, id] of [
      [a, ids.a],
      [b, ids.b],
      [c, ids.c],
    ] as const) {
      await waitUntil(async () => JSON.stringify(adoption(await outcomes(pod, id!))) === JSON.stringify([expected]));
    }
    // Each pod's decisions log: its own decision, nobody else's.
    for (const [pod, word, reason] of [
      [a, "Adopted", "spare flour"],
      [b, "Adopted", "Tuesday meeting"],
      [c, "Declined", "cannot store"],
    ] as const) {
      const decisions = await decisionsOf(pod);
      expect(decisions, pod.url).toHaveLength(1);
      expect(decisions[0]!.title).toBe(`${word}: Shared flour fund`);
      expect(decisions[0]!.summary).toContain(reason);
      expect(decisions[0]!.body).toContain(proposalIri);
    }
    expect(await decisionsOf(d)).toHaveLength(0);
  });

  it("refuses a ratification from a pod that is not a participant: the convener's record is unchanged", async () => {
    const before = adoption(await outcomes(a, ids.a!));
    await stranger.deliver(inboxOf(a), stranger.activity("Accept", proposalIri, { to: a.actorUrl }));
    await waitUntil(() => a.logs().includes("ratification refused: not a participant's own"));
    expect(adoption(await outcomes(a, ids.a!))).toEqual(before);
  });

  it("refuses a relayed ratification that does not live on its author's origin; keeps an honest one", async () => {
    // R convenes its own assembly with B (R follows B, so B takes its invitation).
    await r.deliver(inboxOf(b), r.activity("Follow", b.actorUrl));
    await waitUntil(async () => (await collectionItems(b, `${b.actorUrl}/followers`)).includes(r.actorId));
    const event = {
      id: `${r.actorId}/events/winter`,
      type: "Event",
      name: "R's assembly",
      attributedTo: r.actorId,
      startTime: "2027-01-20T10:00:00Z",
      location: { type: "Place", name: "Plaza" },
      to: b.actorUrl,
    };
    r.publish(event);
    await r.deliver(inboxOf(b), r.activity("Invite", event, { to: b.actorUrl }));
    await waitUntil(async () => (await list(b)).some((row) => row.iri === event.id));
    const winter = (await list(b)).find((row) => row.iri === event.id)!;
    ids.winter = winter.id;
    expect((await b.admin("POST", `/assemblies/${winter.id}/answer`, { answer: "accepted" })).status).toBe(200);
    const proposal = {
      // As Mastodon writes it: Hashtag is not a term of the ActivityStreams context itself.
      "@context": ["https://www.w3.org/ns/activitystreams", { Hashtag: "as:Hashtag" }],
      id: `${r.actorId}/notes/proposal`,
      type: "Note",
      attributedTo: r.actorId,
      context: event.id,
      content: "<p>Open the plaza kitchen</p><p>Every Sunday.</p>",
      tag: [{ type: "Hashtag", name: "#proposal", href: `${r.origin}/tags/proposal` }],
    };
    r.publish(proposal);
    const announce = (objectIri: string, kind: string) =>
      r.activity("Announce", objectIri, {
        id: `${event.id}/${kind}/${encodeURIComponent(objectIri)}`,
        context: event.id,
        to: b.actorUrl,
        published: new Date().toISOString(),
      });
    await r.deliver(inboxOf(b), announce(proposal.id, "announces"));
    await waitUntil(async () => (await outcomes(b, winter.id)).proposals.length === 1);

    const ratification = (slug: string, actor: string) => ({
      "@context": "https://www.w3.org/ns/activitystreams",
      id: `${r.actorId}/ratifications/${slug}`,
      type: "Reject",
      actor,
      object: proposal.id,
      context: event.id,
    });
    // Served on R's origin but claiming to be B's own decision: not verifiable at its author's origin.
    const forged = ratification("forged", b.actorUrl);
    r.publish(forged);
    await r.deliver(inboxOf(b), announce(forged.id, "ratifications"));
    await waitUntil(() => b.logs().includes("announced ratification refused: not verified at origin"));
    const honest = ratification("honest", r.actorId);
    r.publish(honest);
    await r.deliver(inboxOf(b), announce(honest.id, "ratifications"));
    await waitUntil(async () =>
      (await outcomes(b, winter.id)).proposals[0]!.answers.some(
        (x) => x.actorIri === r.actorId && x.answer === "declined",
      ),
    );
    const answers = (await outcomes(b, winter.id)).proposals[0]!.answers;
    expect(answers.map((x) => `${x.actorIri} ${x.answer}`).sort()).toEqual(
      [`${b.actorUrl} pending`, `${r.actorId} declined`].sort(),
    );
  });

  it("A publishes the minutes; every copy shows them and the same confirmed next convener", async () => {
    await pageA.goto(`${a.url}/app/assemblies/${ids.a}`);
    expect(await pageA.inputValue("#f-nextConvener")).toBe(b.actorUrl);
    await pageA.fill("#f-summary", "A good first assembly.");
    await pageA.click('form[action$="/minutes"] button[type=submit]');
    await pageA.waitForURL(/done=minutes/);
    for (const [pod, id] of [
      [a, ids.a],
      [b, ids.b],
      [c, ids.c],
    ] as const) {
      await waitUntil(async () => (await outcomes(pod, id!)).minutesHtml !== null);
      const o = await outcomes(pod, id!);
      expect(o.next).toEqual({ iri: b.actorUrl, confirmed: true });
      expect(o.minutesHtml).toContain("Shared flour fund");
      expect(o.minutesHtml).toContain("A good first assembly.");
    }
    // The Article reaches the participants (here the remote actor) addressed to them only; it is not served.
    const minutesIri = (await outcomes(a, ids.a!)).minutesIri!;
    await waitUntil(() => received(r).some((activity) => activity.id === `${minutesIri}#create`));
    const article = received(r).find((activity) => activity.id === `${minutesIri}#create`).object;
    expect(article).toMatchObject({ type: "Article", attributedTo: a.actorUrl, context: eventIri });
    expect(article.content).toMatch(/Adopted by: .*, .*<br/);
    expect(JSON.stringify([article.to, article.cc])).not.toContain("Public");
    expect((await fetch(minutesIri, { headers: { accept: "application/activity+json" } })).status).toBe(404);
    // The readable Note for people: no name, no summary, outcomes only (not the convener's summary either).
    const note = await a.getActivityPub(`${minutesIri}/note`);
    expect(note.type).toBe("Note");
    expect(note.name).toBeUndefined();
    expect(note.summary).toBeUndefined();
    expect(note.content).toContain(minutesIri);
    expect(note.content).not.toContain("A good first assembly.");
    // Every copy's public page shows the outcomes, never the participants' words or links to them.
    for (const [pod, id] of [
      [a, ids.a],
      [b, ids.b],
    ] as const) {
      const page = await (await fetch(`${pod.url}/assemblies/${id}`)).text();
      expect(page).toContain("Shared flour fund");
      expect(page).not.toContain("A good first assembly.");
      expect(page).not.toContain("/assemblies/contributions/");
    }
  });

  it("the pages read well in English and Spanish on a phone; the public page needs no sign-in", async () => {
    // The assembly page once in each language (A's and B's share its components), the public page in both.
    await pageA.goto(`${a.url}/app/assemblies/${ids.a}?lang=es`);
    await checkPage(pageA, "assembly-outcomes-a-es");
    expect(await pageA.textContent("main")).toContain("Acta final");
    await pageB.goto(`${b.url}/app/assemblies/${ids.b}?lang=en`);
    await checkPage(pageB, "assembly-outcomes-b");
    // The same adoption state on B's page as on A's.
    const shown = async (page: Page) =>
      (await page.locator(".ratifications li").evaluateAll((items) => items.map((li) => li.dataset.answer))).sort();
    expect(await shown(pageB)).toEqual(["adopted", "adopted", "declined", "pending"]);
    expect(await shown(pageA)).toEqual(await shown(pageB));

    const anonymous = await (await newPhone(browser)).newPage();
    await anonymous.goto(`${a.url}/assemblies/${ids.a}?lang=es`);
    await checkPage(anonymous, "assembly-public-es", { screenshots: false });
    await anonymous.goto(`${a.url}/assemblies/${ids.a}?lang=en`);
    await checkPage(anonymous, "assembly-public");
    expect(await anonymous.textContent("main")).toContain("Shared flour fund");
    // A participants-only assembly has no public page.
    expect((await fetch(`${b.url}/assemblies/${ids.winter}`)).status).toBe(404);

    // B convenes next: its app offers the form, prefilled.
    await pageB.goto(`${b.url}/app/assemblies/${ids.b}`);
    await pageB.click(`a[href="/app/assemblies/new?after=${ids.b}"]`);
    expect(await pageB.inputValue("#f-title")).toBe("Autumn assembly (next)");
    expect(await pageB.inputValue("#f-agenda")).toContain("/minutes");
  });

  it("with the convener stopped, B and C still show the whole record, the ratifications and the minutes", async () => {
    const before = { b: await outcomes(b, ids.b!), c: await outcomes(c, ids.c!) };
    await a.stop();
    expect(await outcomes(b, ids.b!)).toEqual(before.b);
    expect(await outcomes(c, ids.c!)).toEqual(before.c);
    expect(adoption(before.b)).toEqual(adoption(before.c));
    await pageC.goto(`${c.url}/app/assemblies/${ids.c}`);
    expect(await pageC.textContent("main")).toContain("Shared flour fund");
  });
});
