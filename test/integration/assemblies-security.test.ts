/**
 * What an assembly's participants say stays among them: the public minutes (page, Note to followers) carry
 * outcomes only, the minutes' Article goes to the participants alone, a participants-only assembly serves no
 * minutes to anyone, and one assembly's crisis threads never reach another's agenda. A whole pod in process
 * (real SQLite file, real HTTP) with a remote actor (an independent implementation) as the invited participant.
 */
import { request as httpRequest } from "node:http";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assemblyRatifications } from "../../src/assemblies/schema.ts";
import { assemblyPledges } from "../../src/assemblies/schema-barter.ts";
import { startInProcessPod, type InProcessPod } from "../support/in-process-pod.ts";
import { adminCall, waitUntil } from "../support/pod-process.ts";
import { startNeighborPod, type NeighborPod } from "../support/neighbor-pod.ts";
import { signedGet, signedGetHeaders } from "../support/remote-actor.ts";
import { sqliteOf } from "../support/sqlite-of.ts";

const SECRET_WHAT = "Water in the Diaz family's flat";
const SECRET_PLACE = "Calle Mayor 12, 3B";
const SECRET_NEEDED = "Dry clothes for Ana, who is 7";
const SECRET_REPORT = "We helped Mr Lopez with his rent";
const daysFrom = (days: number, hour: string) =>
  `${new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)}T${hour}`;

describe("assemblies: participants' words stay among them; each answer counts once", { timeout: 60_000 }, () => {
  let pod: InProcessPod;
  let remote: NeighborPod;
  let stranger: NeighborPod;
  const admin = (method: string, path: string, body?: unknown) => adminCall(pod.url, method, path, body);
  const convene = async (title: string, visibility: string, start: string, end: string) => {
    const made = await admin("POST", "/assemblies", {
      title,
      startTime: start,
      endTime: end,
      placeName: "Community hall",
      invited: [remote.actorId],
      visibility,
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    return made.body as { id: string; iri: string };
  };
  const openCrisis = async (id: string, what: string) =>
    expect(
      (await admin("POST", `/assemblies/${id}/crises`, { what, place: SECRET_PLACE, needed: SECRET_NEEDED })).status,
    ).toBe(201);
  const get = (url: string, accept: string) => fetch(url, { headers: { accept } });
  const AP = "application/activity+json";
  const received = () => remote.inbox.map((request) => JSON.parse(request.body.toString("utf8")));

  /** GETs with exactly these headers (node:http: repeated header lines and any Host may be sent). */
  const rawGetStatus = (iri: string, headers: Record<string, string | string[]>) =>
    new Promise<number>((resolve, reject) => {
      const request = httpRequest(new URL(iri), { headers }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on("error", reject);
      request.end();
    });

  beforeAll(async () => {
    [remote, stranger] = await Promise.all([startNeighborPod("rosa"), startNeighborPod("stranger")]);
    pod = await startInProcessPod();
    // The pod follows the remote actor (it invites only pods it follows); the actor answers with a signed Accept.
    expect((await admin("POST", "/following", { target: remote.actorId })).status).toBe(202);
    await waitUntil(() => remote.inbox.some((request) => request.body.toString("utf8").includes('"Follow"')));
    const follow = remote.inbox
      .map((request) => JSON.parse(request.body.toString("utf8")))
      .find((activity) => activity.type === "Follow");
    expect((await remote.deliver(`${pod.actorUrl}/inbox`, remote.activity("Accept", follow))).status).toBe(202);
    await waitUntil(async () =>
      (await admin("GET", "/following")).body.items.some(
        (f: { actorIri: string; state: string }) => f.actorIri === remote.actorId && f.state === "accepted",
      ),
    );
  });
  afterAll(async () => {
    await pod?.close();
    await remote?.close();
    await stranger?.close();
  });

  it("a public assembly's page and Note to followers carry outcomes only; the Article goes to participants", async () => {
    const row = await convene("Autumn assembly", "public", daysFrom(-2, "18:00"), daysFrom(-2, "20:00"));
    await openCrisis(row.id, SECRET_WHAT);
    // The remote actor accepts the invitation: it attends, and the minutes' Article is delivered to it.
    await waitUntil(() => received().some((activity) => activity.type === "Invite" && activity.object?.id === row.iri));
    const invite = received().find((activity) => activity.type === "Invite" && activity.object?.id === row.iri);
    const accepted = await remote.deliver(
      `${pod.actorUrl}/inbox`,
      remote.activity("Accept", invite.id, { to: pod.actorUrl }),
    );
    expect(accepted.status).toBe(202);
    await waitUntil(async () =>
      (await admin("GET", `/assemblies/${row.id}`)).body.participants.some(
        (p: { answer: string | null }) => p.answer === "accepted",
      ),
    );
    const report = await admin("POST", `/assemblies/${row.id}/contributions`, { kind: "report", text: SECRET_REPORT });
    expect(report.status).toBe(201);
    const published = await admin("POST", `/assemblies/${row.id}/minutes`, { summary: "Calm evening." });
    expect(published.status).toBe(200);

    // The participants' copy keeps the quotes.
    const outcomes = (await admin("GET", `/assemblies/${row.id}/outcomes`)).body;
    expect(outcomes.minutesHtml).toContain(SECRET_REPORT);
    const secrets = [SECRET_WHAT, SECRET_PLACE, SECRET_NEEDED, SECRET_REPORT, "Calm evening", "/contributions/"];

    const page = await (await get(`${row.iri}/minutes`, "text/html")).text();
    expect(page).toContain("Autumn assembly");
    for (const secret of secrets) expect(page).not.toContain(secret);
    const eventPage = await (await get(row.iri, "text/html")).text();
    for (const secret of secrets) expect(eventPage).not.toContain(secret);

    const note = await get(`${row.iri}/minutes/note`, AP);
    expect(note.status).toBe(200);
    const noteText = await note.text();
    for (const secret of secrets) expect(noteText).not.toContain(secret);
    // The Article is not served at its IRI: it reached the participants by delivery, addressed to them only.
    expect((await get(`${row.iri}/minutes`, AP)).status).toBe(404);
    await waitUntil(() => received().some((activity) => activity.id === `${row.iri}/minutes#create`));
    const delivered = received().find((activity) => activity.id === `${row.iri}/minutes#create`);
    expect(delivered.object.content).toContain(SECRET_REPORT);
    expect(JSON.stringify([delivered.to, delivered.cc, delivered.object.to, delivered.object.cc])).not.toMatch(
      /Public/,
    );
  });

  it("a participants-only assembly serves no minutes, Article or Note, to anyone", async () => {
    const row = await convene("Closed assembly", "participants", daysFrom(-1, "18:00"), daysFrom(-1, "20:00"));
    await admin("POST", `/assemblies/${row.id}/contributions`, { kind: "report", text: SECRET_REPORT });
    expect((await admin("POST", `/assemblies/${row.id}/minutes`, {})).status).toBe(200);
    for (const path of ["/minutes", "/minutes/note"]) {
      for (const accept of [AP, "text/html"]) {
        const response = await get(`${row.iri}${path}`, accept);
        expect(response.status, `${path} as ${accept}`).toBe(404);
        expect(await response.text()).not.toContain(SECRET_REPORT);
      }
    }
  });

  it("contributions, ratifications and a closed assembly's Event are served to participants' signed fetches only", async () => {
    const row = await convene("Signed assembly", "participants", daysFrom(2, "18:00"), daysFrom(2, "20:00"));
    const report = await admin("POST", `/assemblies/${row.id}/contributions`, { kind: "report", text: SECRET_REPORT });
    expect(report.status).toBe(201);
    const proposal = await admin("POST", `/assemblies/${row.id}/proposals`, {
      title: "Share the van",
      text: "Weekly.",
    });
    expect(proposal.status).toBe(201);
    const ratified = await admin("POST", `/assemblies/${row.id}/ratifications`, {
      proposal: proposal.body.iri,
      answer: "adopted",
    });
    expect(ratified.status, JSON.stringify(ratified.body)).toBe(201);
    const ratification = sqliteOf(pod.pod)
      .db.select()
      .from(assemblyRatifications)
      .where(eq(assemblyRatifications.assemblyId, row.id))
      .get()!.iri;
    for (const iri of [report.body.iri as string, ratification, row.iri]) {
      const unsigned = await get(iri, AP);
      expect(unsigned.status, `unsigned ${iri}`).toBe(404);
      expect(await unsigned.text()).not.toContain(SECRET_REPORT);
      expect((await signedGet(stranger, iri)).status, `stranger ${iri}`).toBe(404);
      // A stranger's signature under the participant's key id does not verify.
      expect((await signedGet({ keyId: remote.keyId, privateKeyPem: stranger.privateKeyPem }, iri)).status).toBe(404);
      const participant = await signedGet(remote, iri);
      expect(participant.status, `participant ${iri}`).toBe(200);
      expect(participant.headers.get("cache-control")).toBe("private, no-store");
      expect((await participant.json()).id).toBe(iri);
    }
    // A participant's valid signature sent twice (two Signature header lines) is refused, not taken as one.
    const headers = await signedGetHeaders(remote, report.body.iri);
    expect(await rawGetStatus(report.body.iri, headers)).toBe(200);
    expect(
      await rawGetStatus(report.body.iri, { ...headers, signature: [headers.signature!, headers.signature!] }),
    ).toBe(404);
    // A participant's signature made for another server, replayed here (its Host names that server).
    const elsewhere = new URL(report.body.iri);
    elsewhere.host = `evil.example:${elsewhere.port}`;
    const replayed = await signedGetHeaders(remote, elsewhere.href);
    expect(await rawGetStatus(report.body.iri, replayed)).toBe(404);
    // A key id on the stranger's origin whose document claims to be the participant, with one key that bears the
    // participant's key id and the stranger's public key (a key id without a fragment takes an actor's only key).
    stranger.documents.set("/impostor", {
      "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
      id: remote.actorId,
      type: "Service",
      inbox: `${stranger.origin}/inbox`,
      publicKey: { id: remote.keyId, owner: remote.actorId, publicKeyPem: stranger.publicKeyPem },
    });
    const impostor = { keyId: `${stranger.origin}/impostor`, privateKeyPem: stranger.privateKeyPem };
    expect((await signedGet(impostor, report.body.iri)).status).toBe(404);
    const open = await convene("Open signed assembly", "public", daysFrom(4, "18:00"), daysFrom(4, "20:00"));
    expect((await get(open.iri, AP)).status).toBe(200);
  });

  it("an agenda drafts only its own assembly's crises, by title alone; its bare URLs stay text", async () => {
    const closed = await convene("Private one", "participants", daysFrom(5, "18:00"), daysFrom(5, "20:00"));
    await openCrisis(closed.id, SECRET_WHAT);
    const open = await convene("Open one", "public", daysFrom(6, "18:00"), daysFrom(6, "20:00"));
    await openCrisis(open.id, "Roof leak, photos at https://evil.example/p");
    const draft = (await admin("POST", `/assemblies/${open.id}/agenda/redraft`)).body.markdown as string;
    expect(draft).toContain("Roof leak");
    for (const secret of [SECRET_WHAT, SECRET_PLACE, SECRET_NEEDED]) expect(draft).not.toContain(secret);
    const published = await admin("POST", `/assemblies/${open.id}/agenda`, { markdown: draft });
    expect(published.status).toBe(200);
    expect(published.body.agendaHtml).toContain("https://evil.example/p");
    expect(published.body.agendaHtml).not.toContain("<a");
  });

  it("a relayed ratification is fetched only from a participant's origin, and counts only for this record", async () => {
    // The remote actor convenes its own assembly with this pod (it follows the pod, so the pod takes the invitation).
    await remote.deliver(`${pod.actorUrl}/inbox`, remote.activity("Follow", pod.actorUrl));
    const event = {
      id: `${remote.actorId}/events/winter`,
      type: "Event",
      name: "Rosa's assembly",
      attributedTo: remote.actorId,
      startTime: "2027-01-20T10:00:00Z",
      location: { type: "Place", name: "Plaza" },
      to: pod.actorUrl,
    };
    remote.publish(event);
    await waitUntil(async () => {
      await remote.deliver(`${pod.actorUrl}/inbox`, remote.activity("Invite", event, { to: pod.actorUrl }));
      return ((await admin("GET", "/assemblies")).body.items as { iri: string }[]).some((r) => r.iri === event.id);
    });
    const winter = ((await admin("GET", "/assemblies")).body.items as { id: string; iri: string }[]).find(
      (r) => r.iri === event.id,
    )!;
    expect((await admin("POST", `/assemblies/${winter.id}/answer`, { answer: "accepted" })).status).toBe(200);
    const announce = (objectIri: string) =>
      remote.activity("Announce", objectIri, {
        id: `${event.id}/ratifications/${encodeURIComponent(objectIri)}`,
        context: event.id,
        to: pod.actorUrl,
        published: new Date().toISOString(),
      });
    const ratification = (slug: string, proposal: string) => ({
      "@context": "https://www.w3.org/ns/activitystreams",
      id: `${remote.actorId}/ratifications/${slug}`,
      type: "Reject",
      actor: remote.actorId,
      object: proposal,
      context: event.id,
    });
    // A third server's IRI: never fetched (it is no participant's).
    const elsewhere = `${stranger.actorId}/ratifications/elsewhere`;
    stranger.publish({ ...ratification("elsewhere", `${remote.actorId}/notes/x`), id: elsewhere });
    await remote.deliver(`${pod.actorUrl}/inbox`, announce(elsewhere));
    // The convener's own decision on a proposal that is not in this assembly's record: fetched, not kept.
    const foreign = ratification("foreign", `${remote.actorId}/notes/not-in-this-record`);
    remote.publish(foreign);
    expect((await remote.deliver(`${pod.actorUrl}/inbox`, announce(foreign.id))).status).toBe(202);
    await waitUntil(() => remote.gets.some((request) => request.url.endsWith("/ratifications/foreign")));
    // The pod fetches it signed, as a participant (the deciding pod serves it to participants only).
    const fetchedWith = remote.gets.find((request) => request.url.endsWith("/ratifications/foreign"))!.headers;
    expect(String(fetchedWith.signature ?? fetchedWith["signature-input"])).toContain(new URL(pod.actorUrl).host);
    const kept = () =>
      sqliteOf(pod.pod)
        .db.select()
        .from(assemblyRatifications)
        .where(eq(assemblyRatifications.assemblyId, winter.id))
        .all();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(stranger.gets.filter((request) => request.url.includes("/ratifications/"))).toEqual([]);
    expect(kept()).toEqual([]);
  });

  it("confirming a pledge twice at once claims the offer once; a day not in the calendar is refused by name", async () => {
    const offer = await admin("POST", "/offers", {
      name: "Flour",
      category: "food",
      quantity: 50,
      unit: "kg",
      area: { name: "Riverside" },
    });
    expect(offer.status).toBe(201);
    const row = await convene("Pledging assembly", "participants", daysFrom(3, "18:00"), daysFrom(3, "20:00"));
    const pledgeIri = `${pod.url}/assemblies/contributions/00000000-0000-7000-8000-000000000001`;
    sqliteOf(pod.pod)
      .db.insert(assemblyPledges)
      .values({
        iri: pledgeIri,
        assemblyId: row.id,
        proposerIri: pod.actorUrl,
        giverIri: pod.actorUrl,
        receiverIri: remote.actorId,
        offerIri: `${pod.url}/offers/${offer.body.id}`,
        offerName: "Flour",
        quantityMilli: 20_000,
        unit: "kg",
        due: daysFrom(4, "").slice(0, 10),
        state: "proposed",
        confirmationIri: null,
        confirmedAt: null,
        claimId: null,
        createdAt: new Date().toISOString(),
      })
      .run();
    // Two confirmations started together (a double submit): called directly, so that they truly interleave.
    const { pledges } = pod.pod.assemblyBarter;
    const assembly = await pod.pod.assemblies.get(row.id);
    const answers = await Promise.allSettled([
      pledges.confirm(assembly, pledgeIri),
      pledges.confirm(assembly, pledgeIri),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual(["fulfilled", "rejected"]);
    const claims = (await admin("GET", `/offers/${offer.body.id}`)).body.claims;
    expect(claims).toHaveLength(1);

    const pledged = await admin("POST", `/assemblies/${row.id}/pledges`, {
      offerIri: `${pod.url}/offers/${offer.body.id}`,
      receiverIri: remote.actorId,
      quantity: 5,
      due: "2027-02-31",
    });
    expect(pledged.status).toBe(400);
    expect(JSON.stringify(pledged.body)).toContain("due");
  });

  it("ratifying a proposal twice at once writes one decision", async () => {
    const row = await convene("Deciding assembly", "participants", daysFrom(3, "10:00"), daysFrom(3, "12:00"));
    const proposed = await admin("POST", `/assemblies/${row.id}/proposals`, {
      title: "Shared seed library",
      text: "Each pod keeps a shelf.",
    });
    expect(proposed.status).toBe(201);
    const decisions = async () =>
      ((await admin("GET", "/memory")).body.items as { kind: string; title: string }[]).filter(
        (entry) => entry.kind === "decision" && entry.title.includes("Shared seed library"),
      );
    // Called directly, so that the two truly interleave (a double submit).
    const { ratification } = pod.pod.assemblyOutcomes;
    const input = { proposal: proposed.body.iri, answer: "adopted" as const, reason: "", group: "" };
    const answers = await Promise.allSettled([ratification.ratify(row.id, input), ratification.ratify(row.id, input)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(await decisions()).toHaveLength(1);
  });

  it("an answer left without its decision (the process stopped) is decided again after a minute, not before", async () => {
    const row = await convene("Interrupted assembly", "participants", daysFrom(3, "14:00"), daysFrom(3, "16:00"));
    const proposed = await admin("POST", `/assemblies/${row.id}/proposals`, { title: "Tool shed", text: "Shared." });
    expect(proposed.status).toBe(201);
    const { db } = sqliteOf(pod.pod);
    const left = (iri: string, agoMs: number) =>
      db
        .insert(assemblyRatifications)
        .values({
          iri,
          assemblyId: row.id,
          proposalIri: proposed.body.iri,
          actorIri: pod.actorUrl,
          answer: "declined",
          decisionId: null,
          decidedAt: new Date(Date.now() - agoMs).toISOString(),
        })
        .run();
    const ratify = () =>
      admin("POST", `/assemblies/${row.id}/ratifications`, { proposal: proposed.body.iri, answer: "adopted" });
    // Taken 5 s ago: its run may still be writing the decision.
    left(`${pod.url}/assemblies/ratifications/00000000-0000-7000-8000-0000000000aa`, 5_000);
    expect((await ratify()).status).toBe(409);
    db.delete(assemblyRatifications).where(eq(assemblyRatifications.proposalIri, proposed.body.iri)).run();
    // Taken two minutes ago and never decided: this answer takes it over.
    const abandoned = `${pod.url}/assemblies/ratifications/00000000-0000-7000-8000-0000000000ab`;
    left(abandoned, 120_000);
    const answered = await ratify();
    expect(answered.status, JSON.stringify(answered.body)).toBe(201);
    const kept = db
      .select()
      .from(assemblyRatifications)
      .where(eq(assemblyRatifications.proposalIri, proposed.body.iri))
      .all();
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ iri: abandoned, answer: "adopted" });
    expect(kept[0]!.decisionId).not.toBeNull();
    expect((await ratify()).status).toBe(409);
  });

  it("minutes whose tags are given as URLs fetch none of them (after the relayed-ratification test)", async () => {
    const eventIri = `${remote.actorId}/events/winter`;
    const winter = ((await admin("GET", "/assemblies")).body.items as { id: string; iri: string }[]).find(
      (r) => r.iri === eventIri,
    )!;
    const article = {
      id: `${eventIri}/minutes`,
      type: "Article",
      attributedTo: remote.actorId,
      name: "Minutes",
      content: "<p>Done.</p>",
      context: eventIri,
      to: pod.actorUrl,
      tag: Array.from({ length: 30 }, (_, i) => `${stranger.origin}/tags/${i}`),
    };
    const create = remote.activity("Create", article, { to: pod.actorUrl });
    expect((await remote.deliver(`${pod.actorUrl}/inbox`, create)).status).toBe(202);
    await waitUntil(async () => (await admin("GET", `/assemblies/${winter.id}/outcomes`)).body.minutesHtml !== null);
    expect(stranger.gets.filter((request) => request.url.includes("/tags/"))).toEqual([]);
  });
});
