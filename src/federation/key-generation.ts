/**
 * Generating the pod actor's key pairs, with the parameters Fedify's generateCryptoKeyPair uses (RSA-4096 with
 * SHA-256 for HTTP Signatures, Ed25519 for Object Integrity Proofs). This file imports nothing so that a new pod
 * can start generating (on libuv's thread pool; RSA-4096 takes from 0.3 s to over 1 s) before it loads its modules.
 */
export const KEY_ALGORITHMS = ["RSASSA-PKCS1-v1_5", "Ed25519"] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];
export type GeneratedKeyPairs = Record<KeyAlgorithm, CryptoKeyPair>;

export function generateKeyPair(algorithm: KeyAlgorithm): Promise<CryptoKeyPair> {
  if (algorithm === "Ed25519")
    return crypto.subtle.generateKey("Ed25519", true, ["sign", "verify"]) as Promise<CryptoKeyPair>;
  return crypto.subtle.generateKey(
    { name: algorithm, modulusLength: 4096, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  );
}

/** Both pairs, generated at the same time. */
export async function generateKeyPairs(): Promise<GeneratedKeyPairs> {
  const [rsa, ed25519] = await Promise.all(KEY_ALGORITHMS.map(generateKeyPair));
  return { "RSASSA-PKCS1-v1_5": rsa!, Ed25519: ed25519! };
}
