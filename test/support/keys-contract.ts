import { exportJwk } from "@fedify/fedify";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RoomDb } from "../../src/db/room-db.ts";
import { type GeneratedKeyPairs, generateKeyPairs } from "../../src/federation/key-generation.ts";
import { keysCreatedAt, loadOrCreateKeyPairs } from "../../src/federation/keys.ts";
import { actorKeys } from "../../src/federation/schema.ts";

export interface KeysDatabases {
  rooms: () => RoomDb;
  /** Another connection (SQLite) or pool (PostgreSQL) to the same database: a second process. */
  another: () => RoomDb;
}

const publicJwks = (pairs: CryptoKeyPair[]) => Promise.all(pairs.map((pair) => exportJwk(pair.publicKey)));
const expectedOf = (pairs: GeneratedKeyPairs) => publicJwks([pairs["RSASSA-PKCS1-v1_5"], pairs.Ed25519]);

/**
 * The pod actor's key pairs on both databases (test/integration/keys-store.test.ts, test/postgres/keys-store.test.ts):
 * made once, kept, and the same for every process of the pod.
 */
export function describeKeysContract(name: string, databases: KeysDatabases): void {
  describe(`${name} (the pod's key pairs)`, () => {
    let ours: GeneratedKeyPairs;
    let theirs: GeneratedKeyPairs;
    beforeAll(async () => {
      [ours, theirs] = await Promise.all([generateKeyPairs(), generateKeyPairs()]);
    });
    beforeEach(async () => {
      const rooms = databases.rooms();
      await rooms.write((db) => db.delete(rooms.table(actorKeys)));
    });

    it("a pod without keys stores the pairs made ahead and loads them again: RSA-2048 (e = 65537), then Ed25519", async () => {
      const rooms = databases.rooms();
      const stored = await loadOrCreateKeyPairs(rooms, Promise.resolve(ours));
      expect(await publicJwks(stored)).toEqual(await expectedOf(ours));
      expect(await publicJwks(await loadOrCreateKeyPairs(rooms))).toEqual(await expectedOf(ours));
      const [rsa, ed25519] = stored;
      expect(rsa!.privateKey.algorithm).toMatchObject({ name: "RSASSA-PKCS1-v1_5", modulusLength: 2048 });
      expect((rsa!.privateKey.algorithm as RsaHashedKeyAlgorithm).hash.name).toBe("SHA-256");
      expect([...(rsa!.privateKey.algorithm as RsaHashedKeyAlgorithm).publicExponent]).toEqual([1, 0, 1]);
      expect(ed25519!.privateKey.algorithm.name).toBe("Ed25519");
      expect((await keysCreatedAt(rooms)).getTime()).toBeLessThanOrEqual(Date.now());
    });

    it("pairs made ahead are dropped when the pod already has keys", async () => {
      const rooms = databases.rooms();
      const first = await publicJwks(await loadOrCreateKeyPairs(rooms, Promise.resolve(ours)));
      expect(await publicJwks(await loadOrCreateKeyPairs(rooms, Promise.resolve(theirs)))).toEqual(first);
    });

    it("two processes starting together end with the same pairs: the first stored wins", async () => {
      const another = databases.another();
      await another.read((db) => db.select().from(another.table(actorKeys))); // its connection open before the race
      // The second reads "no keys" at once, but its pairs are ready only once the first has stored its own.
      const first = loadOrCreateKeyPairs(databases.rooms(), Promise.resolve(ours));
      const second = loadOrCreateKeyPairs(
        another,
        first.then(() => theirs),
      );
      const [one, two] = await Promise.all([first, second]);
      const winner = await publicJwks(one);
      expect(await publicJwks(two)).toEqual(winner);
      expect([await expectedOf(ours), await expectedOf(theirs)]).toContainEqual(winner);
      expect(await publicJwks(await loadOrCreateKeyPairs(databases.rooms()))).toEqual(winner);
    });

    it("says so when asked for the keys' date before there are any", async () => {
      await expect(keysCreatedAt(databases.rooms())).rejects.toThrow("no RSA key");
    });
  });
}
