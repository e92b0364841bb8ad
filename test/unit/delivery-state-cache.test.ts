import type { KvKey } from "@fedify/fedify";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { openMigratedDatabase, type DatabaseHandle } from "../../src/db/client.ts";
import { cacheDeliveryState } from "../../src/federation/delivery-state-cache.ts";
import { SqliteKvStore } from "../../src/federation/sqlite-kv.ts";

describe("cacheDeliveryState (the KvStore Fedify delivers through)", () => {
  let dir: string;
  let handle: DatabaseHandle;
  let sqliteKv: SqliteKvStore;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pods-delivery-kv-"));
    handle = openMigratedDatabase(path.join(dir, "pod.sqlite"));
    sqliteKv = new SqliteKvStore(handle);
  });

  afterEach(() => {
    handle.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const circuit: KvKey = ["_fedify", "circuit", "follower.example"];
  const spec: KvKey = ["_fedify", "httpMessageSignaturesSpec", "https://follower.example"];

  const readsHealthyHosts =
    "reads a healthy host's (absent) circuit state from SQLite once, and sees a state written through it at once";
  it(readsHealthyHosts, async () => {
    const kv = cacheDeliveryState(sqliteKv);
    const reads = vi.spyOn(sqliteKv, "get");
    for (let i = 0; i < 5; i++) expect(await kv.get(circuit)).toBeUndefined();
    expect(reads).toHaveBeenCalledTimes(1);

    const open = { state: "open", failures: ["2025-01-01T00:00:00Z"], opened: "2025-01-01T00:00:00Z" };
    expect(await kv.cas!(circuit, undefined, open)).toBe(true);
    expect(await kv.get(circuit)).toEqual(open);
    expect(await sqliteKv.get(circuit)).toEqual(open);
    expect(await kv.cas!(circuit, open, undefined)).toBe(true);
    expect(await kv.get(circuit)).toBeUndefined();
    await kv.set(circuit, { state: "closed", failures: [] });
    expect(await kv.get(circuit)).toEqual({ state: "closed", failures: [] });
    await kv.delete(circuit);
    expect(await kv.get(circuit)).toBeUndefined();
  });

  it("writes the signature spec a host accepted once, not after every delivery, and a change at once", async () => {
    const kv = cacheDeliveryState(sqliteKv);
    const writes = vi.spyOn(sqliteKv, "set");
    for (let i = 0; i < 5; i++) await kv.set(spec, "draft-cavage-http-signatures-12");
    expect(writes).toHaveBeenCalledTimes(1);
    expect(await kv.get(spec)).toBe("draft-cavage-http-signatures-12");
    await kv.set(spec, "rfc9421");
    expect(writes).toHaveBeenCalledTimes(2);
    expect(await sqliteKv.get(spec)).toBe("rfc9421");
    expect(await kv.get(spec)).toBe("rfc9421");
  });

  it("passes every other key straight to SQLite", async () => {
    const kv = cacheDeliveryState(sqliteKv);
    const reads = vi.spyOn(sqliteKv, "get");
    const key: KvKey = ["_fedify", "publicKey", "https://follower.example/users/a#main-key"];
    expect(await kv.get(key)).toBeUndefined();
    await sqliteKv.set(key, { pem: "x" });
    expect(await kv.get(key)).toEqual({ pem: "x" });
    expect(reads).toHaveBeenCalledTimes(2);
    const listed = [];
    for await (const entry of kv.list(["_fedify", "publicKey"])) listed.push(entry.key);
    expect(listed).toEqual([key]);
  });
});
