/**
 * What the assemblies room's JSON means to an independent JSON-LD processor (the `jsonld` package, only the
 * contexts Fedify preloads): the Event, the Invite, the answers, the contribution Note, its Create and the
 * convener's Announce all expand to ActivityStreams IRIs, with no term left undefined.
 */
import { createRequire } from "node:module";
import { preloadedContexts } from "@fedify/vocab-runtime";
import { beforeAll, describe, expect, it } from "vitest";
import type { Assembly } from "../../src/assemblies/model.ts";
import {
  answerActivity,
  answerAnnounce,
  assemblyInvite,
  assemblyToEvent,
  contributionAnnounce,
  contributionCreate,
  contributionNote,
} from "../../src/assemblies/to-as.ts";
import {
  minutesArticle,
  minutesCreate,
  minutesIriOf,
  minutesNote,
  minutesNoteIriOf,
  noOutcomes,
  ratificationActivity,
  ratificationAnnounce,
  ratificationAnnouncePrefix,
} from "../../src/assemblies/outcomes-as.ts";
import {
  CLOSED,
  CONFIRMED,
  crisisOf,
  pledgeOf,
  tagNames,
  withCrisis,
  withMarker,
  withPledge,
} from "../../src/assemblies/to-as-barter.ts";
import { Note, Update } from "@fedify/vocab";
import { converterContext, type ConverterContext } from "../support/converter-context.ts";

type Loader = (url: string) => Promise<{ contextUrl: null; document: unknown; documentUrl: string }>;
const jsonld = createRequire(import.meta.url)("jsonld") as {
  expand(input: unknown, options: { documentLoader: Loader; safe: boolean }): Promise<Node[]>;
};
type Node = Record<string, { "@id"?: string; "@value"?: unknown; "@type"?: unknown }[]> & {
  "@id"?: string;
  "@type"?: string[];
};

const AS = "https://www.w3.org/ns/activitystreams#";
const VF = "https://w3id.org/valueflows/ont/vf#";
const OM2 = "http://www.ontology-of-units-of-measure.org/resource/om-2/";
const SCHEMA = "http://schema.org#";
const XSD = "http://www.w3.org/2001/XMLSchema#";
const documentLoader: Loader = async (url) => {
  if (!Object.hasOwn(preloadedContexts, url)) throw new Error(`refusing to fetch a remote context: ${url}`);
  return { contextUrl: null, document: preloadedContexts[url], documentUrl: url };
};

/** Keys or types a context did not define expand to blank-node IRIs ("_:term"). */
const undefinedTerms = (value: unknown): string[] => JSON.stringify(value).match(/"_:[^"]+"/g) ?? [];

async function expand(object: { toJsonLd(): Promise<unknown> }): Promise<Node> {
  const expanded = await jsonld.expand(await object.toJsonLd(), { documentLoader, safe: true });
  expect(expanded).toHaveLength(1);
  expect(undefinedTerms(expanded)).toEqual([]);
  return expanded[0]!;
}
const first = (node: Node, term: string) => {
  const found = node[`${AS}${term}`];
  expect(found, `${term} in ${Object.keys(node).join(", ")}`).toBeDefined();
  return found![0]!;
};
const idsOf = (node: Node, term: string) => (node[`${AS}${term}`] ?? []).map((v) => v["@id"]);

const B = "https://b.example/users/pod";
const C = "https://c.example/users/pod";
let env: ConverterContext;
let row: Assembly;
beforeAll(async () => {
  env = await converterContext();
  row = {
    id: "0190f3a2-7c1e-7000-8000-0000000000aa",
    iri: "https://pod.example/assemblies/0190f3a2-7c1e-7000-8000-0000000000aa",
    inviteIri: "https://pod.example/assemblies/0190f3a2-7c1e-7000-8000-0000000000aa#invite",
    role: "convener",
    convenerIri: "https://pod.example/users/pod",
    convenerInbox: null,
    title: "Winter assembly",
    startTime: "2026-12-15T17:00:00.000Z",
    endTime: "2026-12-15T19:00:00.000Z",
    timeZone: "Europe/Madrid",
    placeName: "Community hall",
    onlineUrl: "https://meet.example/winter",
    agendaHtml: "<h2>Agenda</h2><ul><li>reports</li></ul>",
    answer: null,
    createdAt: "2026-11-29T20:00:00.000Z",
    visibility: "participants",
    ...noOutcomes,
  };
});

describe("assemblies on the wire expand to ActivityStreams", () => {
  it("the Event: name, times, a Place (name, online url), the agenda as content, to the invited", async () => {
    const event = await expand(assemblyToEvent(row, [B, C]));
    expect(event["@id"]).toBe(row.iri);
    expect(event["@type"]).toEqual([`${AS}Event`]);
    expect(first(event, "name")["@value"]).toBe("Winter assembly");
    expect(first(event, "startTime")).toEqual({ "@type": `${XSD}dateTime`, "@value": "2026-12-15T17:00:00Z" });
    expect(first(event, "endTime")["@value"]).toBe("2026-12-15T19:00:00Z");
    expect(first(event, "content")["@value"]).toContain("<h2>Agenda</h2>");
    expect(first(event, "attributedTo")["@id"]).toBe(row.convenerIri);
    expect(idsOf(event, "to").sort()).toEqual([B, C]);
    expect(JSON.stringify(event)).not.toContain(`${AS}Public`);
    const place = first(event, "location") as unknown as Node;
    expect(place["@type"]).toEqual([`${AS}Place`]);
    expect(first(place, "name")["@value"]).toBe("Community hall");
    expect(first(place, "url")["@id"]).toBe("https://meet.example/winter");
  });

  it("the Invite: actor the pod, object the Event, to each invited pod", async () => {
    const invite = await expand(assemblyInvite(row, [B, C]));
    expect(invite["@type"]).toEqual([`${AS}Invite`]);
    expect(invite["@id"]).toBe(row.inviteIri);
    expect(first(invite, "actor")["@id"]).toBe(row.convenerIri);
    expect((first(invite, "object") as unknown as Node)["@type"]).toEqual([`${AS}Event`]);
    expect(idsOf(invite, "to").sort()).toEqual([B, C]);
  });

  it("the answers: Accept, TentativeAccept, Reject name the Invite; Leave names the Event", async () => {
    const types = { accepted: "Accept", tentative: "TentativeAccept", rejected: "Reject", left: "Leave" } as const;
    for (const [kind, type] of Object.entries(types)) {
      const id = new URL(`https://b.example/assemblies/x/answers/${kind}`);
      const answer = await expand(answerActivity(new URL(B), row, kind as keyof typeof types, id));
      expect(answer["@type"]).toEqual([`${AS}${type}`]);
      expect(first(answer, "actor")["@id"]).toBe(B);
      expect(first(answer, "object")["@id"]).toBe(kind === "left" ? row.iri : row.inviteIri);
      expect(idsOf(answer, "to")).toEqual([row.convenerIri]);
    }
  });

  it("a contribution: a Note in the assembly's context, its reply target, its kind as a Hashtag", async () => {
    const note = contributionNote(
      env.config,
      {
        iri: "https://b.example/assemblies/contributions/1",
        eventIri: row.iri,
        authorIri: B,
        kind: "reply",
        contentHtml: "<p>We can send flour.</p>",
        inReplyTo: "https://pod.example/assemblies/contributions/0",
        publishedAt: "2026-12-15T17:10:00.000Z",
      },
      row.convenerIri,
    );
    const expanded = await expand(note);
    expect(expanded["@type"]).toEqual([`${AS}Note`]);
    expect(first(expanded, "context")["@id"]).toBe(row.iri);
    expect(first(expanded, "inReplyTo")["@id"]).toBe("https://pod.example/assemblies/contributions/0");
    expect(first(expanded, "attributedTo")["@id"]).toBe(B);
    expect(idsOf(expanded, "to")).toEqual([row.convenerIri]);
    const tag = first(expanded, "tag") as unknown as Node;
    expect(tag["@type"]).toEqual([`${AS}Hashtag`]);
    expect(first(tag, "name")["@value"]).toBe("#reply");

    const create = await expand(contributionCreate(note, new URL(B)));
    expect(create["@type"]).toEqual([`${AS}Create`]);
    expect((first(create, "object") as unknown as Node)["@id"]).toBe("https://b.example/assemblies/contributions/1");
  });

  it("the convener's Announce: of the contribution's IRI, in the assembly's context, to the participants", async () => {
    const at = new Date("2026-12-15T17:11:00.000Z");
    const iri = "https://b.example/assemblies/contributions/1";
    const announce = await expand(contributionAnnounce(new URL(row.convenerIri), row.iri, iri, [B, C], at));
    expect(announce["@type"]).toEqual([`${AS}Announce`]);
    expect(first(announce, "actor")["@id"]).toBe(row.convenerIri);
    expect(first(announce, "object")["@id"]).toBe(iri);
    expect(first(announce, "context")["@id"]).toBe(row.iri);
    expect(first(announce, "published")["@value"]).toBe("2026-12-15T17:11:00Z");
    expect(idsOf(announce, "to").sort()).toEqual([B, C]);

    const answer = answerActivity(new URL(C), row, "rejected", new URL("https://c.example/assemblies/x/answers/1"));
    const relayed = await expand(answerAnnounce(new URL(row.convenerIri), row.iri, answer, [B]));
    expect((first(relayed, "object") as unknown as Node)["@type"]).toEqual([`${AS}Reject`]);
  });

  const contribution = (kind: "pledge" | "crisis" | "reply", iri: string, inReplyTo: string | null = null) =>
    contributionNote(
      env.config,
      {
        iri,
        eventIri: row.iri,
        authorIri: B,
        kind,
        contentHtml: "<p>Riverside sends 20 kg of flour to Hillside by 2026-12-18.</p>",
        inReplyTo,
        publishedAt: "2026-12-15T17:10:00.000Z",
      },
      row.convenerIri,
    );
  const terms = {
    giverIri: C,
    receiverIri: B,
    offerIri: "https://c.example/offers/0190f3a2-7c1e-7000-8000-0000000000cc",
    offerName: "Flour",
    quantityMilli: 20_000,
    unit: "kg",
    dueBy: new Date("2026-12-18T23:00:00.000Z"),
  };
  /** Through JSON and back, as a pod receiving it reads it. */
  const roundTrip = async (note: Note) =>
    Note.fromJsonLd(await note.toJsonLd(), { documentLoader, contextLoader: documentLoader });

  it("a pledge: a Note tagged #pledge with an FEP-0837 Agreement (Commitment, Measure) and the two pods", async () => {
    const note = withPledge(contribution("pledge", "https://b.example/assemblies/contributions/p1"), terms);
    const expanded = await expand(note);
    expect(expanded["@type"]).toEqual([`${AS}Note`]);
    expect(first(expanded, "context")["@id"]).toBe(row.iri);
    expect(first(first(expanded, "tag") as unknown as Node, "name")["@value"]).toBe("#pledge");
    const attachments = expanded[`${AS}attachment`] as unknown as Node[];
    const agreement = attachments.find((item) => item["@type"]?.includes(`${VF}Agreement`))!;
    expect(agreement["@id"]).toBe("https://b.example/assemblies/contributions/p1#agreement");
    expect(first(agreement, "name")["@value"]).toBe("Flour");
    expect(first(agreement, "endTime")["@value"]).toBe("2026-12-18T23:00:00Z");
    const commitment = agreement[`${VF}stipulates`]![0] as unknown as Node;
    expect(commitment["@type"]).toEqual([`${VF}Commitment`]);
    expect((commitment[`${VF}satisfies`] as unknown as Node[])[0]!["@id"]).toBe(terms.offerIri);
    const measure = (commitment[`${VF}resourceQuantity`] as unknown as Node[])[0]!;
    expect(measure["@type"]).toEqual([`${OM2}Measure`]);
    expect(JSON.stringify(measure)).toContain('"kg"');
    const values = attachments
      .filter((item) => item["@type"]?.includes(`${SCHEMA}PropertyValue`))
      .map((item) => [item[`${AS}name`]![0]!["@value"], item[`${SCHEMA}value`]![0]!["@value"]]);
    expect(values).toEqual([
      ["provider", C],
      ["receiver", B],
    ]);
    // What a receiving pod reads back from the JSON.
    const read = await pledgeOf(await roundTrip(note));
    expect(read).toEqual(terms);
    expect(await tagNames(await roundTrip(note))).toEqual(["pledge"]);
  });

  it("a confirmation and a closing: replies tagged #reply and #confirmed / #closed", async () => {
    const pledge = "https://b.example/assemblies/contributions/p1";
    for (const marker of [CONFIRMED, CLOSED] as const) {
      const note = withMarker(env.config, contribution("reply", `https://c.example/c/${marker}`, pledge), marker);
      const expanded = await expand(note);
      expect(first(expanded, "inReplyTo")["@id"]).toBe(pledge);
      const names = (expanded[`${AS}tag`] as unknown as Node[]).map((tag) => first(tag, "name")["@value"]);
      expect(names).toEqual(["#reply", `#${marker}`]);
      expect(await tagNames(await roundTrip(note))).toEqual(["reply", marker]);
    }
  });

  it("a crisis: a Note tagged #crisis, its place a Place, what and what is needed as PropertyValues", async () => {
    const crisis = { what: "Flood on the north bank", place: "North bank", needed: "Sandbags, dry food" };
    const note = withCrisis(contribution("crisis", "https://b.example/assemblies/contributions/k1"), crisis);
    const expanded = await expand(note);
    const place = first(expanded, "location") as unknown as Node;
    expect(place["@type"]).toEqual([`${AS}Place`]);
    expect(first(place, "name")["@value"]).toBe("North bank");
    expect(await crisisOf(await roundTrip(note))).toEqual(crisis);
    // A Note without the structure reads as no crisis: a plain contribution only.
    expect(await crisisOf(await roundTrip(contribution("crisis", "https://b.example/c/plain")))).toBeNull();
    expect(await pledgeOf(await roundTrip(contribution("pledge", "https://b.example/c/plain")))).toBeNull();
  });

  it("the published agenda: an Update whose object is the Event with the new content", async () => {
    const event = assemblyToEvent({ ...row, agendaHtml: "<h2>Reports</h2>" }, [B, C]);
    const update = await expand(
      new Update({
        id: new URL(`${row.iri}#agenda-1`),
        actor: new URL(row.convenerIri),
        object: event,
        tos: event.toIds,
      }),
    );
    expect(update["@type"]).toEqual([`${AS}Update`]);
    const object = first(update, "object") as unknown as Node;
    expect(object["@type"]).toEqual([`${AS}Event`]);
    expect(first(object, "content")["@value"]).toBe("<h2>Reports</h2>");
    expect(idsOf(update, "to").sort()).toEqual([B, C]);
  });
});

describe("assemblies' outcomes on the wire expand to ActivityStreams", () => {
  const proposal = "https://b.example/assemblies/contributions/p1";
  const ratification = (answer: "adopted" | "declined") => ({
    iri: `https://c.example/assemblies/ratifications/${answer}`,
    actorIri: C,
    proposalIri: proposal,
    eventIri: row.iri,
    convenerIri: row.convenerIri,
    answer,
    decidedAt: "2026-12-15T18:30:00.000Z",
  });

  it("a ratification: Accept (adopted) or Reject (declined) of the proposal, in the assembly's context", async () => {
    for (const [answer, type] of [
      ["adopted", "Accept"],
      ["declined", "Reject"],
    ] as const) {
      const expanded = await expand(ratificationActivity(ratification(answer)));
      expect(expanded["@type"]).toEqual([`${AS}${type}`]);
      expect(expanded["@id"]).toBe(ratification(answer).iri);
      expect(first(expanded, "actor")["@id"]).toBe(C);
      expect(first(expanded, "object")["@id"]).toBe(proposal);
      expect(first(expanded, "context")["@id"]).toBe(row.iri);
      expect(idsOf(expanded, "to")).toEqual([row.convenerIri]);
      expect(first(expanded, "published")["@value"]).toBe("2026-12-15T18:30:00Z");
    }
  });

  it("the convener's Announce of a ratification: by its IRI, under the ratifications prefix", async () => {
    const at = new Date("2026-12-15T18:31:00.000Z");
    const iri = ratification("declined").iri;
    const announce = await expand(ratificationAnnounce(new URL(row.convenerIri), row.iri, iri, [B, C], at));
    expect(announce["@type"]).toEqual([`${AS}Announce`]);
    expect(announce["@id"]!.startsWith(ratificationAnnouncePrefix(row.iri))).toBe(true);
    expect(first(announce, "object")["@id"]).toBe(iri);
    expect(first(announce, "context")["@id"]).toBe(row.iri);
    expect(idsOf(announce, "to").sort()).toEqual([B, C]);
  });

  const minutes = (visibility: "participants" | "public") => ({
    row: { ...row, visibility, minutesAt: "2026-12-16T09:00:00.000Z" },
    to: [B, C],
    title: "Minutes: Winter assembly",
    html: "<h3>Proposals</h3><ul><li>Shared flour fund</li></ul>",
    noteHtml: "<p>The minutes are published.</p>",
    nextConvener: { iri: B, name: "@pod@b.example" },
  });

  it("the minutes: an Article in the assembly's context naming the next convener as a Mention", async () => {
    const article = await expand(minutesArticle(minutes("participants")));
    expect(article["@type"]).toEqual([`${AS}Article`]);
    expect(article["@id"]).toBe(minutesIriOf(row));
    expect(first(article, "name")["@value"]).toBe("Minutes: Winter assembly");
    expect(first(article, "content")["@value"]).toContain("Shared flour fund");
    expect(first(article, "context")["@id"]).toBe(row.iri);
    expect(first(article, "attributedTo")["@id"]).toBe(row.convenerIri);
    expect(idsOf(article, "to").sort()).toEqual([B, C]);
    const mention = first(article, "tag") as unknown as Node;
    expect(mention["@type"]).toEqual([`${AS}Mention`]);
    expect(first(mention, "href")["@id"]).toBe(B);

    const create = await expand(minutesCreate(minutesArticle(minutes("participants")), new URL(row.convenerIri)));
    expect(create["@type"]).toEqual([`${AS}Create`]);
    expect((first(create, "object") as unknown as Node)["@id"]).toBe(minutesIriOf(row));
  });

  it("the minutes' readable Note: no name, no summary, a Link to the Article; Public only when public", async () => {
    const note = await expand(minutesNote(minutes("public")));
    expect(note["@type"]).toEqual([`${AS}Note`]);
    expect(note["@id"]).toBe(minutesNoteIriOf(row));
    expect(note[`${AS}name`]).toBeUndefined();
    expect(note[`${AS}summary`]).toBeUndefined();
    expect(first(note, "url")["@id"]).toBe(minutesIriOf(row));
    const link = first(note, "tag") as unknown as Node;
    expect(link["@type"]).toEqual([`${AS}Link`]);
    expect(first(link, "href")["@id"]).toBe(minutesIriOf(row));
    expect(idsOf(note, "to")).toContain(`${AS}Public`);
    expect(idsOf(await expand(minutesNote(minutes("participants"))), "to")).not.toContain(`${AS}Public`);
  });

  it("a public assembly's Event is addressed to Public as well as to the invited", async () => {
    const event = await expand(assemblyToEvent({ ...row, visibility: "public" }, [B, C]));
    expect(idsOf(event, "to").sort()).toEqual([`${AS}Public`, B, C].sort());
  });
});
