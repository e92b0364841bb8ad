import { exportJwk, importJwk } from "@fedify/fedify";
import { eq } from "drizzle-orm";
import type { RoomDb } from "../db/room-db.ts";
import { type GeneratedKeyPairs, generateKeyPair, KEY_ALGORITHMS } from "./key-generation.ts";
import { actorKeys } from "./schema.ts";

/**
 * Returns the pod actor's key pairs (RSA for HTTP Signatures, what Mastodon verifies, then Ed25519 for Object
 * Integrity Proofs), storing them on first use: the pairs `generated` ahead if given (a new pod starts
 * generating them while its modules load), else generated now.
 */
export async function loadOrCreateKeyPairs(
  rooms: RoomDb,
  generated?: Promise<GeneratedKeyPairs>,
): Promise<CryptoKeyPair[]> {
  const keys = rooms.table(actorKeys);
  const stored = new Map((await rooms.read((db) => db.select().from(keys))).map((row) => [row.algorithm, row]));
  const pairs: CryptoKeyPair[] = [];
  for (const algorithm of KEY_ALGORITHMS) {
    const row = stored.get(algorithm);
    if (row) {
      const privateJwk = JSON.parse(row.privateJwk) as JsonWebKey;
      const pair = {
        privateKey: await importJwk(privateJwk, "private"),
        publicKey: await importJwk(JSON.parse(row.publicJwk), "public"),
      };
      rememberImportedKey(privateJwk, pair.privateKey);
      pairs.push(pair);
      continue;
    }
    const pair = generated ? (await generated)[algorithm] : await generateKeyPair(algorithm);
    const privateJwk = await exportJwk(pair.privateKey);
    const publicJwk = await exportJwk(pair.publicKey);
    const inserted = await rooms.write((db) =>
      db
        .insert(keys)
        .values({
          algorithm,
          privateJwk: JSON.stringify(privateJwk),
          publicJwk: JSON.stringify(publicJwk),
          createdAt: new Date().toISOString(),
        })
        .onConflictDoNothing()
        .returning({ algorithm: keys.algorithm }),
    );
    // Another process of the pod (web and worker starting together) stored its pair first: use that one.
    if (inserted.length === 0) return loadOrCreateKeyPairs(rooms);
    rememberImportedKey(privateJwk, pair.privateKey);
    pairs.push(pair);
  }
  return pairs;
}

/** When the pod's RSA key was made: the pod's first publication date (its actor's `published`). */
export async function keysCreatedAt(rooms: RoomDb): Promise<Date> {
  const keys = rooms.table(actorKeys);
  const [rsa] = await rooms.read((db) =>
    db.select({ createdAt: keys.createdAt }).from(keys).where(eq(keys.algorithm, "RSASSA-PKCS1-v1_5")),
  );
  if (!rsa) throw new Error("the pod has no RSA key: load or create its key pairs first");
  return new Date(rsa.createdAt);
}

/**
 * The pod's own private keys, by their JWK. Fedify queues each delivery with the sender's private key as a
 * JWK and imports it again for every message it sends (~0.4 ms of CPU for RSA, ~8% of a fan-out); a JWK
 * of one of the pod's keys is answered with the key already imported, the same CryptoKey Fedify signs
 * with when it is not queueing. Only keys registered here are cached.
 */
const importedKeys = new Map<string, CryptoKey>();
let cacheInstalled = false;

function jwkIdentity(jwk: JsonWebKey): string | undefined {
  if (typeof jwk.d !== "string") return undefined;
  return [jwk.kty, jwk.crv, jwk.n, jwk.e, jwk.x, jwk.d].join("|");
}

function rememberImportedKey(jwk: JsonWebKey, key: CryptoKey): void {
  const identity = jwkIdentity(jwk);
  if (identity === undefined) return;
  importedKeys.set(identity, key);
  if (!cacheInstalled) installImportCache();
}

/** Whether an import with these parameters would give a key equal to `key`. */
function sameImport(key: CryptoKey, algorithm: unknown, extractable: boolean, usages: readonly string[]): boolean {
  const wanted = typeof algorithm === "string" ? { name: algorithm } : (algorithm as { name?: string; hash?: unknown });
  const hash = (wanted as { hash?: unknown }).hash;
  const wantedHash = typeof hash === "string" ? hash : (hash as { name?: string } | undefined)?.name;
  const keyHash = (key.algorithm as { hash?: { name?: string } }).hash?.name;
  return (
    wanted?.name === key.algorithm.name &&
    wantedHash === keyHash &&
    extractable === key.extractable &&
    usages.length === key.usages.length &&
    usages.every((usage) => key.usages.includes(usage as KeyUsage))
  );
}

function installImportCache(): void {
  cacheInstalled = true;
  const subtle = globalThis.crypto.subtle;
  const importKey = subtle.importKey.bind(subtle) as (...args: unknown[]) => Promise<CryptoKey>;
  Object.defineProperty(subtle, "importKey", {
    configurable: true,
    writable: true,
    value(format: string, keyData: unknown, algorithm: unknown, extractable: boolean, usages: readonly string[]) {
      if (format === "jwk" && keyData != null && typeof keyData === "object") {
        const identity = jwkIdentity(keyData as JsonWebKey);
        const key = identity === undefined ? undefined : importedKeys.get(identity);
        if (key && sameImport(key, algorithm, extractable, usages)) return Promise.resolve(key);
      }
      return importKey(format, keyData, algorithm, extractable, usages);
    },
  });
}
