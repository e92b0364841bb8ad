import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { exportJwk } from "@fedify/fedify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type DatabaseHandle, openMigratedDatabase } from "../../src/db/client.ts";
import { generateKeyPairs } from "../../src/federation/key-generation.ts";
import { loadOrCreateKeyPairs } from "../../src/federation/keys.ts";

describe("a new pod's key pairs, generated while its modules load", () => {
  let dir: string;
  let handle: DatabaseHandle;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pods-keygen-"));
    handle = openMigratedDatabase(path.join(dir, "pod.sqlite"));
  });

  afterEach(() => {
    handle.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const publicJwks = (pairs: CryptoKeyPair[]) => Promise.all(pairs.map((pair) => exportJwk(pair.publicKey)));

  it("are the pairs a pod without keys stores and loads again: RSA-4096 (e = 65537, SHA-256), then Ed25519", async () => {
    const ahead = await generateKeyPairs();
    const stored = await loadOrCreateKeyPairs(handle.db, Promise.resolve(ahead));
    const expected = await publicJwks([ahead["RSASSA-PKCS1-v1_5"], ahead.Ed25519]);
    expect(await publicJwks(stored)).toEqual(expected);
    expect(await publicJwks(await loadOrCreateKeyPairs(handle.db))).toEqual(expected);
    const [rsa, ed25519] = stored;
    expect(rsa!.privateKey.algorithm).toMatchObject({ name: "RSASSA-PKCS1-v1_5", modulusLength: 4096 });
    expect((rsa!.privateKey.algorithm as RsaHashedKeyAlgorithm).hash.name).toBe("SHA-256");
    expect([...(rsa!.privateKey.algorithm as RsaHashedKeyAlgorithm).publicExponent]).toEqual([1, 0, 1]);
    expect(ed25519!.privateKey.algorithm.name).toBe("Ed25519");
  });

  it("are dropped when the pod already has keys (another process stored its pairs first)", async () => {
    const first = await publicJwks(await loadOrCreateKeyPairs(handle.db));
    const later = await loadOrCreateKeyPairs(handle.db, generateKeyPairs());
    expect(await publicJwks(later)).toEqual(first);
  });
});
