import { createHash } from "node:crypto";
import { verifyRequestDetailed } from "@fedify/fedify";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readSignatureHeader, SignatureRefusal } from "../../src/federation/signature-header.ts";

const NEIGHBOR_KEY = "https://neighbor.example/users/pod#main-key";
const FORGED_KEY = "https://evil.example/users/not-pod#main-key";
const body = '{"type":"Delete"}';
const digest = `SHA-256=${createHash("sha256").update(body).digest("base64")}`;

/**
 * Which keys Fedify's own verifier (verifyRequestDetailed, the function its inbox calls) would fetch or
 * name for these headers: a document loader records every URL asked for and fails, so nothing verifies.
 */
async function keysFedifyWouldUse(headers: Record<string, string>): Promise<Set<string>> {
  const asked = new Set<string>();
  const loader = async (url: string) => {
    asked.add(new URL(url).href);
    throw new Error("no network in this test");
  };
  const request = new Request("https://pod.example/inbox", {
    method: "POST",
    headers: {
      host: "pod.example",
      date: new Date().toUTCString(),
      digest,
      "content-digest": `sha-256=:${createHash("sha256").update(body).digest("base64")}:`,
      ...headers,
    },
    body,
  });
  const result = await verifyRequestDetailed(request, { documentLoader: loader, contextLoader: loader });
  if (!result.verified && "keyId" in result.reason && result.reason.keyId) asked.add(result.reason.keyId.href);
  return asked;
}

const keyIds = fc.constantFrom(NEIGHBOR_KEY, FORGED_KEY, "not a url", "https://neighbor.example/a,b");
const draftNames = fc.constantFrom(
  "keyId",
  "keyId",
  "keyid",
  "KeyId",
  "xkeyId",
  "algorithm",
  "headers",
  "signature",
  "created",
  "expires",
  "key_id",
);
const draftValues = fc.oneof(
  keyIds.map((k) => `"${k}"`),
  fc.constantFrom('"rsa-sha256"', '"(request-target) host date digest"', '"c2lnbmF0dXJl"', "1700000000", '""', '"a"b"'),
);
const draftPiece = fc.oneof(
  fc.tuple(draftNames, draftValues).map(([name, value]) => `${name}=${value}`),
  fc.constantFrom("junk", " ", 'keyId="unterminated'),
);
/** A well-formed header with random pieces before and after it: duplicates, look-alikes, malformed pieces. */
const draftHeader = fc
  .tuple(
    fc.array(draftPiece, { maxLength: 3 }),
    keyIds,
    fc.array(draftPiece, { maxLength: 3 }),
    fc.constantFrom(",", ", ", " ,"),
  )
  .map(([before, key, after, sep]) =>
    [...before, `keyId="${key}"`, 'headers="(request-target) host date digest"', 'signature="c2ln"', ...after].join(
      sep,
    ),
  );

const label = fc.constantFrom("sig1", "sig2", "sig1");
const inputMember = fc
  .tuple(
    label,
    fc.array(fc.constantFrom("keyid", "created", "alg", "nonce"), { minLength: 0, maxLength: 4 }),
    keyIds,
    fc.boolean(),
  )
  .map(([name, params, key, withComponents]) => {
    const values: Record<string, string> = {
      keyid: `"${key}"`,
      created: String(Math.floor(Date.now() / 1000)),
      alg: '"rsa-v1_5-sha256"',
      nonce: '"n"',
    };
    const components = withComponents ? '("@method" "@target-uri" "content-digest")' : "()";
    return `${name}=${components}${params.map((p) => `;${p}=${values[p]}`).join("")}`;
  });
const rfc9421Headers = fc
  .tuple(fc.array(inputMember, { minLength: 1, maxLength: 3 }), fc.array(label, { minLength: 0, maxLength: 3 }))
  .map(([inputs, sigs]) => ({
    "signature-input": inputs.join(", "),
    signature: sigs.map((l) => `${l}=:c2ln:`).join(", "),
  }));

describe("the signature guard reads keys as Fedify does", () => {
  const draftcavageWheneverGuard =
    "draft-cavage: whenever the guard names a key, it is the only key Fedify would use; otherwise it refuses";
  it(draftcavageWheneverGuard, async () => {
    await fc.assert(
      fc.asyncProperty(draftHeader, async (signature) => {
        let chosen: string | null;
        try {
          chosen = readSignatureHeader(new Headers({ signature }))?.keyId.href ?? null;
        } catch (error) {
          expect(error).toBeInstanceOf(SignatureRefusal);
          return;
        }
        const fedify = await keysFedifyWouldUse({ signature });
        expect(
          [...fedify].every((key) => key === chosen),
          `${signature} -> guard ${chosen}, Fedify ${[...fedify]}`,
        ).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  const rfc9421Whenever =
    "RFC 9421: whenever the guard names a key, it is the only key Fedify would use; otherwise it refuses";
  it(rfc9421Whenever, async () => {
    await fc.assert(
      fc.asyncProperty(rfc9421Headers, async (headers) => {
        let chosen: string | null;
        try {
          chosen = readSignatureHeader(new Headers(headers))?.keyId.href ?? null;
        } catch (error) {
          expect(error).toBeInstanceOf(SignatureRefusal);
          return;
        }
        const fedify = await keysFedifyWouldUse(headers);
        expect(
          [...fedify].every((key) => key === chosen),
          `${JSON.stringify(headers)} -> guard ${chosen}, Fedify ${[...fedify]}`,
        ).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses the named forgeries outright", () => {
    const refuse = (headers: Record<string, string>) =>
      expect(() => readSignatureHeader(new Headers(headers))).toThrow(SignatureRefusal);
    const rest = 'algorithm="rsa-sha256",headers="(request-target) host date digest",signature="c2ln"';
    refuse({ signature: `keyId="${NEIGHBOR_KEY}",${rest},keyId="${FORGED_KEY}"` });
    refuse({ signature: `xkeyId="${NEIGHBOR_KEY}",keyId="${FORGED_KEY}",${rest}` });
    refuse({ signature: `keyid="${NEIGHBOR_KEY}",keyId="${FORGED_KEY}",${rest}` });
    const created = Math.floor(Date.now() / 1000);
    refuse({
      "signature-input":
        `sig0=("@method");keyid="${NEIGHBOR_KEY}";created=${created}, ` +
        `sig1=("@method");keyid="${FORGED_KEY}";created=${created}`,
      signature: "sig0=:AAAA:, sig1=:AAAA:",
    });
    refuse({
      "signature-input": `sig1=("@method");keyid="${NEIGHBOR_KEY}";keyid="${FORGED_KEY}";created=${created}`,
      signature: "sig1=:AAAA:",
    });
    expect(readSignatureHeader(new Headers({ signature: `keyId="${NEIGHBOR_KEY}",${rest}` }))?.keyId.href).toBe(
      NEIGHBOR_KEY,
    );
  });
});
