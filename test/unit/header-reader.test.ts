import type { IncomingHttpHeaders } from "node:http";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { headerReader, webHeaders } from "../../src/federation/fastify-adapter.ts";
import { readSignatureHeader } from "../../src/federation/signature-header.ts";

/**
 * The signature guard reads an inbox POST's headers from Node's parsed headers, while Fedify's verifier (for a
 * key not yet verified) reads the Web Request's Headers: both must see the same values, or the guard would check
 * one signature and Fedify verify another.
 */
describe("the guard's header reader answers as the Web Request's Headers", () => {
  const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/);
  // What Node's parser can hand over: no NUL, CR or LF; any other text, whitespace at either end included.
  const value = fc.string({ unit: fc.constantFrom("a", "Z", "0", " ", "\t", ",", '"', "=", "é", "(", ";") });
  const headers = fc.dictionary(name, fc.oneof(value, fc.array(value, { minLength: 1, maxLength: 3 })));

  it("for any headers and any name (any case), including duplicated headers joined", () => {
    fc.assert(
      fc.property(headers, name, fc.boolean(), (given, asked, upper) => {
        const raw = given as IncomingHttpHeaders;
        const web = webHeaders({ headers: raw });
        const reader = headerReader(raw);
        for (const key of [...Object.keys(raw), asked]) {
          const spelled = upper ? key.toUpperCase() : key;
          expect(reader.get(spelled)).toBe(web.get(spelled));
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it("names an object's prototype answers (constructor, __proto__, toString) are absent, as in Headers", () => {
    const raw = { host: "pod.example", date: "x" } as IncomingHttpHeaders;
    const reader = headerReader(raw);
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "CONSTRUCTOR"]) {
      expect(reader.get(name), name).toBe(webHeaders({ headers: raw }).get(name));
      expect(reader.get(name), name).toBeNull();
    }
  });

  it("so a Signature header (repeated, padded) is read the same from both", () => {
    const signature = 'keyId="https://a.example/u#k",headers="(request-target) host date digest",signature="AAAA"';
    for (const given of [signature, ` ${signature}\t`, [signature, signature]]) {
      const raw = { signature: given } as IncomingHttpHeaders;
      const read = (headers: { get(name: string): string | null }) => {
        try {
          return readSignatureHeader(headers);
        } catch (error) {
          return (error as Error).message;
        }
      };
      expect(read(headerReader(raw))).toEqual(read(webHeaders({ headers: raw })));
    }
  });
});
