import { describe, expect, it } from "vitest";
import type { RoomDb } from "../../src/db/room-db.ts";
import { operatorTokens } from "../../src/operators/schema.ts";
import {
  appGrantTokenId,
  createMemberToken,
  createToken,
  ensureOperatorToken,
  grantStillStands,
  isValidOperatorToken,
  operatorTokenIdOf,
  revokeMemberToken,
  rotateToken,
  tokenHolders,
  tokensOf,
} from "../../src/operators/service.ts";

/**
 * The operators room's behaviour on both databases (test/integration/operator-tokens.test.ts and
 * test/postgres/operator-tokens.test.ts). Each test starts from an empty token table.
 */
export function describeOperatorsContract(name: string, open: () => Promise<RoomDb>): void {
  describe(`${name} (operators room)`, () => {
    const noMembers = () => false;
    const fresh = async () => {
      const rooms = await open();
      await rooms.write((db) => db.delete(rooms.table(operatorTokens)));
      return rooms;
    };

    it("a changed POD_ADMIN_TOKEN replaces the old one, which stops working", async () => {
      const rooms = await fresh();
      const first = "first-seed-token-0123456789abcdef";
      const second = "second-seed-token-0123456789abcdef";
      await ensureOperatorToken(rooms, first);
      await ensureOperatorToken(rooms, first); // again at the next start: still one
      expect(await isValidOperatorToken(rooms, first, noMembers)).toBe(true);
      await ensureOperatorToken(rooms, second);
      expect(await isValidOperatorToken(rooms, second, noMembers)).toBe(true);
      expect(await isValidOperatorToken(rooms, first, noMembers)).toBe(false);
      expect([...(await tokenHolders(rooms)).values()]).toEqual([{ label: "POD_ADMIN_TOKEN", memberId: null }]);
    });

    it("a member's token works while that member is a coordinator, survives rotation and is revoked alone", async () => {
      const rooms = await fresh();
      const coordinators = new Set(["m1"]);
      const isCoordinator = (id: string) => coordinators.has(id);
      const mine = await createMemberToken(rooms, "m1", "my script");
      const other = await createMemberToken(rooms, "m1", "phone app");
      await rotateToken(rooms);
      expect(await isValidOperatorToken(rooms, mine, isCoordinator)).toBe(true);
      const listed = await tokensOf(rooms, "m1");
      expect(listed.map((t) => t.label)).toEqual(["my script", "phone app"]);
      expect(await revokeMemberToken(rooms, "m2", listed[0]!.id)).toBe(false);
      expect(await revokeMemberToken(rooms, "m1", listed[0]!.id)).toBe(true);
      expect(await isValidOperatorToken(rooms, mine, isCoordinator)).toBe(false);
      expect(await isValidOperatorToken(rooms, other, isCoordinator)).toBe(true);
      coordinators.delete("m1");
      expect(await isValidOperatorToken(rooms, other, isCoordinator)).toBe(false);
    });

    it("rotation keeps the seed and revokes the previously generated token", async () => {
      const rooms = await fresh();
      const seed = "seed-token-0123456789abcdefghij";
      await ensureOperatorToken(rooms, seed);
      const one = await rotateToken(rooms);
      const two = await rotateToken(rooms);
      const added = await createToken(rooms, "backup job");
      expect(await isValidOperatorToken(rooms, one, noMembers)).toBe(false);
      expect(await isValidOperatorToken(rooms, two, noMembers)).toBe(true);
      expect(await isValidOperatorToken(rooms, seed, noMembers)).toBe(true);
      expect(await isValidOperatorToken(rooms, added, noMembers)).toBe(true);
      expect(await isValidOperatorToken(rooms, "pod_not-a-token", noMembers)).toBe(false);
    });

    it("without a seed, processes starting together make one first token between them, and only once", async () => {
      const rooms = await fresh();
      // Connections open first (on PostgreSQL), so the six starts really overlap.
      await Promise.all(Array.from({ length: 6 }, () => tokenHolders(rooms)));
      const made = await Promise.all(Array.from({ length: 6 }, () => ensureOperatorToken(rooms)));
      const tokens = made.filter((token) => token !== null);
      expect(tokens).toHaveLength(1);
      expect(await isValidOperatorToken(rooms, tokens[0]!, noMembers)).toBe(true);
      expect(await ensureOperatorToken(rooms)).toBeNull();
    });

    it("an app's grant hangs on one token per member and app, and stands while the member may act", async () => {
      const rooms = await fresh();
      const coordinators = new Set(["m1"]);
      const isCoordinator = (id: string) => coordinators.has(id);
      const ids = await Promise.all([
        appGrantTokenId(rooms, "m1", "app: Elk (c1)"),
        appGrantTokenId(rooms, "m1", "app: Elk (c1)"),
      ]);
      expect(ids[0]).toBe(ids[1]);
      expect(await appGrantTokenId(rooms, "m1", "app: Ivory (c2)")).not.toBe(ids[0]);
      expect(await grantStillStands(rooms, ids[0]!, isCoordinator)).toBe(true);
      coordinators.delete("m1");
      expect(await grantStillStands(rooms, ids[0]!, isCoordinator)).toBe(false);
      coordinators.add("m1");
      expect(await revokeMemberToken(rooms, "m1", ids[0]!)).toBe(true);
      expect(await grantStillStands(rooms, ids[0]!, isCoordinator)).toBe(false);
      const automation = await createToken(rooms, "cli");
      const automationId = await operatorTokenIdOf(rooms, automation, noMembers);
      expect(await grantStillStands(rooms, automationId!, noMembers)).toBe(true);
    });
  });
}
