import fc from "fast-check";
import { Create, type Note } from "@fedify/vocab";
import { beforeAll, describe, expect, it } from "vitest";
import { objectToPost } from "../../src/social/activitypub.ts";
import { decodeMastodonCreate } from "../../src/social/fast-inbox.ts";
import { converterContext, type ConverterContext } from "../support/converter-context.ts";

const AS = "https://www.w3.org/ns/activitystreams";
const PUBLIC = `${AS}#Public`;
const MASTODON = [
  AS,
  {
    ostatus: "http://ostatus.org#",
    atomUri: "ostatus:atomUri",
    inReplyToAtomUri: "ostatus:inReplyToAtomUri",
    conversation: "ostatus:conversation",
    sensitive: "as:sensitive",
    toot: "http://joinmastodon.org/ns#",
    votersCount: "toot:votersCount",
  },
];
const ACTOR = "https://masto.example/users/alice";
const POD = "https://pod.example/users/pod";

let env: ConverterContext;
beforeAll(async () => {
  env = await converterContext();
});

/** What both paths hand the inbox handlers, as plain values: the activity's ids and the post record. */
async function seen(create: Create) {
  const note = (await create.getObject(env.ctx)) as Note;
  return {
    types: [create.constructor.name, note.constructor.name],
    id: create.id?.href,
    actors: create.actorIds.map((u) => u.href),
    to: create.toIds.map((u) => u.href),
    cc: create.ccIds.map((u) => u.href),
    published: create.published?.toString(),
    attribution: note.attributionIds.map((u) => u.href),
    post: await objectToPost(note, env.ctx),
  };
}

/** The Fedify generic path's reading: JSON-LD, as the inbox parses an activity. */
const viaJsonLd = async (json: unknown) =>
  seen(await Create.fromJsonLd(json, { documentLoader: env.ctx.documentLoader, contextLoader: env.ctx.contextLoader }));

function mastodonCreate(fields: Record<string, unknown> = {}, envelope: Record<string, unknown> = {}) {
  const id = `${ACTOR}/statuses/1`;
  const content = `<p><a href="${POD}" class="u-url mention">@pod</a> apples?</p>`;
  return {
    "@context": MASTODON,
    id: `${id}/activity`,
    type: "Create",
    actor: ACTOR,
    published: "2025-09-01T10:00:00Z",
    to: [PUBLIC],
    cc: [`${ACTOR}/followers`, POD],
    object: {
      id,
      type: "Note",
      summary: null,
      inReplyTo: null,
      published: "2025-09-01T10:00:00Z",
      url: "https://masto.example/@alice/1",
      attributedTo: ACTOR,
      to: [PUBLIC],
      cc: [`${ACTOR}/followers`, POD],
      sensitive: false,
      atomUri: id,
      inReplyToAtomUri: null,
      conversation: "tag:masto.example,2025:objectId=1:objectType=Conversation",
      content,
      contentMap: { en: content },
      attachment: [],
      tag: [{ type: "Mention", href: POD, name: "@pod@pod.example" }],
      replies: { id: `${id}/replies`, type: "Collection", first: { type: "CollectionPage", items: [] } },
      ...fields,
    },
    ...envelope,
  };
}

describe("the inbox fast path for Mastodon's Create(Note)", () => {
  it("reads Mastodon's shape as Fedify's JSON-LD reading does", async () => {
    const json = mastodonCreate();
    expect(await seen(decodeMastodonCreate(json)!)).toEqual(await viaJsonLd(json));
  });

  it("for any content, summary, language, addressing, dates, mentions and hashtags (property)", async () => {
    const iri = fc.constantFrom(PUBLIC, `${ACTOR}/followers`, POD, "https://other.example/users/bob");
    const date = fc
      .tuple(
        fc.date({ min: new Date("2000-01-01"), max: new Date("2099-01-01"), noInvalidDate: true }),
        fc.constantFrom("Z", "+02:00", "-05:30"),
        fc.boolean(),
      )
      .map(([d, zone, fraction]) => d.toISOString().slice(0, fraction ? 23 : 19) + zone);
    const tag = fc.oneof(
      fc.record({
        type: fc.constant("Mention"),
        href: iri.filter((u) => u !== PUBLIC),
        name: fc.string({ maxLength: 20 }),
      }),
      fc.record({
        type: fc.constant("Hashtag"),
        href: fc.constant("https://masto.example/tags/apples"),
        name: fc.constant("#apples"),
      }),
    );
    const fields = fc.record(
      {
        content: fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.constant('<p>hi <a href="javascript:x">x</a><script>1</script></p>'),
        ),
        summary: fc.option(fc.string({ maxLength: 40 })),
        sensitive: fc.boolean(),
        language: fc.option(fc.constantFrom("en", "de", "pt-BR", "zh-Hant", "EN", "sr-Latn-RS")),
        to: fc.array(iri, { minLength: 1, maxLength: 3 }),
        cc: fc.array(iri, { maxLength: 3 }),
        published: date,
        updated: fc.option(date),
        tag: fc.array(tag, { maxLength: 4 }),
        inReplyTo: fc.option(
          fc.constantFrom("https://pod.example/offers/1/note", "https://masto.example/users/alice/statuses/0"),
        ),
        url: fc.option(fc.constantFrom("https://masto.example/@alice/1", "https://elsewhere.example/x")),
      },
      { requiredKeys: ["content", "to", "published"] },
    );
    await fc.assert(
      fc.asyncProperty(fields, async (f) => {
        const { language, ...rest } = f;
        const note: Record<string, unknown> = { ...rest, contentMap: language ? { [language]: f.content } : undefined };
        for (const key of Object.keys(note)) if (note[key] === undefined) delete note[key];
        if (note.url === null) delete note.url;
        if (note.updated === null) delete note.updated;
        const json = mastodonCreate(note, { to: f.to, cc: f.cc ?? [] });
        delete (json.object as Record<string, unknown>).tag;
        if (f.tag) (json.object as Record<string, unknown>).tag = f.tag;
        const decoded = decodeMastodonCreate(json);
        expect(decoded).not.toBeNull();
        expect(await seen(decoded!)).toEqual(await viaJsonLd(json));
      }),
      { numRuns: 150 },
    );
  });

  it("reads dates at their edges as Fedify does: fractions, leap seconds, early years", async () => {
    for (const date of [
      "2025-09-01T10:00:00.5Z",
      "2025-09-01T10:00:00.050Z",
      "2025-09-01T10:00:00.123456789Z",
      "2016-12-31T23:59:60Z",
      "2024-02-29T00:00:00Z",
      "0999-01-01T00:00:00Z",
      "2025-09-01T10:00:00+00:00",
    ]) {
      const json = mastodonCreate({ published: date }, { published: date });
      const decoded = decodeMastodonCreate(json);
      expect(decoded, date).not.toBeNull();
      expect(await seen(decoded!), date).toEqual(await viaJsonLd(json));
    }
    // Dates Date.parse would roll over into another day are no dates at all, as the polyfill reads them.
    for (const date of ["2025-02-30T00:00:00Z", "2025-09-01T24:00:00Z", "2025-09-01T10:60:00Z"])
      expect(decodeMastodonCreate(mastodonCreate({ published: date })), date).toBeNull();
  });

  it("leaves to Fedify whatever it does not fully recognise", () => {
    const declined = [
      mastodonCreate({}, { "@context": [AS, { sensitive: "https://evil.example/sensitive" }] }),
      mastodonCreate({}, { "@context": [AS, { "@vocab": "https://evil.example/" }] }),
      mastodonCreate({}, { "@context": [AS, "https://w3id.org/security/v1"] }),
      mastodonCreate({}, { "@context": AS }), // `sensitive` is not an ActivityStreams term on its own
      mastodonCreate({ attachment: [{ type: "Document", url: "https://masto.example/a.png" }] }),
      mastodonCreate({
        tag: [{ type: "Emoji", name: ":x:", icon: { type: "Image", url: "https://masto.example/x.png" } }],
      }),
      mastodonCreate({ quoteUri: "https://masto.example/users/alice/statuses/0" }),
      mastodonCreate({ type: "Article" }),
      mastodonCreate({ content: { en: "x" } }),
      mastodonCreate({ published: "2025-09-01 10:00:00" }),
      mastodonCreate({ inReplyTo: "javascript:alert(1)" }),
      mastodonCreate({ contentMap: { "not a language!": "x" } }),
      mastodonCreate({}, { type: "Update" }),
      mastodonCreate({}, { bto: [POD] }),
      mastodonCreate({}, { "@id": "https://masto.example/x" }),
    ];
    for (const json of declined)
      expect(decodeMastodonCreate(json as Record<string, unknown>), JSON.stringify(json).slice(0, 300)).toBeNull();
  });
});
