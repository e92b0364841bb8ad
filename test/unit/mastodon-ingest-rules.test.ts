/**
 * The rules from Mastodon's ingest code that the pod's output relies on, one `it` per rule, checked on the
 * JSON we actually emit (`toJsonLd()`), the way Mastodon reads it: as plain JSON, comparing strings.
 * docs/mastodon-ingest-rules.md lists the rules with the Mastodon source each comes from.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { podActor } from "../../src/federation/actor.ts";
import { statusToNote, visibilityOf } from "../../src/social/activitypub.ts";
import { charterActivities } from "../../src/charters/to-as.ts";
import {
  charterIri,
  charterNoteIri,
  offerIri,
  offerNoteIri,
  memoryIri,
  memoryNoteIri,
  practiceIri,
  practiceNoteIri,
} from "../../src/publishing/iris.ts";
import { STREAMS } from "../../src/publishing/kinds.ts";
import type { Charter } from "../../src/charters/service.ts";
import { offerQuantityLine } from "../../src/offers/quantity.ts";
import { offerActivities } from "../../src/offers/to-as.ts";
import type { Offer } from "../../src/offers/service.ts";
import { entryActivities } from "../../src/memory/to-as.ts";
import { practiceActivities } from "../../src/practices/to-as.ts";
import { reportActivities, reportIri, reportNoteIri } from "../../src/sovereignty/to-as.ts";
import { reportRow } from "../support/report-row.ts";
import type { Practice } from "../../src/practices/service.ts";
import type { Delivery } from "../../src/publishing/deliver.ts";
import { converterContext, offerRow, sharedCategory, type ConverterContext } from "../support/converter-context.ts";
import { memoryEntry } from "../support/memory-entry.ts";

type Json = Record<string, any>;

/** app/lib/activitypub/activity.rb */
const SUPPORTED_TYPES = ["Note", "Question"];
const CONVERTED_TYPES = ["Image", "Audio", "Video", "Article", "Page", "Event"];
/** ActivityPub::FetchRemoteActorService::SUPPORTED_TYPES */
const ACTOR_TYPES = ["Application", "Group", "Organization", "Person", "Service"];
/** ActivityPub::TagManager#public_collection? */
const PUBLIC_FORMS = ["https://www.w3.org/ns/activitystreams#Public", "as:Public", "Public"];
const AS_CONTEXT = "https://www.w3.org/ns/activitystreams";

const VERB_TYPES = { create: "Create", update: "Update", delete: "Delete" } as const;
type Verb = keyof typeof VERB_TYPES;

const NOW = new Date("2025-09-02T00:00:00.000Z");

let env: ConverterContext;
beforeAll(async () => {
  env = await converterContext();
});

const offer = (overrides: Partial<Offer> = {}) => offerRow(overrides);
const need = (overrides: Partial<Offer> = {}) =>
  offerRow({
    id: "0190f3a2-7c1e-7000-8000-000000000002",
    kind: "need",
    name: "Winter coats",
    description: "For two kids, sizes 6 and 8.",
    category: "clothing",
    unit: "one",
    quantityMilli: 2000,
    availableMilli: 2000,
    areaName: "Harbour",
    status: "open",
    ...overrides,
  });
const ROWS = [
  ["offer", offer],
  ["need", need],
] as const;

const practice = (overrides: Partial<Practice> = {}): Practice => ({
  id: "0190f3a2-7c1e-7000-8000-000000000003",
  title: "Saturday bakery route",
  summary: "Three bakeries, one cargo bike, 40 kg of bread saved every week.",
  body: "Start at **Rosa's** before 8.",
  tags: ["food"],
  problem: "Bread was thrown away.",
  outcomes: "40 kg a week redistributed.",
  language: "en",
  adaptedFrom: null,
  status: "published",
  createdAt: "2025-09-01T08:00:00.000Z",
  updatedAt: "2025-09-01T08:00:00.000Z",
  ...overrides,
});
const charter = (overrides: Partial<Charter> = {}): Charter => ({
  number: 1,
  changeNote: "First charter",
  services: [
    {
      key: "food-runs",
      name: "Food runs",
      category: "food",
      area: "Riverside",
      description: "",
      schedule: "Saturdays",
      languages: ["en"],
      status: "active",
    },
  ],
  planned: [],
  publishedAt: "2025-09-01T08:00:00.000Z",
  reviewedAt: "2025-09-01T08:00:00.000Z",
  reviewDue: "2025-10-01T08:00:00.000Z",
  firstPublishedAt: "2025-09-01T08:00:00.000Z",
  ...overrides,
});

/** Every activity one change of an offer or need delivers, with whom it is for. */
async function deliveries(made: Delivery[]): Promise<{ audience: Delivery["audience"]; json: Json }[]> {
  return Promise.all(made.map(async (d) => ({ audience: d.audience, json: (await d.activity.toJsonLd()) as Json })));
}
const offerDeliveries = (row: Offer, verb: Verb) =>
  deliveries(
    offerActivities(
      env.ctx,
      env.config,
      row,
      sharedCategory(row.category as Parameters<typeof sharedCategory>[0]),
      verb,
      NOW,
    ),
  );

/** The JSON of every activity one change delivers, to anyone. */
async function delivery(row: Offer, verb: Verb): Promise<Json[]> {
  return (await offerDeliveries(row, verb)).map((d) => d.json);
}
/** What a people's server (Mastodon) receives for one change. */
const forPeople = async (made: Promise<{ audience: string; json: Json }[]>) =>
  (await made).filter((d) => d.audience !== "pods").map((d) => d.json);
const forPods = async (made: Promise<{ audience: string; json: Json }[]>) =>
  (await made).filter((d) => d.audience !== "people").map((d) => d.json);

/** Each kind of publication: what a people's server receives, and what its readable Note must say. */
const PUBLICATIONS = () => [
  ...(["decision", "workflow", "lesson"] as const).map((kind) => {
    const row = memoryEntry({ kind });
    return {
      label: kind,
      object: memoryIri(env.config, row.publicationId).href,
      note: memoryNoteIri(env.config, row.publicationId).href,
      said: [row.title, row.summary],
      deliver: (verb: "create" | "update") => deliveries(entryActivities(env.ctx, env.config, row, verb, NOW)),
    };
  }),
  ...ROWS.map(([label, make]) => {
    const row = make();
    return {
      label,
      object: offerIri(env.config, row).href,
      note: offerNoteIri(env.config, row).href,
      said: [row.name, offerQuantityLine(row), row.areaName],
      deliver: (verb: "create" | "update") => offerDeliveries(row, verb),
    };
  }),
  {
    label: "practice",
    object: practiceIri(env.config, practice()).href,
    note: practiceNoteIri(env.config, practice()).href,
    said: [practice().title, practice().summary],
    deliver: (verb: "create" | "update") => deliveries(practiceActivities(env.ctx, env.config, practice(), verb, NOW)),
  },
  {
    label: "sovereignty report",
    object: reportIri(env.config, reportRow()).href,
    note: reportNoteIri(env.config, reportRow()).href,
    said: ["Sovereignty report: 2026-10", "meals-prepared: 120 meal", "fewer than 3 household"],
    deliver: (verb: "create" | "update") =>
      deliveries(reportActivities(env.ctx, env.config, reportRow({ revision: verb === "create" ? 1 : 2 }), NOW)),
  },
  {
    label: "charter",
    object: charterIri(env.config).href,
    note: charterNoteIri(env.config).href,
    said: ["People's Service Charter", "Food runs"],
    deliver: (verb: "create" | "update") =>
      deliveries(
        charterActivities(env.ctx, env.config, charter(), (slug) => sharedCategory(slug as "food"), verb, NOW),
      ),
  },
];

const asArray = <T>(value: T | T[] | undefined | null): T[] =>
  value == null ? [] : Array.isArray(value) ? value : [value];
const valueOrId = (value: unknown) => (typeof value === "object" && value !== null ? (value as Json).id : value);
const host = (url: unknown) => new URL(String(url)).host;

/** What a reader of the HTML sees: tags removed, entities decoded. */
function visibleText(html: string): string {
  return html
    .replace(/<[^>]*>/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}

function noteOf(activities: Json[]): Json {
  const notes = activities.map((a) => a.object).filter((o) => SUPPORTED_TYPES.includes(o.type));
  expect(notes).toHaveLength(1);
  return notes[0]!;
}

describe("Mastodon ingest rules", () => {
  it("(a) activity and object types are plain strings, never arrays", async () => {
    for (const [, make] of ROWS) {
      for (const verb of ["create", "update", "delete"] as const) {
        for (const activity of await delivery(make(), verb)) {
          // ActivityPub::Activity.factory does `case json['type']`: only a string matches.
          expect(typeof activity.type).toBe("string");
          expect(activity.type).toBe(VERB_TYPES[verb]);
          expect(typeof activity.object).toBe("object");
          expect(typeof activity.object.type).toBe("string");
          if (verb === "delete") expect(activity.object.type).toBe("Tombstone");
        }
      }
    }
  });

  it("(a) every document names the ActivityStreams context (supported_context?)", async () => {
    const docs = [...(await delivery(offer(), "create")), ...(await delivery(offer(), "delete"))];
    docs.push((await (await podActor(env.ctx, env.config, { publishedAt: NOW, streams: STREAMS })).toJsonLd()) as Json);
    for (const doc of docs) expect(asArray(doc["@context"])).toContain(AS_CONTEXT);
  });

  const bPeoplesServers =
    "(b) people's servers get exactly one readable Note per change of every kind; pods get only the structured object";
  it(bPeoplesServers, async () => {
    for (const publication of PUBLICATIONS()) {
      for (const verb of ["create", "update"] as const) {
        const people = await forPeople(publication.deliver(verb));
        // Exactly one object, and one Mastodon fully renders: the Note. No Article (shown as a second post,
        // or dropped for its name) and no Proposal (dropped silently).
        expect(
          people.map((a) => a.object.type),
          publication.label,
        ).toEqual(["Note"]);
        const note = noteOf(people);
        expect(note.id).toBe(publication.note);
        expect(typeof note.content).toBe("string"); // read before contentMap
        const text = visibleText(note.content);
        for (const said of publication.said) expect(text, publication.label).toContain(said);
        // The Note points at the structured object (FEP-e232) and links it for people.
        expect(asArray(note.tag).map((t: Json) => t.href)).toContain(publication.object);
        expect(note.content).toContain(`href="${publication.object}"`);

        // Pods get the structured object alone: no Note, which they would only take the slow path to ignore.
        const pods = await forPods(publication.deliver(verb));
        expect(
          pods.map((a) => a.object.id),
          publication.label,
        ).toEqual([publication.object]);
        expect(SUPPORTED_TYPES).not.toContain(pods[0]!.object.type);
      }
    }
  });

  it("(b) the readable Note has no summary (a content warning on Mastodon) and no name", async () => {
    for (const publication of PUBLICATIONS()) {
      for (const verb of ["create", "update"] as const) {
        const note = noteOf(await forPeople(publication.deliver(verb)));
        expect(note.summary, publication.label).toBeUndefined();
        expect(note.summaryMap, publication.label).toBeUndefined();
        expect(note.name, publication.label).toBeUndefined();
        expect(note.nameMap, publication.label).toBeUndefined();
      }
    }
  });

  it("(b) the Proposal a pod gets is a type Mastodon neither renders nor converts", async () => {
    for (const [, make] of ROWS) {
      const proposal = (await forPods(offerDeliveries(make(), "create")))[0]!.object;
      expect(proposal.type).toBe("Proposal");
      expect(SUPPORTED_TYPES.concat(CONVERTED_TYPES)).not.toContain(proposal.type);
    }
  });

  it("(c) the object's id, attributedTo and url are on the activity actor's host", async () => {
    for (const [, make] of ROWS) {
      for (const verb of ["create", "update", "delete"] as const) {
        for (const activity of await delivery(make(), verb)) {
          const actor = valueOrId(activity.actor);
          expect(actor).toBe(env.ctx.getActorUri(env.config.handle).href);
          expect(host(activity.id)).toBe(host(actor));
          expect(host(activity.object.id)).toBe(host(actor));
          if (verb === "delete") continue;
          expect(valueOrId(activity.object.attributedTo)).toBe(actor);
          expect(host(valueOrId(activity.object.url))).toBe(host(actor));
        }
      }
    }
  });

  it("(d) public addressing: `to` holds a public form Mastodon accepts, `cc` the followers", async () => {
    const followers = env.ctx.getFollowersUri(env.config.handle).href;
    for (const [, make] of ROWS) {
      for (const verb of ["create", "update", "delete"] as const) {
        for (const activity of await delivery(make(), verb)) {
          const documents = verb === "delete" ? [activity] : [activity, activity.object];
          for (const doc of documents) {
            const to = asArray(doc.to).map(valueOrId);
            expect(to.some((audience) => PUBLIC_FORMS.includes(audience as string))).toBe(true);
            expect(asArray(doc.cc).map(valueOrId)).toContain(followers);
          }
        }
      }
    }
  });

  it("(e) a Note carries url and published", async () => {
    for (const [, make] of ROWS) {
      const row = make();
      const note = noteOf(await delivery(row, "create"));
      expect(valueOrId(note.url)).toBe(offerIri(env.config, row).href);
      expect(Number.isNaN(Date.parse(note.published))).toBe(false);
      expect(Date.parse(note.published)).toBe(Date.parse(row.createdAt));
    }
    for (const publication of PUBLICATIONS()) {
      const note = noteOf(await forPeople(publication.deliver("create")));
      expect(valueOrId(note.url), publication.label).toBe(publication.object);
      expect(Number.isNaN(Date.parse(note.published)), publication.label).toBe(false);
    }
  });

  it("(e) an Update carries the same Note id with `updated` later than `published`", async () => {
    for (const [, make] of ROWS) {
      const created = make({ updatedAt: make().createdAt });
      const edited = {
        ...created,
        availableMilli: 1000,
        status: "partly_claimed" as const,
        updatedAt: "2025-09-01T09:30:00.000Z",
      };
      const createdNote = noteOf(await delivery(created, "create"));
      const update = (await delivery(edited, "update")).find((a) => a.object.type === "Note")!;
      expect(update.type).toBe("Update");
      expect(update.object.id).toBe(createdNote.id);
      // ProcessStatusUpdateService: without `updated` on the object the edit is "implicit" and ignored.
      expect(update.object.updated).toBeDefined();
      expect(Date.parse(update.object.updated)).toBeGreaterThan(Date.parse(update.object.published));
      expect(update.object.published).toBe(createdNote.published);

      // A later edit carries a later `updated`, or Mastodon keeps the earlier one (already_updated_more_recently?).
      const later = (await delivery({ ...edited, updatedAt: "2025-09-01T10:00:00.000Z" }, "update")).find(
        (a) => a.object.type === "Note",
      )!;
      expect(Date.parse(later.object.updated)).toBeGreaterThan(Date.parse(update.object.updated));
    }
  });

  it("(f) a Delete carries a Tombstone with the id of the object it deletes", async () => {
    for (const [, make] of ROWS) {
      const row = make();
      const createdIds = (await delivery(row, "create")).map((a) => a.object.id);
      const deletes = await delivery(row, "delete");
      expect(deletes.map((a) => a.type)).toEqual(["Delete", "Delete"]);
      expect(deletes.map((a) => valueOrId(a.object))).toEqual(createdIds);
      expect(deletes.map((a) => valueOrId(a.object))).toContain(offerNoteIri(env.config, row).href);
    }
    // A practice's Note (what people's servers hold) is deleted by its own id, as its Article is for pods.
    const deletes = await deliveries(practiceActivities(env.ctx, env.config, practice(), "delete", NOW));
    expect(deletes.map((d) => [d.audience, d.json.type, d.json.object.type, d.json.object.id])).toEqual([
      ["pods", "Delete", "Tombstone", practiceIri(env.config, practice()).href],
      ["people", "Delete", "Tombstone", practiceNoteIri(env.config, practice()).href],
    ]);
  });

  it("(g) the companion Note's content escapes user text", async () => {
    const row = offer({
      name: `<script>alert("pwned")</script> & <b>Bread</b>`,
      description: `Fresh <img src=x onerror=alert(1)> loaves`,
      conditions: `<a href="javascript:alert(1)">ask</a>`,
      areaName: `North <i>End</i>`,
    });
    const note = noteOf(await delivery(row, "create"));
    const content: string = note.content;
    expect(content).not.toMatch(/<script/i);
    expect(content).not.toMatch(/<img/i);
    expect(content).not.toMatch(/<b>|<i>/);
    expect(content).not.toContain(`href="javascript:`);
    expect(content).toContain("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &lt;b&gt;Bread&lt;/b&gt;");
    // A reader sees exactly what the neighbor typed.
    const text = visibleText(content);
    for (const typed of [row.name, row.description, row.conditions, row.areaName]) expect(text).toContain(typed);

    const typed = practice({
      title: `<b>Bread</b> & <script>x()</script>`,
      summary: `<img src=x onerror=alert(1)> saved`,
    });
    const practiceNote = noteOf(
      await forPeople(deliveries(practiceActivities(env.ctx, env.config, typed, "create", NOW))),
    );
    expect(practiceNote.content).not.toMatch(/<script|<img|<b>/i);
    for (const said of [typed.title, typed.summary]) expect(visibleText(practiceNote.content)).toContain(said);
  });

  it("(h) the Group actor has what Mastodon's account processing reads", async () => {
    const actor = (await (
      await podActor(env.ctx, env.config, { publishedAt: NOW, streams: STREAMS })
    ).toJsonLd()) as Json;
    const self = env.ctx.getActorUri(env.config.handle).href;
    expect(typeof actor.type).toBe("string");
    expect(actor.type).toBe("Group");
    expect(ACTOR_TYPES).toContain(actor.type);
    expect(actor.id).toBe(self);
    expect(actor.preferredUsername).toBe(env.config.handle);
    for (const key of ["inbox", "outbox", "followers", "featured"]) {
      expect(typeof actor[key], key).toBe("string");
      expect(host(actor[key]), key).toBe(host(self));
    }
    expect(actor.endpoints?.sharedInbox).toBe(new URL("/inbox", env.config.url).href);
    expect(actor.discoverable).toBe(true);
    expect(actor.manuallyApprovesFollowers).toBe(false);

    // ProcessAccountService#public_key reads first_of_value(publicKey)['publicKeyPem'];
    // the key fetch matches the key id and its owner against the actor.
    const key = asArray(actor.publicKey)[0] as Json;
    expect(key.id).toMatch(new RegExp(`^${self}#`));
    expect(key.owner).toBe(self);
    expect(key.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n?$/);
  });

  it("(h) manuallyApprovesFollowers follows the pod's approval setting", async () => {
    const approving = await converterContext({ env: { POD_APPROVE_FOLLOWERS: "true" } });
    const actor = (await (
      await podActor(approving.ctx, approving.config, { publishedAt: NOW, streams: STREAMS })
    ).toJsonLd()) as Json;
    expect(actor.manuallyApprovesFollowers).toBe(true);
  });

  it("(h) profile fields: `attachment` is a JSON array of PropertyValue with name and value", async () => {
    const actor = (await (
      await podActor(env.ctx, env.config, { publishedAt: NOW, streams: STREAMS })
    ).toJsonLd()) as Json;
    // ProcessAccountService#property_values: `return unless @json['attachment'].is_a?(Array)`, then
    // keeps entries whose type == 'PropertyValue'. A lone object (JSON-LD compaction of a one-item
    // list) is ignored and the profile shows no fields. The actor document is served as toJsonLd()
    // returns it (Fedify wraps attachments in arrays only for outgoing activities).
    expect(Array.isArray(actor.attachment)).toBe(true);
    const fields = (actor.attachment as Json[]).filter((a) => a.type === "PropertyValue");
    expect(fields.length).toBeGreaterThan(0);
    for (const field of fields) {
      expect(typeof field.name).toBe("string");
      expect(typeof field.value).toBe("string");
    }
  });

  it("(h) the actor's avatar is an Image with a url Mastodon downloads", async () => {
    const actor = (await (
      await podActor(env.ctx, env.config, { publishedAt: NOW, streams: STREAMS })
    ).toJsonLd()) as Json;
    // ProcessAccountService#set_fetchable_attributes!: avatar_remote_url = image_url('icon'), a url string.
    expect(actor.icon.type).toBe("Image");
    expect(host(actor.icon.url)).toBe(host(env.config.url));
    expect(actor.icon.mediaType).toBe("image/png");
  });

  /** A note the operator wrote in an app, with one mentioned account. */
  async function appNote(
    visibility: "public" | "unlisted" | "private" | "direct",
    inReplyToIri: string | null = null,
  ): Promise<Json> {
    const mentioned = [{ iri: new URL("https://masto.example/users/alice"), acct: "alice@masto.example" }];
    const status = {
      id: "117000000000000000",
      iri: `${env.config.url.origin}/notes/117000000000000000`,
      url: `${env.config.url.origin}/notes/117000000000000000`,
      accountId: "1",
      inReplyToIri,
      kind: "note" as const,
      content:
        '<p>Hi <span class="h-card"><a href="https://masto.example/@alice" class="u-url ' +
        'mention">@<span>alice</span></a></span></p>',
      spoilerText: "",
      visibility,
      language: "en",
      sensitive: false,
      mentions: JSON.stringify(mentioned.map((m) => m.iri.href)),
      publishedAt: NOW.toISOString(),
      editedAt: null,
      hiddenAt: null,
    };
    return (await statusToNote(env.ctx, env.config, status, mentioned).toJsonLd()) as Json;
  }

  const iAppwrittenNotes =
    "(i) app-written notes are addressed as Mastodon reads visibility: public, unlisted, followers-only, direct";
  it(iAppwrittenNotes, async () => {
    // Parser::StatusParser#visibility: public if `to` has the public collection, unlisted if `cc` has it,
    // private if the followers collection is addressed, else direct (limited to the mentioned).
    const followers = `${env.config.url.origin}/users/pod/followers`;
    const alice = "https://masto.example/users/alice";
    const audience = async (visibility: Parameters<typeof appNote>[0]) => {
      const note = await appNote(visibility);
      return { to: asArray(note.to), cc: asArray(note.cc) };
    };
    const pub = await audience("public");
    expect(pub.to.some((iri) => PUBLIC_FORMS.includes(iri))).toBe(true);
    expect(pub.cc).toContain(followers);
    const unlisted = await audience("unlisted");
    expect(unlisted.to.some((iri) => PUBLIC_FORMS.includes(iri))).toBe(false);
    expect(unlisted.cc.some((iri) => PUBLIC_FORMS.includes(iri))).toBe(true);
    const priv = await audience("private");
    expect([...priv.to, ...priv.cc].some((iri) => PUBLIC_FORMS.includes(iri))).toBe(false);
    expect(priv.to).toContain(followers);
    const direct = await audience("direct");
    expect(direct).toEqual({ to: [alice], cc: [] });
    // And the pod reads other servers' posts by the same rules.
    const iris = (list: string[]) =>
      list.map((iri) => new URL(iri === "as:Public" ? "https://www.w3.org/ns/activitystreams#Public" : iri));
    for (const visibility of ["public", "unlisted", "private", "direct"] as const) {
      const { to, cc } = await audience(visibility);
      expect(visibilityOf(iris(to), iris(cc), [alice])).toBe(visibility);
    }
  });

  it("(i) mentions are Mention tags naming the account; a reply names what it answers in inReplyTo", async () => {
    // ProcessMentionsService / Parser::StatusParser: a Mention tag's href is the account's URI; inReplyTo is the
    // parent's URI.
    const note = await appNote("public", "https://other.example/offers/1/note");
    const mentions = asArray(note.tag as Json[]).filter((t) => t.type === "Mention");
    expect(mentions).toEqual([
      { type: "Mention", href: "https://masto.example/users/alice", name: "@alice@masto.example" },
    ]);
    expect(note.inReplyTo).toBe("https://other.example/offers/1/note");
    expect(note.type).toBe("Note");
    expect(note.summary).toBeUndefined();
  });
});
