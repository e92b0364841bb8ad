import { decodeDict, type Item } from "structured-field-values";

/**
 * Reads an inbox request's HTTP signature headers exactly as Fedify 2.3.6 reads them
 * (dist/http-*.js: verifyRequestDraft splits `Signature` on commas and keeps the last of each
 * `name="value"` pair; verifyRequestRfc9421 decodes `Signature-Input` and `Signature` as structured-field
 * dictionaries), and refuses whatever two readers could read differently: duplicated, unknown or
 * malformed parameters, several RFC 9421 labels. What it returns is the key Fedify will verify with.
 */
export type SignatureHeader =
  | {
      spec: "draft";
      keyId: URL;
      signedHeaders: string[];
      algorithm: string | null;
      signature: string;
      /** Carries `created` or `expires`, whose own validity rules only Fedify's verifier applies. */
      timed: boolean;
    }
  | { spec: "rfc9421"; keyId: URL; label: string; components: string[] };

export class SignatureRefusal extends Error {
  readonly status: 400 | 401;
  readonly field: string;
  constructor(status: 400 | 401, message: string, field: string) {
    super(message);
    this.status = status;
    this.field = field;
  }
}

/** The parameters draft-cavage-http-signatures-12 defines, spelled as Fedify looks them up. */
const DRAFT_PARAMETERS = new Set(["keyId", "algorithm", "headers", "signature", "created", "expires"]);
/** Fedify's pattern for one parameter; a piece that does not match is silently dropped by Fedify. */
const DRAFT_PAIR = /^\s*([A-Za-z]+)=(?:"([^"]*)"|(\d+))\s*$/;

/** A request's headers as `Headers.get` answers: by name in any case, duplicates joined, null when absent. */
export interface HeaderReader {
  get(name: string): string | null;
}

/** Null when the request carries no HTTP signature at all. */
export function readSignatureHeader(headers: HeaderReader): SignatureHeader | null {
  const signature = headers.get("signature");
  const input = headers.get("signature-input");
  if (input !== null) return readRfc9421(input, signature);
  if (signature === null) return null;
  return readDraft(signature);
}

function readDraft(value: string): SignatureHeader {
  const params = new Map<string, string>();
  for (const piece of value.split(",")) {
    const match = DRAFT_PAIR.exec(piece);
    if (!match) throw refusal(`the Signature header has a malformed parameter: ${piece.trim().slice(0, 40)}`);
    const name = match[1]!;
    if (!DRAFT_PARAMETERS.has(name)) {
      throw refusal(`the Signature header has an unknown parameter "${name.slice(0, 40)}"`);
    }
    if (params.has(name)) throw refusal(`the Signature header repeats the parameter "${name}"`);
    params.set(name, match[2] ?? match[3]!);
  }
  for (const required of ["keyId", "headers", "signature"]) {
    if (!params.has(required)) throw refusal(`the Signature header has no ${required}`);
  }
  const signedHeaders = params.get("headers")!.split(/\s+/g);
  return {
    spec: "draft",
    keyId: keyUrl(params.get("keyId")!),
    signedHeaders,
    algorithm: params.get("algorithm") ?? null,
    signature: params.get("signature")!,
    timed: params.has("created") || params.has("expires"),
  };
}

function readRfc9421(input: string, signature: string | null): SignatureHeader {
  if (signature === null) throw refusal("Signature-Input without a Signature header", "signature");
  let inputs: Record<string, Item>;
  let signatures: Record<string, Item>;
  try {
    inputs = decodeDict(input) as Record<string, Item>;
    signatures = decodeDict(signature) as Record<string, Item>;
  } catch {
    throw refusal("the Signature-Input or Signature header is not a structured-field dictionary", "signature-input");
  }
  const labels = Object.keys(inputs);
  // Fedify takes the first label that verifies: with several, which key spoke cannot be told beforehand.
  if (labels.length !== 1) {
    throw refusal("the Signature-Input header must carry exactly one signature", "signature-input");
  }
  // Repeated labels or parameters are resolved last-wins by the decoder; a second keyid is refused outright.
  if ((input.match(/keyid\s*=/gi) ?? []).length !== 1) {
    throw refusal("the Signature-Input header names more than one keyid", "signature-input");
  }
  const label = labels[0]!;
  const item = inputs[label]!;
  const sigLabels = Object.keys(signatures);
  if (sigLabels.length !== 1 || sigLabels[0] !== label || !(signatures[label]!.value instanceof Uint8Array)) {
    throw refusal("the Signature header must carry exactly the one signature Signature-Input describes");
  }
  const params = (item.params ?? {}) as Record<string, unknown>;
  if (!Array.isArray(item.value) || typeof params.keyid !== "string" || typeof params.created !== "number") {
    throw refusal("the Signature-Input header needs a component list, keyid and created", "signature-input");
  }
  const components = (item.value as { value: unknown }[]).map((c) => (typeof c.value === "string" ? c.value : ""));
  return { spec: "rfc9421", keyId: keyUrl(params.keyid), label, components };
}

function keyUrl(value: string): URL {
  const url = URL.parse(value);
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
    throw refusal("the signature's keyId is not an http(s) URL");
  }
  return url;
}

const refusal = (detail: string, field = "signature") => new SignatureRefusal(401, detail, field);
