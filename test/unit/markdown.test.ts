import { describe, expect, it } from "vitest";
import { renderMarkdown } from "../../src/practices/markdown.ts";
import { sanitize } from "../../src/web/sanitize.ts";

describe("renderMarkdown", () => {
  it("keeps ordinary Markdown: lists, emphasis, links, code, quotes, headings", () => {
    const out = renderMarkdown(
      [
        "## Route",
        "",
        "- **Monday**: bakery",
        "- *Tuesday*: market",
        "",
        "1. load",
        "2. drive",
        "",
        "See [the map](https://maps.example.org/route?a=1&b=2) or write to volunteers@pod.example.",
        "",
        "Use `route --fast`:",
        "",
        "```",
        "if (a < b) go();",
        "```",
        "",
        "> Ask first.",
        "",
        "---",
      ].join("\n"),
    );
    expect(out).toContain("<h2>Route</h2>");
    expect(out).toContain("<ul>");
    expect(out).toContain("<li><strong>Monday</strong>: bakery</li>");
    expect(out).toContain("<li><em>Tuesday</em>: market</li>");
    expect(out).toContain("<ol>");
    expect(out).toContain('<a href="https://maps.example.org/route?a=1&amp;b=2" rel="nofollow noopener">the map</a>');
    expect(out).toContain('<a href="mailto:volunteers@pod.example" rel="nofollow noopener">volunteers@pod.example</a>');
    expect(out).toContain("<code>route --fast</code>");
    expect(out).toContain("<pre><code>if (a &lt; b) go();\n</code></pre>");
    expect(out).toContain("<blockquote>");
    expect(out).toMatch(/<hr ?\/?>/);
  });

  it("linkifies bare http(s) URLs with rel=nofollow noopener", () => {
    expect(renderMarkdown("at https://food.example/route today")).toBe(
      '<p>at <a href="https://food.example/route" rel="nofollow noopener">https://food.example/route</a> today</p>',
    );
  });

  it("shows raw HTML as text: script tags never become elements", () => {
    const out = renderMarkdown("Hello <script>alert(1)</script> there");
    expect(out).not.toMatch(/<script/i);
    expect(out).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("neutralises event-handler attributes in raw HTML", () => {
    for (const source of [
      '<a href="https://x.example" onclick="steal()">x</a>',
      "<img src=x onerror=alert(1)>",
      '<p onmouseover="x()">hi</p>',
    ]) {
      const out = renderMarkdown(source);
      expect(out, source).not.toMatch(/<(a|img|p)[^>]*\bon\w+=/i);
      expect(out, source).not.toMatch(/<img/i);
    }
  });

  it("never produces a javascript:, data: or vbscript: link", () => {
    for (const source of [
      "[x](javascript:alert(1))",
      "[x](JaVaScRiPt:alert(1))",
      "[x](  javascript:alert(1))",
      "[x](data:text/html,<b>hi</b>)",
      "[x](vbscript:msgbox)",
      "<javascript:alert(1)>",
    ]) {
      const out = renderMarkdown(source);
      expect(out, source).not.toMatch(/href="(?!https?:|mailto:)/i);
      expect(out, source).not.toMatch(/<a [^>]*href="\s*(javascript|data|vbscript):/i);
    }
  });

  it("keeps relative and protocol-relative links as plain text", () => {
    const out = renderMarkdown("[here](/admin) and [there](//evil.example/x)");
    expect(out).not.toContain("<a");
    expect(out).toContain("[here](/admin)");
  });

  it("keeps headings within h2-h4 and drops images to links", () => {
    const out = renderMarkdown("# Top\n\n###### Deep\n\n![map](https://maps.example.org/m.png)");
    expect(out).toContain("<h2>Top</h2>");
    expect(out).toContain("<h4>Deep</h4>");
    expect(out).not.toMatch(/<h1|<h6|<img/);
    expect(out).toContain('<a href="https://maps.example.org/m.png" rel="nofollow noopener">map</a>');
  });
});

describe("sanitize (the second wall)", () => {
  it("strips disallowed tags and attributes and unsafe hrefs from HTML", () => {
    const out = sanitize(
      '<p style="color:red" class="x"><a href="javascript:alert(1)">j</a> <a href="/rel">r</a> <a ' +
        'href="https://ok.example" target="_blank" onclick="x()">ok</a>' +
        "<script>bad()</script><iframe " +
        'src="https://x"></iframe><style>p{}</style></p><h1>T</h1><table><tr><td>c</td></tr></table>',
    );
    expect(out).toBe(
      '<p><a rel="nofollow noopener">j</a> <a rel="nofollow noopener">r</a> <a href="https://ok.example" ' +
        'rel="nofollow noopener">ok</a></p><h2>T</h2>c',
    );
  });
});
