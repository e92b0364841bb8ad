import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  MEMORY_ENTRY_KINDS,
  proposalRecord,
  viewRecordSchema,
  type ViewRecord,
} from "../../src/confederation/from-as.ts";
import { plainlyValid } from "../../src/confederation/view-record-check.ts";

const LIMITS = { summaryMax: 5000, entryKinds: MEMORY_ENTRY_KINDS };

/** Strings near every edge the schema draws: lengths, whitespace zod trims, IRIs and instants in other spellings. */
const edgyText = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom("", " ", "\t", "x ", " x", "a\nb", "\u00a0"),
  ...[20, 40, 64, 200, 300, 5000].flatMap((n) => [fc.constant("x".repeat(n)), fc.constant("x".repeat(n + 1))]),
);
const iriLike = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.constantFrom(
    "https://pod.example/o/1",
    "https://POD.example/o/1",
    "HTTPS://pod.example/o/1",
    "https://pod.example",
    "https://pod.example/",
    " https://pod.example/o/1",
    "https://pod.example/o/1 ",
    "https://pod.example/o\t/1",
    "https:pod.example/o",
    "https:/pod.example/o",
    "ftp://pod.example/o",
    "mailto:x@pod.example",
    "http://127.0.0.1:3000/o",
    "https://pod.example/a b",
    "https://pod.example/%7e",
    "https://pod.example/~",
    `https://pod.example/${"a".repeat(2030)}`,
    `https://pod.example/${"a".repeat(2040)}`,
  ),
);
const instantLike = fc.oneof(
  fc.date({ min: new Date(-1e14), max: new Date(3e14), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(
    "2026-11-30T04:00:00.000Z",
    "2026-11-30T04:00:00Z",
    "2026-11-30T04:00:00.000+01:00",
    "2026-02-29T00:00:00.000Z",
    "2024-02-29T00:00:00.000Z",
    "2026-11-30T24:00:00.000Z",
    "2026-11-30T23:59:60.000Z",
    "2026-11-30 04:00:00.000Z",
    "2026-11-30T04:00:00.000z",
    "0000-01-01T00:00:00.000Z",
    "-000001-01-01T00:00:00.000Z",
    "+275760-09-13T00:00:00.000Z",
    "2026-11-30",
  ),
);
const numberLike = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 1e15, 1e15 + 1, 2 ** 53, -1, 0.5, 90, 90.0001, -180, 180.5, NaN, Infinity, -Infinity),
);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, fc.constant(null), fc.constant(undefined));
const anything = fc.oneof(edgyText, iriLike, instantLike, numberLike, fc.constant(null), fc.boolean());

/** Mostly a value the builders write, now and then an edgy one: most records are near the line. */
const usually = <T, U>(good: fc.Arbitrary<T>, edgy: fc.Arbitrary<U>) =>
  fc.oneof({ arbitrary: good, weight: 12 }, { arbitrary: edgy, weight: 1 });
const goodIri = fc.webUrl().map((url) => new URL(url).href);
const goodInstant = fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toISOString());
const goodText = (max: number) => fc.string({ maxLength: Math.min(max, 12) });
const goodName = fc.string({ minLength: 1, maxLength: 12 });
const orNull = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, fc.constant(null));

const service = fc.record({
  iri: usually(goodIri, anything),
  name: usually(goodName, edgyText),
  categoryIri: usually(orNull(goodIri), maybe(iriLike)),
  status: usually(fc.constantFrom("active", "paused", "planned"), fc.constantFrom("stopped", "ACTIVE", undefined)),
  target: usually(orNull(goodText(40)), maybe(edgyText)),
});
const extra = usually(
  fc.record(
    {
      tags: fc.array(goodText(64), { maxLength: 3 }),
      revision: goodText(20),
      reviewDue: goodText(40),
      entry: fc.constantFrom(...MEMORY_ENTRY_KINDS),
    },
    { requiredKeys: [] },
  ),
  fc.oneof(
    fc.record(
      {
        tags: fc.array(edgyText, { maxLength: 52 }),
        revision: edgyText,
        reviewDue: edgyText,
        entry: fc.constantFrom(...MEMORY_ENTRY_KINDS, "other"),
        other: fc.string(),
      },
      { requiredKeys: [] },
    ),
    fc.constantFrom(null, [], Object.create(null)),
  ),
);
const goodMilli = orNull(fc.integer({ min: 0, max: 1e15 }));
const goodDegrees = (max: number) => orNull(fc.double({ min: -max, max, noNaN: true }));

const record = fc.record({
  iri: usually(goodIri, iriLike),
  kind: usually(fc.constantFrom("offer", "need", "practice"), numberLike),
  podIri: usually(goodIri, iriLike),
  name: usually(goodName, edgyText),
  summary: usually(goodText(5000), edgyText),
  content: usually(goodText(100_000), edgyText),
  url: usually(orNull(goodIri), maybe(iriLike)),
  categoryIri: usually(orNull(goodIri), maybe(iriLike)),
  action: usually(orNull(goodText(64)), maybe(edgyText)),
  unit: usually(orNull(goodText(64)), maybe(edgyText)),
  quantityMilli: usually(goodMilli, maybe(numberLike)),
  availableMilli: usually(goodMilli, maybe(numberLike)),
  startsAt: usually(orNull(goodInstant), maybe(instantLike)),
  endsAt: usually(orNull(goodInstant), maybe(instantLike)),
  areaName: usually(orNull(goodText(200)), maybe(edgyText)),
  latitude: usually(goodDegrees(90), maybe(numberLike)),
  longitude: usually(goodDegrees(180), maybe(numberLike)),
  extra,
  adaptedFrom: usually(orNull(goodIri), maybe(iriLike)),
  published: usually(goodInstant, instantLike),
  version: usually(goodInstant, instantLike),
  services: usually(fc.array(service, { maxLength: 3 }), anything),
});
/** Now and then a key missing or one too many: the check must not take a record of another shape. */
const reshaped = fc
  .tuple(
    record,
    fc.oneof({ arbitrary: fc.constant(""), weight: 6 }, fc.constantFrom("stray", "iri", "url", "services")),
  )
  .map(([r, key]) => {
    const copy: Record<string, unknown> = { ...r };
    if (key === "stray") copy.stray = 1;
    else if (key) delete copy[key];
    return copy;
  });

describe("the view record's quick check", () => {
  it("takes only records zod accepts, and zod gives them back unchanged", () => {
    let taken = 0;
    fc.assert(
      fc.property(reshaped, (candidate) => {
        const r = candidate as unknown as ViewRecord;
        if (!plainlyValid(r, LIMITS)) return;
        taken++;
        const parsed = viewRecordSchema.safeParse(r);
        expect(parsed.success).toBe(true);
        expect(parsed.data).toStrictEqual(r);
      }),
      { numRuns: 20_000 },
    );
    // The property means something only if many generated records get the quick yes.
    expect(taken).toBeGreaterThan(500);
  });

  it("takes the records the fast path builds for a neighbor's offer", () => {
    const built = proposalRecord(
      {
        iri: "https://pod.example/offers/1",
        name: "Apples",
        summary: "Apples, 20 kg",
        content: "<p>Fresh from the allotments &amp; the orchard.</p>",
        url: "https://pod.example/offers/1",
        startTime: "2026-12-01T09:00:00.000Z",
        endTime: null,
        published: "2026-11-30T04:00:00.000Z",
        updated: null,
        purpose: "offer",
        action: "transfer",
        categoryIri: "https://pod.example/categories/food",
        resourceQuantity: { unit: "kilogram", value: "20" },
        availableQuantity: { unit: "kilogram", value: "12.5" },
        place: { name: "Allotments", latitude: 51.5, longitude: -0.12 },
      },
      "https://pod.example/users/pod",
    );
    expect(plainlyValid(built, LIMITS)).toBe(true);
  });
});
