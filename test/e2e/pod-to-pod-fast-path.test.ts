import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { followAndWait, logRecords, startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";

interface LogLine {
  msg?: string;
  activity?: string;
  type?: string;
}

/**
 * Every offer and need a real pod sends a real pod that follows it (Create, edit Update, claim Update)
 * must be read by the receiver's fast path (confederation/fast-inbox.ts), not Fedify's generic JSON-LD path:
 * a change to what pods write (a new property, another context) that the fast path does not know would
 * otherwise cost ~10× the CPU per delivery with nobody noticing. The receiver logs, at debug, one line per
 * delivery for either path ("inbox fast path", "inbox generic path").
 */
describe("pod-to-pod offers stay on the inbox fast path", () => {
  let sender: PodProcess;
  let receiver: PodProcess;

  beforeAll(async () => {
    [sender, receiver] = await Promise.all([startPod("sender"), startPod("receiver", { LOG_LEVEL: "debug" })]);
    await followAndWait(receiver, sender);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([sender?.stop(), receiver?.stop()]);
  });

  const lines = () => logRecords<LogLine>(receiver);

  it("an offer and a need, published, edited and claimed, arrive through the fast path only", async () => {
    const objects: string[] = [];
    for (const path of ["/offers", "/needs"]) {
      const area = { name: "Riverside", latitude: 51.5, longitude: -0.1 };
      const made = await sender.admin("POST", path, {
        name: "Apples",
        category: "food",
        quantity: 3,
        unit: "kg",
        area,
      });
      expect(made.status).toBe(201);
      objects.push(`${sender.url}${path}/${made.body.id}`);
      expect((await sender.admin("PATCH", `${path}/${made.body.id}`, { description: "Picked today." })).status).toBe(
        200,
      );
      const claim = await sender.admin("POST", `${path}/${made.body.id}/claims`, { neighbor: "Sam", quantity: 3 });
      expect(claim.status).toBe(201);
    }
    const ofObjects = (line: LogLine) => objects.some((iri) => line.activity?.startsWith(`${iri}#`));
    // Three deliveries per object, each logged by one path or the other.
    const handled = () =>
      lines().filter((l) => (l.msg === "inbox fast path" || l.msg === "inbox generic path") && ofObjects(l));
    await waitUntil(() => handled().length >= 6, 60_000);
    const fast = lines().filter((l) => l.msg === "inbox fast path" && ofObjects(l));
    const generic = lines().filter((l) => l.msg === "inbox generic path" && ofObjects(l));
    expect(generic).toEqual([]);
    expect(fast).toHaveLength(6);
    const kinds = fast.map((l) => l.activity!.split("#")[1]!.split("-")[0]).sort();
    expect(kinds).toEqual(["create", "create", "update", "update", "update", "update"]);
    // The last leaves nothing available, which the receiver's view shows whichever path read them.
    // (Claimed objects leave the public lists, so the receiver's view table itself is read.)
    const view = new Database(join(receiver.dataDir, "pod.sqlite"), { readonly: true });
    const settled = view.prepare("SELECT count(*) AS n FROM view_objects WHERE available_milli = 0 AND iri IN (?, ?)");
    try {
      await waitUntil(() => (settled.get(...objects) as { n: number }).n === objects.length, 30_000);
    } finally {
      view.close();
    }
  }, 150_000);
});
