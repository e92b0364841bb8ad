/**
 * A followed pod's Accept starts the reading of its collections (the view's backfill, its posts, its earlier
 * reports). Repeating the Accept — the same one again or new ids in a loop — must start nothing again: each
 * read costs dozens of signed fetches, so a pod answering in a loop would make this pod fetch without end.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { followsOf } from "../../src/follows/room.ts";
import { following } from "../../src/follows/schema.ts";
import { startInProcessPod, type InProcessPod } from "../support/in-process-pod.ts";
import { startNeighborPod, type NeighborPod } from "../support/neighbor-pod.ts";
import { waitUntil } from "../support/pod-process.ts";
import { sqliteOf } from "../support/sqlite-of.ts";

describe("a followed pod's Accept starts the reading of its collections once", () => {
  let server: InProcessPod;
  let neighbor: NeighborPod;
  let followIri: string;

  beforeAll(async () => {
    server = await startInProcessPod();
    neighbor = await startNeighborPod("looping", { streams: ["reports"] });
    neighbor.servePagedStream("reports", [[]]);
    followIri = `${server.url}/follows/${randomUUID()}`;
    sqliteOf(server.pod)
      .db.insert(following)
      .values({
        actorIri: neighbor.actorId,
        followIri,
        handle: null,
        inbox: neighbor.inboxUrl,
        sharedInbox: null,
        state: "pending",
        createdAt: new Date().toISOString(),
        respondedAt: null,
      })
      .run();
    // Written behind the follows room's back: its copy in memory reloads now.
    followsOf(server.pod.deps).followingChanged();
  });
  afterAll(async () => {
    await server?.close();
    await neighbor?.close();
  });

  const streamReads = () =>
    neighbor.gets.filter((g) => g.url.startsWith(new URL(neighbor.streamUrl("reports")).pathname));
  const accept = async () => {
    const answer = await neighbor.deliver(`${server.url}/inbox`, neighbor.activity("Accept", followIri));
    expect(answer.status).toBeLessThan(300);
  };

  it("the first Accept reads the pod's reports; five more Accepts read nothing", async () => {
    await accept();
    await waitUntil(() => streamReads().length > 0, 15_000, 50);
    const state = sqliteOf(server.pod).db.select().from(following).all()[0]!.state;
    expect(state).toBe("accepted");
    // Whatever the first read still does, let it finish before counting.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const afterFirst = neighbor.gets.length;
    for (let i = 0; i < 5; i++) await accept();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(neighbor.gets.slice(afterFirst).map((g) => g.url)).toEqual([]);
  });
});
