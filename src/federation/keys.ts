import { exportJwk, generateCryptoKeyPair, importJwk } from "@fedify/fedify";
import type { Db } from "../db/client.ts";
import { actorKeys } from "./schema.ts";

/** RSA for HTTP Signatures (what Mastodon verifies), Ed25519 for Object Integrity Proofs. */
const ALGORITHMS = ["RSASSA-PKCS1-v1_5", "Ed25519"] as const;

/** Returns the pod actor's key pairs, generating and storing them on first use (RSA first). */
export async function loadOrCreateKeyPairs(db: Db): Promise<CryptoKeyPair[]> {
  const stored = new Map(db.select().from(actorKeys).all().map((row) => [row.algorithm, row]));
  const pairs: CryptoKeyPair[] = [];
  for (const algorithm of ALGORITHMS) {
    const row = stored.get(algorithm);
    if (row) {
      pairs.push({
        privateKey: await importJwk(JSON.parse(row.privateJwk), "private"),
        publicKey: await importJwk(JSON.parse(row.publicJwk), "public"),
      });
      continue;
    }
    const pair = await generateCryptoKeyPair(algorithm);
    db.insert(actorKeys)
      .values({
        algorithm,
        privateJwk: JSON.stringify(await exportJwk(pair.privateKey)),
        publicJwk: JSON.stringify(await exportJwk(pair.publicKey)),
        createdAt: new Date().toISOString(),
      })
      .onConflictDoNothing()
      .run();
    pairs.push(pair);
  }
  return pairs;
}
