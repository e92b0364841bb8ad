import fc from "fast-check";
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

/** Mastodon's markup (app/lib/text_formatter.rb, 3.x and 4.x): a mention, a hashtag and a link. */
const mention = (href: string, user: string) =>
  `<span class="h-card" translate="no"><a href="${href}" class="u-url mention">@<span>${user}</span></a></span>`;
const hashtag = (href: string, tag: string) =>
  `<a href="${href}" class="mention hashtag" rel="tag">#<span>${tag}</span></a>`;
const link = (href: string, shown: string, rest = "") =>
  `<a href="${href}" target="_blank" rel="nofollow noopener noreferrer" translate="no">` +
  `<span class="invisible">https://</span><span class="${rest ? "ellipsis" : ""}">${shown}</span>` +
  `<span class="invisible">${rest}</span></a>`;

/** Mastodon posts as they arrive: each must take the shortcut. */
const MASTODON = [
  `<p>${mention("https://masto.example/@alice", "alice")} any apples left?</p>`,
  `<p>${mention("https://pod.example/users/pod", "pod")} ${hashtag("https://masto.example/tags/apples", "apples")}</p>`,
  `<p>See ${link("https://example.org/x", "example.org/x")}</p><p>Thanks!<br />Bye &amp; &lt;3</p>`,
  `<p>${link("https://example.org/a/very/long/path?q=1", "example.org/a/very/lo", "ng/path?q=1")}</p>`,
  '<p><span class="h-card"><a href="https://masto.example/@bob" class="u-url mention">@<span>bob</span></a></span></p>',
  '<p><a href="https://example.org/" rel="nofollow noopener noreferrer" target="_blank">example.org</a></p>',
  '<p><a href="https://example.org/" target="_blank" rel="nofollow noopener" translate="no">x</a></p>',
  '<p><a href="https://pod.example/users/pod" class="u-url mention">@pod</a> apples?</p>',
  `<p><strong>${mention("http://127.0.0.1:3000/users/m1", "m1")}</strong> ` +
    `<em>${hashtag("https://m.example/tags/x", "x")}</em></p>`,
  `${mention("https://m.example/@%C3%BC", "u")} ${link("https://m.example/~a_b-c.d/(x)[y]@!$*+,;=:%20", "z")}`,
];

/** Near Mastodon's markup, each with something the shortcut must decline or get exactly right. */
const HOSTILE = [
  ...[
    "javascript:alert(1)",
    "JAVASCRIPT:alert(1)",
    "jav&#x61;script:alert(1)",
    "data:text/html,<b>x</b>",
    "vbscript:x",
    "//evil.example/",
    "/relative",
    " https://x.example/",
    "https://x.example/ ",
    "https://x.example/\t",
    "\nhttps://x.example/",
    "HTTPS://X.EXAMPLE/",
    "https:x.example",
    "https://",
    "https://x.example/?a=1&b=2",
    "https://x.example/?a=1&amp;b=2",
    "https://x.example/&quot;onmouseover=&quot;alert(1)",
    "https://x.example/&#34;",
    "https://x.example/'onclick='x",
    "https://x.example/<script>",
    "https://x.example/>",
    "https://bücher.example/",
    "https://x.example/\u0000",
    "https://x.example/\u00a0",
    "mailto:a@x.example",
    "",
  ].map((href) => `<p>${mention(href, "u")} ${hashtag(href, "t")} ${link(href, "s")}</p>`),
  '<p><a href="https://x.example/" class="u-url mention" onclick="alert(1)">x</a></p>',
  '<p><a href="https://x.example/" class="u-url mention"onclick="alert(1)">x</a></p>',
  '<p><a href="https://x.example/" onclick="alert(1)" class="u-url mention">x</a></p>',
  '<p><a href="https://x.example/" class="u-url mention" href="javascript:alert(1)">x</a></p>',
  '<p><a href="javascript:alert(1)" href="https://x.example/" class="u-url mention">x</a></p>',
  '<p><a class="u-url mention" href="https://x.example/">x</a></p>',
  '<p><a href="https://x.example/" class="u-url mention evil">x</a></p>',
  '<p><a href="https://x.example/" class="u-url  mention">x</a></p>',
  '<p><a  href="https://x.example/" class="u-url mention">x</a></p>',
  '<p><a\nhref="https://x.example/" class="u-url mention">x</a></p>',
  '<p><a\thref="https://x.example/" class="u-url mention">x</a></p>',
  "<p><a href='https://x.example/' class='u-url mention'>x</a></p>",
  '<p><a href=https://x.example/ class="u-url mention">x</a></p>',
  '<p><a href="https://x.example/" class="u-url mention" >x</a></p>',
  '<p><a href="https://x.example/" class="u-url mention"/>x</p>',
  '<p><A href="https://x.example/" class="u-url mention">x</A></p>',
  '<p><a HREF="https://x.example/" class="u-url mention">x</a></p>',
  '<p><SPAN class="h-card">x</SPAN></p>',
  '<p><span class="H-CARD">x</span></p>',
  '<p><span class="h-card evil">x</span></p>',
  '<p><span class="h-card " translate="no">x</span></p>',
  '<p><span translate="no" class="h-card">x</span></p>',
  '<p><span class="h-card" translate="yes">x</span></p>',
  '<p><span class="h-card" style="color:red">x</span></p>',
  '<p><span style="x">x</span></p>',
  '<p><span __proto__="x">y</span></p>',
  '<p><span class="h-card" __proto__="x">y</span></p>',
  '<p><a href="https://x.example/" __proto__="https://y.example/">x</a></p>',
  '<p><a __proto__="x" href="https://x.example/" class="u-url mention">x</a></p>',
  '<p><a href="https://x.example/" class="u-url mention" constructor="x">x</a></p>',
  '<p><a href="https://x.example/__proto__" class="u-url mention">__proto__</a></p>',
  '<p><a href="https://a.example/" class="u-url mention">' +
    '<a href="https://b.example/" class="u-url mention">b</a></a></p>',
  '<p><a href="https://a.example/" class="u-url mention">a<span><a href="https://b.example/" class="u-url mention">' +
    "b</a></span></a></p>",
  '<p><a href="https://a.example/" class="u-url mention">a</p>',
  '<p><a href="https://a.example/" class="u-url mention">a<span>b</a>c</span></p>',
  '<p><span class="h-card">a<span>b</span></p>',
  '<p><span class="h-card">a</p>',
  "<p>a</span></p>",
  "<p>a</a></p>",
  '<p><a href="https://a.example/" class="u-url mention">a</a></a></p>',
  '<span class="h-card"><p>x</p></span>',
  '<a href="https://a.example/" class="u-url mention"><p>x</p></a>',
  '<p><a href="https://a.example/" class="u-url mention">a<br />b</a></p>',
  "<p><span>a<br>b</span><strong><span>c</span></strong></p>",
  '<p><a href="https://a.example/" class="u-url mention"><strong>a</strong></a></p>',
  "<a>x</a>",
  "<span>x</span>",
  '<p><a href="https://a.example/" class="u-url mention">x</a href="https://b.example/"></p>',
  '<p></span class="h-card"></p>',
  '<p>x</p class="h-card">',
  '<p><strong>x</strong class="invisible" translate="no"></p>',
  '<p><a href="https://a.example/" class="u-url mention">&#60;script&#62;</a></p>',
  '<p><a href="https://a.example/" class="u-url mention"><!-- c --></a></p>',
  '<p><a href="https://a.example/" class="u-url mention"><script>alert(1)</script></a></p>',
  '<p><a href="https://x.example/" class="u-url mention"',
  '<p><a href="https://x.example/',
];

function expectSanitizeHtmlOrNull(input: string) {
  const shortcut = simpleHtml(input);
  if (shortcut !== null) expect(shortcut, JSON.stringify(input)).toBe(sanitizeHtml(input, SANITIZE));
  const text = simpleHtmlText(input);
  if (text !== null) expect(text, JSON.stringify(input)).toBe(textBySanitizer(input));
  return { shortcut, text };
}

/** Hrefs as Mastodon writes them, of characters written back unchanged (no `&`, quotes, spaces, non-ASCII). */
const plainHref = fc
  .oneof(
    fc.webUrl({ withQueryParameters: true, withFragments: true }),
    fc.constantFrom("https://masto.example/@alice", "https://pod.example/users/pod", "http://127.0.0.1:3000/tags/x"),
  )
  .filter((url) => /^[\w\-.~:/?#[\]@!$()*+,;=%]+$/.test(url));
/** Any href, safe or not. */
const anyHref = fc.oneof(
  plainHref,
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.constantFrom("javascript:alert(1)", "data:text/html,x", "//x.example/", " https://x.example/", "HTTP://X/"),
  fc.string({ maxLength: 12 }),
);
const plainWord = fc.oneof(
  fc.constantFrom("apples", "don&#39;t", "&quot;x&quot;", "a &amp; b", "1 &lt; 2", "&gt;", "&nbsp;", "é", "\u00a0"),
  fc.string({ unit: fc.constantFrom(..."ab >;\"'=/#@\n\t"), maxLength: 8 }),
);
const anyWord = fc.oneof(plainWord, fc.string({ unit: fc.constantFrom(..."ab <>&;\"'=/#@\n\t"), maxLength: 8 }));

/** Mastodon-like posts: paragraphs of words, mentions, hashtags, links and line breaks. */
function posts(href: fc.Arbitrary<string>, word: fc.Arbitrary<string>) {
  const name = fc.stringMatching(/^[a-z0-9_]{1,12}$/);
  const piece = fc.oneof(
    word,
    fc.tuple(href, name).map(([h, user]) => mention(h, user)),
    fc.tuple(href, name).map(([h, tag]) => hashtag(h, tag)),
    fc
      .tuple(href, fc.stringMatching(/^[a-z0-9./]{1,20}$/), fc.stringMatching(/^[a-z0-9./]{0,8}$/))
      .map(([h, shown, rest]) => link(h, shown, rest)),
    fc.constantFrom("<br />", "<br>", "<strong>x</strong>", "<em>y</em>"),
  );
  return fc
    .array(fc.array(piece, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 3 })
    .map((paragraphs) => paragraphs.map((pieces) => `<p>${pieces.join(" ")}</p>`).join(""));
}
/** What an attacker (or a broken server) might splice into such a post. */
const hostileFragment = fc.constantFrom(
  ...['"', "'", "=", " ", "\t", "\n", "<", ">", "/", "&", "#", "\u0000", "&amp;", "&#106;", "&quot;", "&copy;"],
  ...[' onclick="alert(1)"', "javascript:", "data:text/html,", "JAVASCRIPT:", ' href="javascript:alert(1)"'],
  ...["__proto__", ' __proto__="x"', "constructor", ' class="evil"', ' translate="no"', ' rel="tag"'],
  ...["<a>", "</a>", "<span>", "</span>", "<p>", "</p>", "<SPAN>", '<A href="https://x.example/">', "<br", "<b>"],
  ...['<a href="https://x.example/" class="u-url mention">', '<span class="h-card">', "<!--", "-->", "<script>"],
);
/** Places between tokens (before a `<`, after a `>`), where a spliced tag makes new structure, not a broken tag. */
function tagBoundaries(html: string): number[] {
  const cuts = [0, html.length];
  for (let i = 0; i < html.length; i++) {
    if (html[i] === "<") cuts.push(i);
    else if (html[i] === ">") cuts.push(i + 1);
  }
  return cuts.sort((a, b) => a - b);
}
/** Tag pairs, valid alone, to wrap around a stretch of a post: nested anchors, paragraphs in spans and so on. */
const wrapper = fc.constantFrom(
  ["<span>", "</span>"],
  ['<span class="h-card" translate="no">', "</span>"],
  ['<span class="invisible">', "</span>"],
  ['<a href="https://x.example/" class="u-url mention">', "</a>"],
  ['<a href="https://x.example/t" class="mention hashtag" rel="tag">', "</a>"],
  ["<strong>", "</strong>"],
  ["<code>", "</code>"],
  ["<p>", "</p>"],
  ["", "</span>"],
  ["", "</a>"],
  ['<span class="h-card">', ""],
  ['<a href="https://x.example/" class="u-url mention">', ""],
);
const wrap = fc.tuple(fc.nat(), fc.nat(), wrapper).map(([from, to, [opening, closing]]) => (html: string) => {
  const cuts = tagBoundaries(html);
  const [start, end] = [cuts[from % cuts.length]!, cuts[to % cuts.length]!].sort((a, b) => a - b);
  return html.slice(0, start) + opening + html.slice(start, end) + closing + html.slice(end);
});
/** A fragment spliced just inside a tag's `>`: an extra attribute, a quote, a slash. */
const intoTag = fc.tuple(fc.nat(), hostileFragment).map(([which, fragment]) => (html: string) => {
  const ends = [...html.matchAll(/>/g)].map((match) => match.index);
  if (ends.length === 0) return html + fragment;
  const at = ends[which % ends.length]!;
  return html.slice(0, at) + fragment + html.slice(at);
});
const mutation = fc.oneof(
  { arbitrary: wrap, weight: 4 },
  { arbitrary: intoTag, weight: 2 },
  fc.tuple(fc.nat(), hostileFragment).map(
    ([at, fragment]) =>
      (html: string) =>
        html.slice(0, at % (html.length + 1)) + fragment + html.slice(at % (html.length + 1)),
  ),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 12 })).map(([at, length]) => (html: string) => {
    const from = at % (html.length + 1);
    return html.slice(0, from) + html.slice(from + length);
  }),
  fc.nat().map((at) => (html: string) => {
    const i = at % Math.max(html.length, 1);
    const c = html.charAt(i);
    return html.slice(0, i) + (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) + html.slice(i + 1);
  }),
);
/** The committed run count keeps CI quick; SANITIZE_PROPERTY_RUNS=200000 for a long local run. */
const RUNS = Number(process.env.SANITIZE_PROPERTY_RUNS ?? 1000);

describe("the shortcuts on Mastodon's mentions, hashtags and links", () => {
  it("takes Mastodon's markup, giving exactly sanitize-html's output and text", () => {
    for (const input of MASTODON) {
      const { shortcut, text } = expectSanitizeHtmlOrNull(input);
      expect(shortcut, input).not.toBeNull();
      expect(text, input).not.toBeNull();
      expect(sanitize(input)).toBe(sanitizeHtml(input, SANITIZE));
    }
    expect(simpleHtml(MASTODON[0]!)).toBe(
      '<p><a href="https://masto.example/@alice" rel="nofollow noopener">@alice</a> any apples left?</p>',
    );
    expect(htmlToText(MASTODON[2]!)).toBe("See https://example.org/x\nThanks!\nBye & <3");
  });

  it("hostile hrefs, attribute injection, nested anchors, unclosed spans, __proto__: sanitize-html or null", () => {
    for (const input of HOSTILE) expectSanitizeHtmlOrNull(input);
    // None of the hostile hrefs is taken: each is left to sanitize-html.
    for (const input of HOSTILE.slice(0, 26)) expect(simpleHtml(input), input).toBeNull();
    for (const input of HOSTILE) {
      const kept = sanitize(input);
      expect(kept, input).toBe(sanitizeHtml(input, SANITIZE));
      // Only the pod's link attributes survive, with an http(s) href or none.
      for (const tag of kept.match(/<a\b[^>]*>/g) ?? [])
        expect(tag, input).toMatch(/^<a (href="(https?:\/\/|mailto:)[^"]*" )?rel="nofollow noopener">$/i);
      expect(kept, input).not.toMatch(/<span|<script/);
    }
  });

  it("for generated Mastodon-like posts: the shortcut is taken and equals sanitize-html (property)", () => {
    fc.assert(
      fc.property(posts(plainHref, plainWord), (html) => {
        const { shortcut, text } = expectSanitizeHtmlOrNull(html);
        expect(shortcut, html).not.toBeNull();
        expect(text, html).not.toBeNull();
      }),
      { numRuns: RUNS },
    );
  });

  it("for generated posts with hostile mutations: sanitize-html's output or null (property)", () => {
    let taken = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          { arbitrary: posts(plainHref, plainWord), weight: 3 },
          { arbitrary: posts(anyHref, anyWord), weight: 1 },
        ),
        fc.array(mutation, { minLength: 1, maxLength: 2 }),
        (html, mutations) => {
          const mutated = mutations.reduce((h, mutate) => mutate(h), html);
          if (expectSanitizeHtmlOrNull(mutated).shortcut !== null) taken++;
          expect(sanitize(mutated)).toBe(sanitizeHtml(mutated, SANITIZE));
        },
      ),
      { numRuns: RUNS },
    );
    if (process.env.SANITIZE_PROPERTY_RUNS) console.log(`mutated posts taken by the shortcut: ${taken} of ${RUNS}`);
    expect(taken).toBeGreaterThan(0); // not declined wholesale: some mutated posts are still simple
  });
});
