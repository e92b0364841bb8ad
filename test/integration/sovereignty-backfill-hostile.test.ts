/**
 * Reading a followed pod's earlier reports stays within its bounds against neighbors faked over real HTTP:
 * items on another origin or written by another actor are refused, a collection with more reports than the
 * bound, a `next` that loops and pages that never end stop the read (incomplete, quickly), a pod not followed
 * is not read, and reading the same reports again changes no total.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { followsOf } from "../../src/follows/room.ts";
import { following } from "../../src/follows/schema.ts";
import { REPORT_BACKFILL } from "../../src/sovereignty/backfill.ts";
import { addMonths } from "../../src/sovereignty/months.ts";
import { REPORT_CONTEXT } from "../../src/sovereignty/vocab.ts";
import { startInProcessPod, type InProcessPod } from "../support/in-process-pod.ts";
import { startNeighborPod, type NeighborPod } from "../support/neighbor-pod.ts";
import { sqliteOf } from "../support/sqlite-of.ts";

const MEALS = "https://w3id.org/pods/metrics/meals-prepared";
const clock = new Date("2026-06-10T12:00:00Z");

describe("backfill of earlier reports refuses hostile collections", () => {
  let server: InProcessPod;
  let neighbors: Record<"good" | "foreign" | "huge" | "loop" | "endless" | "stranger", NeighborPod>;

  beforeAll(async () => {
    server = await startInProcessPod({ now: () => clock });
    const names = ["good", "foreign", "huge", "loop", "endless", "stranger"] as const;
    const started = await Promise.all(names.map((name) => startNeighborPod(name, { streams: ["reports"] })));
    neighbors = Object.fromEntries(names.map((name, i) => [name, started[i]!])) as typeof neighbors;
    for (const name of names) if (name !== "stranger") follow(neighbors[name]);
  });
  afterAll(async () => {
    await server?.close();
    await Promise.all(Object.values(neighbors ?? {}).map((n) => n.close()));
  });

  function follow(neighbor: NeighborPod): void {
    sqliteOf(server.pod)
      .db.insert(following)
      .values({
        actorIri: neighbor.actorId,
        followIri: `${server.url}/follows/${randomUUID()}`,
        handle: null,
        inbox: neighbor.inboxUrl,
        sharedInbox: null,
        state: "accepted",
        createdAt: clock.toISOString(),
        respondedAt: clock.toISOString(),
      })
      .run();
    // Written behind the follows room's back: its copy in memory reloads now.
    followsOf(server.pod.deps).followingChanged();
  }

  /** A report as our pods serve it at its id (compact JSON of REPORT_CONTEXT), written by `author`. */
  function serveReport(on: NeighborPod, month: string, quantity: number, author = on.actorId): string {
    const id = `${on.origin}/reports/${month}-${randomUUID()}`;
    on.documents.set(new URL(id).pathname, {
      "@context": REPORT_CONTEXT,
      id,
      type: "Article",
      attributedTo: author,
      published: `${month}-28T00:00:00Z`,
      attachment: [
        { type: "PropertyValue", name: "period", value: month },
        {
          type: "EconomicEvent",
          action: "deliverService",
          provider: author,
          resourceConformsTo: MEALS,
          resourceQuantity: { type: "Measure", hasUnit: "meal", hasNumericalValue: String(quantity) },
          hasBeginning: `${month}-01T00:00:00Z`,
          hasEnd: `${addMonths(month, 1)}-01T00:00:00Z`,
          period: month,
        },
      ],
    });
    return id;
  }

  const backfill = (neighbor: NeighborPod) => server.pod.sovereignty.backfill(neighbor.actorId, () => false);
  const meals = async (): Promise<{ month: string; quantity: string; pods: string[] }[]> =>
    (await (await fetch(`${server.url}/view/sovereignty?metric=meals-prepared`)).json()).items;
  const podsIn = async (pod: NeighborPod) => (await meals()).filter((c) => c.pods.includes(pod.actorId));

  it("stores a pod's own reports and refuses items on another origin or written by another actor", async () => {
    const { good, foreign } = neighbors;
    good.servePagedStream("reports", [
      [serveReport(good, "2026-05", 40), serveReport(foreign, "2026-04", 7)],
      [serveReport(good, "2026-04", 30), serveReport(good, "2026-03", 99, foreign.actorId)],
    ]);
    const report = await backfill(good);
    expect(report).toEqual({ stored: 2, refused: 2, complete: true });
    expect((await podsIn(good)).map((c) => [c.month, c.quantity])).toEqual([
      ["2026-04", "30"],
      ["2026-05", "40"],
    ]);
    expect(await podsIn(foreign)).toEqual([]);
    // Nothing was fetched from the other origin.
    expect(foreign.gets).toEqual([]);
  });

  it("reading the same reports again changes no total", async () => {
    const before = await meals();
    expect(await backfill(neighbors.good)).toMatchObject({ stored: 2, complete: true });
    expect(await meals()).toEqual(before);
  });

  it("a collection with more reports than the bound is read up to the bound only", async () => {
    const { huge } = neighbors;
    const ids = Array.from({ length: REPORT_BACKFILL.reports + 20 }, (_, i) =>
      serveReport(huge, addMonths("2026-05", -i), 1),
    );
    huge.servePagedStream("reports", [ids]);
    expect(await backfill(huge)).toEqual({ stored: REPORT_BACKFILL.reports, refused: 0, complete: false });
  });

  it("a `next` that loops back, and pages that never end, stop the read", async () => {
    const { loop, endless } = neighbors;
    loop.servePagedStream("reports", [[serveReport(loop, "2026-05", 4)], [serveReport(loop, "2026-04", 4)]]);
    const second = loop.documents.get(new URL(`${loop.streamUrl("reports")}/page/1`).pathname) as object;
    loop.documents.set(new URL(`${loop.streamUrl("reports")}/page/1`).pathname, {
      ...second,
      next: `${loop.streamUrl("reports")}/page/0`,
    });
    expect(await backfill(loop)).toEqual({ stored: 2, refused: 0, complete: false });
    // Each page once: the read stops where `next` comes back to a page already read.
    expect(loop.gets.filter((r) => r.url.includes("/reports/page/")).map((r) => r.url.slice(-1))).toEqual(["0", "1"]);
    endless.serveEndlessStream("reports", (n) => serveReport(endless, addMonths("2026-05", -n), 2));
    expect(await backfill(endless)).toEqual({ stored: REPORT_BACKFILL.pages, refused: 0, complete: false });
    const pagesRead = endless.gets.filter((r) => r.url.includes("/reports/page/")).length;
    expect(pagesRead).toBe(REPORT_BACKFILL.pages);
  });

  it("a pod this pod does not follow is not read", async () => {
    const { stranger } = neighbors;
    stranger.servePagedStream("reports", [[serveReport(stranger, "2026-05", 3)]]);
    expect(await backfill(stranger)).toEqual({ stored: 0, refused: 0, complete: false });
    expect(stranger.gets).toEqual([]);
  });
});
