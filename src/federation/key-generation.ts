/**
 * Generating the pod actor's key pairs: RSA-2048 with SHA-256 for HTTP Signatures, Ed25519 for Object Integrity
 * Proofs. 2048 bits, as Mastodon and most of the fediverse use, not the 4096 of Fedify's generateCryptoKeyPair:
 * a pod signs every delivery of its fan-out, and a 4096-bit signature costs about six times as much CPU (it was
 * half of a delivery's CPU). This file imports nothing so that a new pod can start generating (on libuv's thread
 * pool) before it loads its modules. A pod keeps the pairs it has (older pods' are 4096 bits).
 */
export const KEY_ALGORITHMS = ["RSASSA-PKCS1-v1_5", "Ed25519"] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];
export type GeneratedKeyPairs = Record<KeyAlgorithm, CryptoKeyPair>;

export function generateKeyPair(algorithm: KeyAlgorithm): Promise<CryptoKeyPair> {
  if (algorithm === "Ed25519")
    return crypto.subtle.generateKey("Ed25519", true, ["sign", "verify"]) as Promise<CryptoKeyPair>;
  return crypto.subtle.generateKey(
    { name: algorithm, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  );
}

/** Both pairs, generated at the same time. */
export async function generateKeyPairs(): Promise<GeneratedKeyPairs> {
  const [rsa, ed25519] = await Promise.all(KEY_ALGORITHMS.map(generateKeyPair));
  return { "RSASSA-PKCS1-v1_5": rsa!, Ed25519: ed25519! };
}
