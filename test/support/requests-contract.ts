import { uuidv7 } from "uuidv7";
import { describe, expect, it } from "vitest";
import type { RoomDb } from "../../src/db/room-db.ts";
import { ProblemError } from "../../src/http/problem.ts";
import type { ClaimInput } from "../../src/offers/model.ts";
import { createLogger } from "../../src/log/logger.ts";
import { requestsService, type ClaimableOffers } from "../../src/requests/service.ts";

/**
 * The requests room's behaviour on both databases (test/integration/requests-service.test.ts and
 * test/postgres/requests-service.test.ts). The offers room is a small stand-in here: its claims are its own
 * room's business (test/integration/requests-hostile.test.ts records real ones through a running pod).
 */
export function describeRequestsContract(name: string, open: () => RoomDb): void {
  describe(`${name} (requests room)`, () => {
    const silentLogger = createLogger("silent");
    let clock = Date.UTC(2026, 0, 1);
    const now = () => new Date((clock += 1000));

    function offersStandIn(availableMilli: number, fail = false) {
      const offer = { kind: "offer" as const, id: uuidv7(), status: "open", availableMilli };
      const claims: ClaimInput[] = [];
      const offers = {
        get: () => offer,
        claim: async (_kind: string, _id: string, input: ClaimInput) => {
          await new Promise((resolve) => setTimeout(resolve, 5)); // a claim waits for its events
          if (fail) throw new ProblemError({ status: 409, title: "Conflict", detail: "gone meanwhile" });
          claims.push(input);
          return {};
        },
      } as unknown as ClaimableOffers;
      return { offer, claims, offers };
    }
    const input = (quantity?: number) => ({ name: "Ana", contact: "555", message: "for the soup", quantity });

    it("keeps a request, lists it newest first by status and page, counts it", async () => {
      const requests = requestsService({ log: silentLogger, now }, offersStandIn(0).offers, open());
      const subject = { subject: "need" as const, subjectId: uuidv7(), subjectName: "Rides" };
      const before = await requests.count("new");
      const first = await requests.create(subject, input());
      const second = await requests.create(subject, input(2500));
      expect(second.quantityMilli).toBe(2500);
      expect(await requests.get(first.id)).toEqual(first);
      expect(await requests.count("new")).toBe(before + 2);
      const [newest, next] = await requests.list({ status: "new", limit: 2 });
      expect([newest!.id, next!.id]).toEqual([second.id, first.id]);
      expect((await requests.list({ status: "new", before: second.id, limit: 1 }))[0]!.id).toBe(first.id);
      const answered = await requests.mark(first.id, "answered");
      expect(answered.status).toBe("answered");
      expect(answered.updatedAt > first.updatedAt).toBe(true);
      expect(await requests.count("new")).toBe(before + 1);
      expect((await requests.list({ status: "answered", limit: 10 })).map((r) => r.id)).toContain(first.id);
    });

    it("answers 404 for a request it does not have", async () => {
      const requests = requestsService({ log: silentLogger, now }, offersStandIn(0).offers, open());
      const missing = uuidv7();
      await expect(requests.get(missing)).rejects.toMatchObject({ problem: { status: 404 } });
      await expect(requests.mark(missing, "closed")).rejects.toMatchObject({ problem: { status: 404 } });
    });

    it("records one claim for the quantity asked, never more than is left, however often it is clicked", async () => {
      const { offer, claims, offers } = offersStandIn(1500);
      const requests = requestsService({ log: silentLogger, now }, offers, open());
      const row = await requests.create({ subject: "offer", subjectId: offer.id, subjectName: "Bread" }, input(2000));
      const results = await Promise.allSettled([requests.recordClaim(row.id), requests.recordClaim(row.id)]);
      expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
      expect(claims).toEqual([{ neighbor: "Ana", quantity: 1500, note: "for the soup" }]);
      const after = await requests.get(row.id);
      expect(after.status).toBe("answered");
      expect(after.claimedAt).not.toBeNull();
      await expect(requests.recordClaim(row.id)).rejects.toMatchObject({ problem: { status: 409 } });
    });

    it("frees a request whose claim failed, so it can be tried again; a service has nothing to claim", async () => {
      const failing = offersStandIn(1000, true);
      const requests = requestsService({ log: silentLogger, now }, failing.offers, open());
      const about = { subject: "offer" as const, subjectId: failing.offer.id, subjectName: "Bread" };
      const row = await requests.create(about, input());
      await expect(requests.recordClaim(row.id)).rejects.toMatchObject({ problem: { status: 409 } });
      const after = await requests.get(row.id);
      expect([after.claimedAt, after.status]).toEqual([null, "new"]);
      const service = await requests.create({ subject: "service", subjectId: "s", subjectName: "Repair" }, input());
      await expect(requests.recordClaim(service.id)).rejects.toThrow(/nothing to claim/);
    });
  });
}
