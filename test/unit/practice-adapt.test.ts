import { describe, expect, it } from "vitest";
import { markdownOf } from "../../src/practices/adapt.ts";
import { renderMarkdown } from "../../src/practices/markdown.ts";

/** Adapting a neighbor's practice starts from its HTML: the Markdown made from it must render the same again. */
describe("markdownOf (adapting a neighbor's practice)", () => {
  const sources = [
    "Two **adults** each evening.\n\n- sign up weekly\n- swap freely",
    "## Route\n\nAsk *first*, then [read the guide](https://guide.example.org/a?b=1).",
    "One paragraph only.",
    "Fish & chips <b>not bold</b> 3 < 4",
  ];
  for (const source of sources) {
    it(`round-trips ${JSON.stringify(source.slice(0, 30))}`, () => {
      const html = renderMarkdown(source);
      expect(renderMarkdown(markdownOf(html))).toBe(html);
    });
  }

  it("keeps only the text of what it cannot write as Markdown, and no markup", () => {
    expect(markdownOf('<p>See <a href="mailto:a@b.example">us</a></p><blockquote><p>quoted</p></blockquote>')).toBe(
      "See us\n\nquoted",
    );
  });
});
