import { parseFeed } from "@rowanmanning/feed-parser";
import fc from "fast-check";
import { SaxesParser } from "saxes";
import { describe, expect, it } from "vitest";
import { atomDocument, type FeedEntry, type FeedHead, jsonFeedDocument } from "../../src/web/feed-documents.ts";

const head = (title: string): FeedHead => ({
  id: "https://pod.example/view/surplus",
  title,
  subtitle: "Surplus published by the pods Pod A follows.",
  updated: "2026-11-30T12:00:00.000Z",
  alternate: "https://pod.example/view/surplus?category=food",
  self: "https://pod.example/view/surplus.atom?category=food&limit=50",
  author: { name: "Pod A", uri: "https://pod.example/" },
  next: "https://pod.example/view/surplus.atom?category=food&cursor=abc",
});
const entry = (text: string): FeedEntry => ({
  id: "https://b.example/offers/1",
  title: text,
  link: "https://b.example/offers/1?a=1&b=2",
  updated: "2026-11-30T11:00:00.000Z",
  published: "2026-11-29T11:00:00.000Z",
  summaryText: `12 kg available · ${text}`,
  jsonText: `12 kg available · ${text}`,
  contentHtml: `<p>${text.replace(/[<&]/g, "")}</p>]]>`,
  author: { name: text, uri: "https://b.example/users/pod" },
  category: { term: "food", scheme: "https://w3id.org/pods/categories/", label: text },
});

/** What XML 1.0 can carry of a string (what the writer drops is only what XML cannot hold). */
const XML_CHARS = /[\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const carried = (text: string) => [...text].filter((c) => XML_CHARS.test(c)).join("");
const asHtml = (text: string) =>
  text
    .replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!)
    .replace(/\r\n?|\n/g, "<br>");

/** Any text, and text made of the pieces markup is made of. */
const TEXT = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc
    .array(
      fc.constantFrom(
        "<",
        ">",
        "&",
        '"',
        "'",
        "]]>",
        "<b>",
        "</title>",
        "&amp;",
        "\u0000",
        "\uD800",
        "a",
        " ",
        "é",
        "😀",
      ),
      {
        maxLength: 12,
      },
    )
    .map((parts) => parts.join("")),
);

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  text: string;
  children: XmlElement[];
  child(name: string): XmlElement;
}

/** A document read by a strict XML 1.0 parser (saxes: it refuses what is not well-formed, characters included). */
function readXml(document: string): XmlElement {
  const parser = new SaxesParser();
  const made = (name: string, attributes: Record<string, string>): XmlElement => ({
    name,
    attributes,
    text: "",
    children: [],
    child(wanted) {
      const found = this.children.find((c) => c.name === wanted);
      if (!found) throw new Error(`no <${wanted}> in <${name}>`);
      return found;
    },
  });
  const stack: XmlElement[] = [made("#document", {})];
  parser.on("error", (error) => {
    throw error;
  });
  parser.on("opentag", (tag) => {
    const element = made(tag.name, tag.attributes as Record<string, string>);
    stack.at(-1)!.children.push(element);
    stack.push(element);
  });
  parser.on("closetag", () => void stack.pop());
  parser.on("text", (text) => void (stack.at(-1)!.text += text));
  parser.on("cdata", (text) => void (stack.at(-1)!.text += text));
  parser.write(document).close();
  return stack[0]!.child("feed");
}

describe("Atom and JSON Feed documents (src/web/feed-documents.ts)", () => {
  it("any text in titles, names, summaries and attributes reads back as written, never as markup", () => {
    fc.assert(
      fc.property(TEXT, (text) => {
        const document = atomDocument(head(text), [entry(text)]);
        const feed = readXml(document);
        const entryOf = feed.child("entry");
        // XML reads CR LF and a lone CR in text as LF.
        const expected = carried(text).replace(/\r\n?/g, "\n");
        expect(feed.child("title").text).toBe(expected);
        expect(entryOf.child("title").text).toBe(expected);
        expect(entryOf.child("author").child("name").text).toBe(expected);
        // Attributes read back exactly (a raw tab or line break there would be read as a space).
        expect(entryOf.child("category").attributes.label ?? "").toBe(carried(text));
        // The summary is HTML: the text escaped, each line break a <br>.
        expect(entryOf.child("summary").text).toBe(asHtml(`12 kg available · ${carried(text)}`));
        expect(entryOf.child("link").attributes.href).toBe("https://b.example/offers/1?a=1&b=2");
      }),
      { numRuns: 500 },
    );
  });

  it("a hostile category label, content with ]]> and the page links are well-formed", () => {
    const text = `"><script>alert(1)</script>&amp;'\u0000\u0008\uD800 ]]>`;
    const xml = atomDocument(head("Surplus"), [entry(text)]);
    const feed = parseFeed(xml);
    expect(feed.meta.type).toBe("atom");
    expect(feed.items[0]!.categories[0]?.label).toBe(`"><script>alert(1)</script>&amp;' ]]>`);
    expect(feed.items[0]!.content).toContain("]]>");
    expect(xml).toContain(
      '<link rel="next" href="https://pod.example/view/surplus.atom?category=food&amp;cursor=abc"/>',
    );
    expect(xml).not.toContain("<script>");
  });

  it("JSON Feed 1.1: authors, next_url, content_text and the extensions of each item", () => {
    const doc = jsonFeedDocument(head("Surplus"), [
      { ...entry("Apples"), jsonExtensions: { _pods: { kind: "offer" } } },
    ]);
    expect(doc).toMatchObject({
      version: "https://jsonfeed.org/version/1.1",
      feed_url: "https://pod.example/view/surplus.atom?category=food&limit=50",
      authors: [{ name: "Pod A", url: "https://pod.example/" }],
      next_url: "https://pod.example/view/surplus.atom?category=food&cursor=abc",
    });
    expect((doc.items as unknown[])[0]).toMatchObject({
      id: "https://b.example/offers/1",
      title: "Apples",
      content_text: "12 kg available · Apples",
      authors: [{ name: "Apples", url: "https://b.example/users/pod" }],
      tags: ["Apples"],
      _pods: { kind: "offer" },
    });
  });
});
