import { exportJwk, generateCryptoKeyPair, importJwk } from "@fedify/fedify";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openMigratedDatabase, type DatabaseHandle } from "../../src/db/client.ts";
import { sqliteRoomDb } from "../../src/db/room-db-sqlite.ts";
import { loadOrCreateKeyPairs } from "../../src/federation/keys.ts";

describe("the pod's private keys are imported once (Fedify re-imports the queued JWK for every delivery)", () => {
  let dir: string;
  let handle: DatabaseHandle;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pods-keys-"));
    handle = openMigratedDatabase(path.join(dir, "pod.sqlite"));
  });

  afterEach(() => {
    handle.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a queued JWK of the pod's key (generated, then loaded again) imports as the key already loaded", async () => {
    for (const pairs of [
      await loadOrCreateKeyPairs(sqliteRoomDb(handle.sqlite)),
      await loadOrCreateKeyPairs(sqliteRoomDb(handle.sqlite)),
    ]) {
      for (const pair of pairs) {
        const queued = JSON.parse(JSON.stringify(await exportJwk(pair.privateKey)));
        expect(await importJwk(queued, "private")).toBe(pair.privateKey);
      }
    }
    const [rsa] = await loadOrCreateKeyPairs(sqliteRoomDb(handle.sqlite));
    const signature = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", rsa!.privateKey, new TextEncoder().encode("x"));
    expect(
      await crypto.subtle.verify("RSASSA-PKCS1-v1_5", rsa!.publicKey, signature, new TextEncoder().encode("x")),
    ).toBe(true);
  });

  it("any other key, a public key, or other usages are imported as asked", async () => {
    const [rsa] = await loadOrCreateKeyPairs(sqliteRoomDb(handle.sqlite));
    const other = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
    const otherJwk = await exportJwk(other.privateKey);
    const imported = await importJwk(otherJwk, "private");
    expect(imported).not.toBe(other.privateKey);
    expect(await exportJwk(imported)).toEqual(otherJwk);

    expect(await importJwk(await exportJwk(rsa!.publicKey), "public")).not.toBe(rsa!.publicKey);
    const ownJwk = await exportJwk(rsa!.privateKey);
    const notExtractable = await crypto.subtle.importKey(
      "jwk",
      ownJwk,
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      false,
      ["sign"],
    );
    expect(notExtractable).not.toBe(rsa!.privateKey);
    expect(notExtractable.extractable).toBe(false);
    const otherHash = await crypto.subtle.importKey(
      "jwk",
      { ...ownJwk, alg: "RS512" },
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-512" },
      true,
      ["sign"],
    );
    expect((otherHash.algorithm as RsaHashedKeyAlgorithm).hash.name).toBe("SHA-512");
  });
});
