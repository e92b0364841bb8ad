import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalHandle } from "../../src/members/codes.ts";

/** What members type as their fediverse address, from a form: any text at all. */
describe("normalHandle", () => {
  it("reads @name@host and name@host alike, in lowercase", () => {
    expect(normalHandle(" @Ines@Social.Example ")).toBe("ines@social.example");
    expect(normalHandle("ines@127.0.0.1:3000")).toBe("ines@127.0.0.1:3000");
    for (const bad of ["ines", "@ines", "a@b@c", "https://social.example/@ines", "in es@x", ""]) {
      expect(normalHandle(bad), bad).toBeNull();
    }
  });

  it("never throws, and gives either nothing or one name@host without spaces, slashes or more @", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 80 }), (input) => {
        const handle = normalHandle(input);
        if (handle === null) return;
        expect(handle).toMatch(/^[^@\s/]+@[^@\s/]+$/);
        expect(handle).toBe(handle.toLowerCase());
        expect(normalHandle(handle)).toBe(handle);
      }),
    );
  });
});
