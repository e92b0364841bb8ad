import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sameJson } from "../../src/confederation/fast-inbox.ts";
import { POD_CONTEXT } from "../../src/publishing/vocab.ts";

/** The pod's context with one value changed, dropped, added or moved: the near misses the fast path must refuse. */
const nearContexts = fc.tuple(fc.nat(), fc.nat(), fc.jsonValue()).map(([pick, how, value]) => {
  const copy = JSON.parse(JSON.stringify(POD_CONTEXT));
  const objects: Record<string, unknown>[] = [];
  const walk = (node: unknown) => {
    if (node && typeof node === "object") {
      objects.push(node as Record<string, unknown>);
      for (const child of Object.values(node)) walk(child);
    }
  };
  walk(copy);
  const target = objects[pick % objects.length]!;
  const keys = Object.keys(target);
  const key = keys[pick % Math.max(keys.length, 1)];
  if (how % 4 === 0 && key !== undefined) target[key] = value;
  else if (how % 4 === 1 && key !== undefined) delete target[key];
  else if (how % 4 === 2) target.extra = value;
  else if (key !== undefined) {
    const moved = target[key];
    delete target[key];
    target[key] = moved;
  }
  // What a delivery can carry: parsed JSON (no holes or named properties on arrays).
  return JSON.parse(JSON.stringify(copy)) as unknown;
});

describe("sameJson", () => {
  it("says what comparing JSON.stringify says, on any JSON and on near copies of the pod's context", () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), nearContexts), fc.oneof(fc.jsonValue(), nearContexts), (a, b) => {
        expect(sameJson(a, b)).toBe(JSON.stringify(a) === JSON.stringify(b));
        expect(sameJson(a, POD_CONTEXT)).toBe(JSON.stringify(a) === JSON.stringify(POD_CONTEXT));
      }),
      { numRuns: 5_000 },
    );
    expect(sameJson(JSON.parse(JSON.stringify(POD_CONTEXT)), POD_CONTEXT)).toBe(true);
  });
});
