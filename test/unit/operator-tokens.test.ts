import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openMigratedDatabase, type DatabaseHandle } from "../../src/db/client.ts";
import {
  createMemberToken,
  ensureOperatorToken,
  isValidOperatorToken,
  revokeMemberToken,
  rotateToken,
  tokensOf,
} from "../../src/operators/service.ts";

describe("operator tokens", () => {
  let dir: string;
  let handle: DatabaseHandle;
  afterEach(() => {
    handle?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const noMembers = () => false;
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
    expect(isValidOperatorToken(db, first, noMembers)).toBe(true);
    ensureOperatorToken(db, second);
    expect(isValidOperatorToken(db, second, noMembers)).toBe(true);
    expect(isValidOperatorToken(db, first, noMembers)).toBe(false);
  });

  it("a member's token works while that member is a coordinator, survives rotation and is revoked alone", () => {
    const db = open();
    const coordinators = new Set(["m1"]);
    const isCoordinator = (id: string) => coordinators.has(id);
    const mine = createMemberToken(db, "m1", "my script");
    const other = createMemberToken(db, "m1", "phone app");
    rotateToken(db);
    expect(isValidOperatorToken(db, mine, isCoordinator)).toBe(true);
    expect(tokensOf(db, "m1").map((t) => t.label)).toEqual(["my script", "phone app"]);
    expect(revokeMemberToken(db, "m2", tokensOf(db, "m1")[0]!.id)).toBe(false);
    expect(revokeMemberToken(db, "m1", tokensOf(db, "m1")[0]!.id)).toBe(true);
    expect(isValidOperatorToken(db, mine, isCoordinator)).toBe(false);
    expect(isValidOperatorToken(db, other, isCoordinator)).toBe(true);
    coordinators.delete("m1");
    expect(isValidOperatorToken(db, other, isCoordinator)).toBe(false);
  });

  it("rotation keeps the seed and revokes the previously generated token", () => {
    const db = open();
    const seed = "seed-token-0123456789abcdefghij";
    ensureOperatorToken(db, seed);
    const one = rotateToken(db);
    const two = rotateToken(db);
    expect(isValidOperatorToken(db, one, noMembers)).toBe(false);
    expect(isValidOperatorToken(db, two, noMembers)).toBe(true);
    expect(isValidOperatorToken(db, seed, noMembers)).toBe(true);
  });
});
