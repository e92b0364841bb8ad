import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openMigratedDatabase, type DatabaseHandle } from "../../src/db/client.ts";
import { ensureOperatorToken, isValidOperatorToken, rotateToken } from "../../src/operators/service.ts";

describe("operator tokens", () => {
  let dir: string;
  let handle: DatabaseHandle;
  afterEach(() => {
    handle?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const open = () => {
    dir = mkdtempSync(join(tmpdir(), "pod-tokens-"));
    handle = openMigratedDatabase(join(dir, "pod.sqlite"));
    return handle.db;
  };

  it("a changed POD_ADMIN_TOKEN replaces the old one, which stops working", () => {
    const db = open();
    const first = "first-seed-token-0123456789abcdef";
    const second = "second-seed-token-0123456789abcdef";
    ensureOperatorToken(db, first);
    expect(isValidOperatorToken(db, first)).toBe(true);
    ensureOperatorToken(db, second);
    expect(isValidOperatorToken(db, second)).toBe(true);
    expect(isValidOperatorToken(db, first)).toBe(false);
  });

  it("rotation keeps the seed and revokes the previously generated token", () => {
    const db = open();
    const seed = "seed-token-0123456789abcdefghij";
    ensureOperatorToken(db, seed);
    const one = rotateToken(db);
    const two = rotateToken(db);
    expect(isValidOperatorToken(db, one)).toBe(false);
    expect(isValidOperatorToken(db, two)).toBe(true);
    expect(isValidOperatorToken(db, seed)).toBe(true);
  });
});
