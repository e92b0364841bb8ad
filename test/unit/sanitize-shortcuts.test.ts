import sanitizeHtml from "sanitize-html";
import { describe, expect, it } from "vitest";
import {
  SANITIZE,
  htmlToText,
  sanitize,
  simpleHtml,
  simpleHtmlText,
  simpleText,
  textBySanitizer,
} from "../../src/web/sanitize.ts";

/** Hand-picked inputs near the edges of what the shortcuts take. */
const TRICKY = [
  "",
  " ",
  "plain",
  "<p>Fresh from the allotments.</p>",
  "<p>a</p>\n<p>b</p>",
  "<p>a<br>b<br/>c<br />d<br >e</p>",
  "<p>Don&#39;t &quot;waste&quot; it &amp; share &lt;3 &gt;_&lt; &#x27;x&#x27;&nbsp;</p>",
  "a > b",
  "a \" ' b",
  "x&y",
  "&amp;lt;",
  "&amp;nbsp;",
  "&unknown;",
  "&AMP;",
  "&amp",
  "&#60;",
  "&#x3C;script&#x3E;",
  "&lt;script&gt;alert(1)&lt;/script&gt;",
  "<p>a",
  "a</p>",
  "</p>",
  "<p></p>",
  "<em></em>",
  "<p>a<p>b</p>",
  "<p><p>b</p></p>",
  "<strong><p>x</p></strong>",
  "<em>x</strong>",
  "<em><em>x</em></em>",
  "<p><strong>a<em>b<code>c</code></em></strong></p>",
  "<P>x</P>",
  "<p >x</p>",
  "<p class=x>y</p>",
  "<p\n>x</p>",
  "<br",
  "<br /",
  "<b>x</b>",
  "<script>alert(1)</script>",
  "<p>x</p><script>y</script>",
  "<!-- c --><p>x</p>",
  "<!--<p>-->",
  "<![CDATA[x]]>",
  '<a href="javascript:alert(1)">x</a>',
  "<p>a\r\nb\u0000c\u00a0d\u2028e</p>",
  "<ul><li>a</li></ul>",
  "<li>a<li>b",
  "<pre>\nx</pre>",
  "<code>\n</code>",
  "<p><br></p>",
  "<br><br>",
  "<p>a</p >",
  "</ p>",
  "< p>x</p>",
  "<p>x</p/>",
  "<strong>\"'&amp;</strong>",
  "\ud83d\ude00 <em>emoji</em>",
  "\ud800 lone surrogate",
  "<p>x</p>\n\n\n<p>y</p>",
  "  a \t b  \n\n\n c  ",
];

/** A small deterministic generator: the same inputs on every run. */
function pick<T>(seed: number) {
  return (items: T[]) => items[Math.floor(((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * items.length)]!;
}
const repeat = (times: number, make: () => string, separator = "") =>
  Array.from({ length: times }, make).join(separator);

/** Random sequences of the fragments the shortcuts read, and of some they must not. */
function generated(count: number): string[] {
  const fragments = [
    "<p>",
    "</p>",
    "<strong>",
    "</strong>",
    "<em>",
    "</em>",
    "<code>",
    "</code>",
    "<br>",
    "<br/>",
    "<br />",
    "<BR>",
    "<b>",
    "</b>",
    "<li>",
    "<ul>",
    "&amp;",
    "&lt;",
    "&gt;",
    "&quot;",
    "&#39;",
    "&#x27;",
    "&nbsp;",
    "&",
    "&#",
    "&copy;",
    "amp;",
    "<",
    ">",
    "/",
    '"',
    "'",
    "=",
    " ",
    "\n",
    "\t",
    "text",
    "Ünïcödé",
    '<p class="x">',
    "<!--",
    "-->",
    "<script>",
    "</script>",
    '<a href="https://x.example/">',
    "</a>",
  ];
  const next = pick<string>(42);
  const length = pick<number>(43);
  const lengths = Array.from({ length: 12 }, (_, i) => i + 1);
  return Array.from({ length: count }, () => repeat(length(lengths), () => next(fragments)));
}

/** Well-formed simple HTML and plain text, as pods of this software send them: each must take a shortcut. */
const WORDS = [
  "Apples",
  "don&#39;t",
  "&quot;fresh&quot;",
  "a &amp; b",
  "1 &lt; 2",
  "x &gt; y",
  "it's",
  '"quoted"',
  "5 > 3",
  "\u00a0",
  "&nbsp;",
  "\n",
  "\t ",
];
const MARKUP = [
  "line<br>break",
  "<strong>bold</strong>",
  "<em>it</em>",
  "<code>c</code>",
  "<em><strong>both</strong></em>",
];
function wellFormed(count: number): string[] {
  const next = pick<string>(7);
  return Array.from({ length: count }, () =>
    repeat(3, () => `<p>${repeat(4, () => next([...WORDS, ...MARKUP]), " ")}</p>`),
  );
}
/** Well-formed inputs with one fragment inserted somewhere: the near misses the scanner must judge right. */
function nearMisses(count: number): string[] {
  const next = pick<string>(13);
  const at = pick<number>(17);
  const positions = Array.from({ length: 100 }, (_, i) => i / 100);
  const inserts = generated(60);
  return wellFormed(count).map((html) => {
    const cut = Math.floor(at(positions) * html.length);
    return html.slice(0, cut) + next(inserts) + html.slice(cut);
  });
}
function plainTexts(count: number): string[] {
  const next = pick<string>(11);
  return Array.from({ length: count }, () => repeat(6, () => next(WORDS), " "));
}

describe("the sanitiser's shortcuts give exactly what sanitize-html gives", () => {
  const inputs = [...TRICKY, ...generated(5000), ...wellFormed(500), ...plainTexts(500), ...nearMisses(2000)];

  it("simple HTML: same output as sanitize-html with the pod's allow-list, on tricky and generated inputs", () => {
    let taken = 0;
    for (const input of inputs) {
      const expected = sanitizeHtml(input, SANITIZE);
      const shortcut = simpleHtml(input);
      if (shortcut !== null) {
        taken++;
        expect(shortcut, JSON.stringify(input)).toBe(expected);
      }
      expect(sanitize(input), JSON.stringify(input)).toBe(expected);
    }
    expect(taken).toBeGreaterThan(600); // the shortcut is really taken, not just declined
  });

  it("plain text: same output as the sanitize-html path of htmlToText", () => {
    let taken = 0;
    for (const input of inputs) {
      const expected = textBySanitizer(input);
      const shortcut = simpleText(input);
      if (shortcut !== null) {
        taken++;
        expect(shortcut, JSON.stringify(input)).toBe(expected);
      }
    }
    expect(taken).toBeGreaterThan(500);
    expect(htmlToText("Don&#39;t  waste &amp; share &lt;3")).toBe("Don't waste & share <3");
  });

  it("simple HTML to text: same output as the sanitize-html path of htmlToText", () => {
    let taken = 0;
    for (const input of inputs) {
      const expected = textBySanitizer(input);
      const shortcut = simpleHtmlText(input);
      if (shortcut !== null) {
        taken++;
        expect(shortcut, JSON.stringify(input)).toBe(expected);
      }
    }
    expect(taken).toBeGreaterThan(600);
    expect(htmlToText("<p>Don&#39;t  waste</p><p>&amp; share<br>&lt;3</p>")).toBe("Don't waste\n& share\n<3");
  });

  it("takes pods' own content and declines what it does not know", () => {
    expect(simpleHtml("<p>Don&#39;t &quot;waste&quot; it.<br>Thanks</p><p>Conditions: none</p>")).toBe(
      '<p>Don\'t "waste" it.<br />Thanks</p><p>Conditions: none</p>',
    );
    for (const input of [
      "<p class=x>y</p>",
      '<a href="https://x.example/">x</a>',
      "<p>a",
      "</p>",
      "<p><p>b</p></p>",
      "<!-- c -->",
      "&copy;",
      "<script>x</script>",
    ]) {
      expect(simpleHtml(input), input).toBeNull();
    }
    for (const input of ["a<b", "&copy;", "&amp", "&#60;"]) expect(simpleText(input), input).toBeNull();
  });
});
