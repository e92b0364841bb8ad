import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isPdf, safeFileName } from "../../src/memory/uploads.ts";

/** The name of an uploaded guide comes from the network: whatever it is, what the pod keeps is a plain name. */
describe("uploaded guide names", () => {
  it("are refused, or become a plain name ending in .pdf that reaches nowhere", () => {
    const pieces = fc.constantFrom("..", "/", "\\", "%2e", "%2F", "%22", "%0D%0A", '"', ".", "pdf", "é", "\u0000");
    const names = fc.oneof(
      fc.string(),
      fc.string({ unit: "grapheme" }),
      fc.array(fc.oneof(pieces, fc.string())).map((a) => a.join("")),
    );
    fc.assert(
      fc.property(names, (sent) => {
        const name = safeFileName(sent);
        if (name === null) return;
        expect(name).toMatch(/^[A-Za-z0-9_]([A-Za-z0-9._-]*[A-Za-z0-9_])?\.pdf$/);
        expect(name).not.toContain("..");
        expect(name.length).toBeLessThanOrEqual(84);
      }),
      { numRuns: 2000 },
    );
  });

  it("that try to reach elsewhere are refused, not repaired", () => {
    for (const sent of ["../x.pdf", "a/b.pdf", "a\\b.pdf", "..", "%2e%2e%2fx.pdf", "x%00.pdf", "a\r\nb.pdf"])
      expect(safeFileName(sent), sent).toBeNull();
    expect(safeFileName('Seed "saving" guide.PDF')).toBe("Seed-saving-guide.pdf");
    expect(safeFileName("Guía de semillas.pdf")).toBe("Guia-de-semillas.pdf");
  });

  it("a PDF is known by its first bytes only", () => {
    expect(isPdf(Buffer.from("%PDF-1.7\n"))).toBe(true);
    expect(isPdf(Buffer.from(" %PDF-1.7"))).toBe(false);
    expect(isPdf(Buffer.from("%PDF"))).toBe(false);
  });
});
