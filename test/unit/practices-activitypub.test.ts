import type { Context } from "@fedify/fedify";
import { preloadedContexts } from "@fedify/vocab-runtime";
import { createRequire } from "node:module";
import { beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../src/config/schema.ts";
import { practiceActivities, practiceToArticle } from "../../src/practices/to-as.ts";
import type { Practice } from "../../src/practices/service.ts";
import { converterContext } from "../support/converter-context.ts";

// `jsonld` ships no types; this is the small part of its API the test uses.
type DocumentLoader = (url: string) => Promise<{ contextUrl: string | null; document: unknown; documentUrl: string }>;
const jsonld = createRequire(import.meta.url)("jsonld") as {
  expand(input: unknown, options: { documentLoader: DocumentLoader; safe?: boolean }): Promise<Record<string, any>[]>;
};
const documentLoader: DocumentLoader = async (url) => {
  if (!Object.hasOwn(preloadedContexts, url)) throw new Error(`refusing to fetch a remote context: ${url}`);
  return { contextUrl: null, document: preloadedContexts[url], documentUrl: url };
};
const AS = "https://www.w3.org/ns/activitystreams#";

const AS_MEDIA_TYPE = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"';
const ID = "01963c6e-7a4b-7c3d-8e9f-0123456789ab";

function practice(overrides: Partial<Practice> = {}): Practice {
  return {
    id: ID,
    title: "Saturday bakery route",
    summary: "Three bakeries, one cargo bike, 40 kg of bread <saved> every week",
    body:
      "Start at **Rosa's** before 8.\n\n- Rosa's\n- Corner " +
      "bakery\n\n<script>alert(1)</script>\n\n[map](javascript:alert(1))",
    tags: ["food", "logística"],
    problem: "Bread was thrown away & nobody knew.\n\nShops closed at 7.",
    outcomes: "40 kg a week <redistributed>",
    language: "es",
    adaptedFrom: null,
    status: "published",
    createdAt: "2026-03-01T10:00:00.000Z",
    updatedAt: "2026-03-01T10:00:00.000Z",
    ...overrides,
  };
}

describe("practiceToArticle", () => {
  let config: Config;
  let ctx: Context<null>;

  beforeAll(async () => {
    ({ ctx, config } = await converterContext());
  });

  it("is a public Article by the pod actor with name, summary, sanitised content and contentMap", async () => {
    const json = (await practiceToArticle(ctx, config, practice()).toJsonLd()) as Record<string, any>;
    expect(json.type).toBe("Article");
    expect(json.id).toBe(`https://pod.example/practices/${ID}`);
    expect(json.url).toBe(json.id);
    expect(json.attributedTo).toBe("https://pod.example/users/pod");
    expect(json.to).toBe("as:Public");
    expect(json.cc).toBe("https://pod.example/users/pod/followers");
    expect(json.name).toBe("Saturday bakery route");
    expect(json.summary).toBe("Three bakeries, one cargo bike, 40 kg of bread &lt;saved&gt; every week");
    expect(json.published).toBe("2026-03-01T10:00:00Z");
    expect(json.updated).toBeUndefined();

    const content: string = json.content;
    expect(content).toContain("<p>Start at <strong>Rosa's</strong> before 8.</p>");
    expect(content).toContain("<li>Corner bakery</li>");
    expect(content).not.toMatch(/<script/i);
    expect(content).toContain("&lt;script&gt;");
    expect(content).not.toMatch(/href="javascript:/i);
    expect(content).toContain(
      "<h2>Problem</h2><p>Bread was thrown away &amp; nobody knew.</p><p>Shops closed at 7.</p>",
    );
    expect(content).toContain("<h2>Outcomes</h2><p>40 kg a week &lt;redistributed&gt;</p>");
    expect(content.indexOf("<h2>Problem</h2>")).toBeGreaterThan(content.indexOf("Corner bakery"));
    expect(json.contentMap).toEqual({ es: content });
  });

  it("tags are Hashtags linking to the pod's tag pages; no object link unless adapted", async () => {
    const json = (await practiceToArticle(ctx, config, practice()).toJsonLd()) as Record<string, any>;
    const tags = [json.tag].flat();
    expect(tags).toEqual([
      { type: "Hashtag", name: "#food", href: "https://pod.example/tags/food" },
      { type: "Hashtag", name: "#logística", href: "https://pod.example/tags/log%C3%ADstica" },
    ]);
  });

  it("carries a FEP-e232 Link to the practice it adapts", async () => {
    const source = "https://other.example/practices/01963c6e-0000-7000-8000-000000000001";
    const json = (await practiceToArticle(
      ctx,
      config,
      practice({ adaptedFrom: source, tags: [] }),
    ).toJsonLd()) as Record<string, any>;
    const tags = [json.tag].flat();
    expect(tags).toEqual([{ type: "Link", href: source, mediaType: AS_MEDIA_TYPE, name: "Adapted from" }]);
  });

  const meansJsonldProcessor =
    "means to a JSON-LD processor what it says: an as:Article with as:Hashtag and as:Link tags (nothing dropped)";
  it(meansJsonldProcessor, async () => {
    const json = await practiceToArticle(
      ctx,
      config,
      practice({ adaptedFrom: "https://other.example/practices/1" }),
    ).toJsonLd();
    const [node] = await jsonld.expand(json, { documentLoader, safe: true });
    expect(node!["@type"]).toEqual([`${AS}Article`]);
    expect(node![`${AS}name`]).toEqual([{ "@value": "Saturday bakery route" }]);
    expect(node![`${AS}attributedTo`]).toEqual([{ "@id": "https://pod.example/users/pod" }]);
    const tagTypes = (node![`${AS}tag`] as { "@type": string[] }[]).map((t) => t["@type"][0]);
    expect(tagTypes).toEqual([`${AS}Hashtag`, `${AS}Hashtag`, `${AS}Link`]);
  });

  it("leaves out empty Problem and Outcomes sections, and marks an edit as updated", async () => {
    const json = (await practiceToArticle(
      ctx,
      config,
      practice({ body: "Just *this*.", problem: "", outcomes: "  ", updatedAt: "2026-03-02T09:30:00.000Z" }),
    ).toJsonLd()) as Record<string, any>;
    expect(json.content).toBe("<p>Just <em>this</em>.</p>");
    expect(json.updated).toBe("2026-03-02T09:30:00Z");
  });
});

describe("practiceActivities", () => {
  let config: Config;
  let ctx: Context<null>;
  const now = new Date("2026-03-05T12:00:00.000Z");

  beforeAll(async () => {
    ({ ctx, config } = await converterContext());
  });

  it.each([
    ["create", "Create"],
    ["update", "Update"],
    ["delete", "Delete"],
  ] as const)(
    "%s for pods is one publicly addressed %s by the pod, with an id under the Article's",
    async (verb, type) => {
      const deliveries = practiceActivities(ctx, config, practice(), verb, now);
      expect(deliveries.map((d) => d.audience)).toEqual(["pods", "people"]);
      const json = (await deliveries[0]!.activity.toJsonLd()) as Record<string, any>;
      expect(json.type).toBe(type);
      expect(json.actor).toBe("https://pod.example/users/pod");
      expect(json.to).toBe("as:Public");
      expect(json.cc).toBe("https://pod.example/users/pod/followers");
      expect(json.id).toMatch(new RegExp(`^https://pod\\.example/practices/${ID}#${verb}-[0-9a-f-]{36}$`));
      if (verb === "delete") {
        expect(json.object).toMatchObject({
          type: "Tombstone",
          id: `https://pod.example/practices/${ID}`,
          formerType: "as:Article",
          deleted: "2026-03-05T12:00:00Z",
        });
      } else {
        expect(json.object).toMatchObject({
          type: "Article",
          id: `https://pod.example/practices/${ID}`,
          name: "Saturday bakery route",
        });
      }
      if (verb === "update") expect(json.updated).toBe("2026-03-05T12:00:00Z");

      // And a JSON-LD processor reads the same thing, dropping no term.
      const [node] = await jsonld.expand(json, { documentLoader, safe: true });
      expect(node!["@type"]).toEqual([`${AS}${type}`]);
      const object = node![`${AS}object`][0];
      expect(object["@type"]).toEqual([verb === "delete" ? `${AS}Tombstone` : `${AS}Article`]);
      if (verb !== "delete")
        expect(object[`${AS}tag`].map((t: { "@type": string[] }) => t["@type"][0])).toEqual([
          `${AS}Hashtag`,
          `${AS}Hashtag`,
        ]);
    },
  );
});
