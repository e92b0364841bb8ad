import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ProblemError } from "../../src/http/problem.ts";
import { MAX_FORM_KEY_DEPTH, nestFormKeys } from "../../src/mastodon/form.ts";

const HOSTILE = ["__proto__", "constructor", "prototype"];
/** Segment names an attacker would try, names Object.prototype has, Mastodon's own, and anything at all. */
const segment = fc.oneof(
  fc.constantFrom(
    ...HOSTILE,
    "toString",
    "hasOwnProperty",
    "valueOf",
    "__defineGetter__",
    "oauthToken",
    "content-type",
    "poll",
    "options",
    "",
  ),
  fc.string({ maxLength: 6 }),
);
const bracketedKey = fc
  .tuple(segment, fc.array(segment, { maxLength: MAX_FORM_KEY_DEPTH + 2 }))
  .map(([head, rest]) => head + rest.map((s) => `[${s}]`).join(""));
const formValue = fc.oneof(fc.string({ maxLength: 8 }), fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }));
/** Bodies as @fastify/formbody (fast-querystring) hands them over: a null-prototype object of strings and lists. */
const formBody = fc
  .array(fc.tuple(fc.oneof(bracketedKey, fc.string({ maxLength: 12 })), formValue), { maxLength: 8 })
  .map((entries) => {
    const body = Object.create(null) as Record<string, unknown>;
    for (const [key, value] of entries) body[key] = value;
    return body;
  });

const segmentsOf = (key: string) => {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])+)$/.exec(key);
  return match ? [match[1]!, ...[...match[2]!.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]!)] : [key];
};

function objectPrototypeSnapshot() {
  return Object.getOwnPropertyNames(Object.prototype).map((name) => [
    name,
    Object.getOwnPropertyDescriptor(Object.prototype, name),
  ]);
}

/** Undoes what a (broken) parser did to Object.prototype, so one failure does not fail every later run. */
function restorePrototype(before: ReturnType<typeof objectPrototypeSnapshot>) {
  const known = new Set(before.map(([name]) => name));
  for (const name of Object.getOwnPropertyNames(Object.prototype))
    if (!known.has(name)) delete (Object.prototype as Record<string, unknown>)[name];
  for (const [name, descriptor] of before)
    Object.defineProperty(Object.prototype, name as string, descriptor as PropertyDescriptor);
}

/** Every object in the result is either a null-prototype container or an array (of strings). */
function containersAreClean(value: unknown): boolean {
  if (Array.isArray(value))
    return Object.getPrototypeOf(value) === Array.prototype && value.every((item) => typeof item === "string");
  if (typeof value !== "object" || value === null) return typeof value === "string";
  return Object.getPrototypeOf(value) === null && Object.values(value).every(containersAreClean);
}

describe("Rails-style form keys from Mastodon apps", () => {
  it("nests bracketed keys and gathers lists, leaving plain keys alone", () => {
    expect(
      nestFormKeys({
        status: "hi",
        "media_ids[]": ["1", "2"],
        "home[last_read_id]": "9",
        "poll[options][]": "a",
        "poll[expires_in]": "60",
      }),
    ).toEqual({
      status: "hi",
      media_ids: ["1", "2"],
      home: { last_read_id: "9" },
      poll: { options: ["a"], expires_in: "60" },
    });
    expect(nestFormKeys({ "redirect_uris[]": "https://a.example/cb" })).toEqual({
      redirect_uris: ["https://a.example/cb"],
    });
    const plain = { grant_type: "authorization_code" };
    expect(nestFormKeys(plain)).toBe(plain);
  });

  it("refuses __proto__, constructor and prototype anywhere in a key, with a 400 naming the field", () => {
    for (const key of [
      "__proto__[oauthToken][operator]",
      "a[__proto__][x]",
      "__proto__[content-type]",
      "__proto__",
      "constructor",
      "x[constructor][prototype]",
      "x[][prototype]",
    ]) {
      let thrown: unknown;
      try {
        nestFormKeys({ [key]: "1", ok: "2" });
      } catch (error) {
        thrown = error;
      }
      expect(thrown, key).toBeInstanceOf(ProblemError);
      expect((thrown as ProblemError).problem).toMatchObject({ status: 400, field: key });
    }
    expect(({} as Record<string, unknown>).oauthToken).toBeUndefined();
  });

  it("a list after a nested key of the same name replaces it: lists hold values only", () => {
    const body = Object.assign(Object.create(null), { "valueOf[ ]": "", "valueOf[]": [] as string[] });
    expect(containersAreClean(nestFormKeys(body))).toBe(true);
    expect(nestFormKeys({ "a[x]": "1", "a[]": "2" })).toEqual(Object.assign(Object.create(null), { a: ["2"] }));
  });

  it("a value from the body is never written into: nesting replaces it with a container of its own", () => {
    const fromJson = { a: 1 };
    const nested = nestFormKeys({ poll: fromJson, "poll[b]": "2" });
    expect(fromJson).toEqual({ a: 1 });
    expect(nested.poll).toEqual({ b: "2" });
  });

  it("property: total (a result or the 400 error), Object.prototype untouched, only null-prototype containers", () => {
    const before = objectPrototypeSnapshot();
    fc.assert(
      fc.property(formBody, (body) => {
        const keys = Object.keys(body);
        const refused = keys.some(
          (key) => segmentsOf(key).some((s) => HOSTILE.includes(s)) || segmentsOf(key).length > MAX_FORM_KEY_DEPTH,
        );
        let result: Record<string, unknown> | undefined;
        let thrown: unknown;
        try {
          result = nestFormKeys(body);
        } catch (error) {
          thrown = error;
        }
        const after = objectPrototypeSnapshot();
        restorePrototype(before);
        expect(after).toEqual(before);
        expect(result === undefined).toBe(refused);
        if (thrown !== undefined) {
          expect(thrown).toBeInstanceOf(ProblemError);
          const problem = (thrown as ProblemError).problem;
          expect(problem.status).toBe(400);
          expect(keys.some((key) => key.startsWith(String(problem.field).replace(/…$/, "")))).toBe(true);
        }
        if (result) {
          expect(Object.getPrototypeOf(result)).toBe(null);
          expect(containersAreClean(result)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
