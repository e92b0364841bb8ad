import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OTHER_PROCESSES_SEEN_WITHIN_MS } from "../../src/db/versions.ts";
import { startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";
import { type InboxServer, startInboxServer } from "../support/inbox-server.ts";

/**
 * A block holds at the moment of delivery, not only where the followers were forgotten: a follower recorded
 * while the block was being made (another process's Follow committed after the block's delete, a fetch in
 * flight) gets no delivery from the blocked server's side, and a blocked account among others on a shared inbox
 * does not stop its server's delivery.
 */
describe("no delivery goes to a blocked server or account, whatever the followers table holds", () => {
  let pod: PodProcess;
  let blocked: InboxServer;
  let open: InboxServer;

  beforeAll(async () => {
    [pod, blocked, open] = await Promise.all([
      startPod("blocked-deliveries"),
      startInboxServer("127.0.0.2"),
      startInboxServer("127.0.0.3"),
    ]);
  });
  afterAll(async () => {
    for (const { server } of [blocked, open]) {
      server?.closeAllConnections();
      server?.close();
    }
    await pod?.stop();
  });

  it("a follower on a blocked server gets nothing; the others get the offer; the pod says why", async () => {
    // As another process would leave them: the block recorded, and a follower there committed just after it.
    const db = new Database(join(pod.dataDir, "pod.sqlite"));
    const at = new Date().toISOString();
    db.prepare("INSERT INTO blocked_domains (domain, reason, created_at) VALUES ('127.0.0.2', 'Spam', ?)").run(at);
    const follower = db.prepare(
      `INSERT INTO followers (actor_iri, follow_iri, inbox, shared_inbox, state, created_at, accepted_at)
       VALUES (?, ?, ?, NULL, 'accepted', ?, ?)`,
    );
    for (const { origin } of [blocked, open]) {
      follower.run(`${origin}/users/x`, `${origin}/follows/1`, `${origin}/users/x/inbox`, at, at);
    }
    db.close();
    await new Promise((resolve) => setTimeout(resolve, OTHER_PROCESSES_SEEN_WITHIN_MS + 10));

    const offer = { name: "Apples", category: "food", quantity: 5, unit: "kg", area: { name: "Riverside" } };
    expect((await pod.admin("POST", "/offers", offer)).status).toBe(201);
    const refusals = () =>
      pod
        .logs()
        .split("\n")
        .filter((line) => line.includes('"msg":"delivery refused"') && line.includes(blocked.origin)).length;
    // Each activity the open server gets (the offer's object, its Note) was also due to the blocked one.
    await waitUntil(() => open.posts.length > 0 && refusals() + blocked.posts.length >= open.posts.length, 60_000);
    expect(blocked.posts).toEqual([]);
    expect(refusals()).toBeGreaterThan(0);
    expect(new Set(open.posts)).toEqual(new Set(["/users/x/inbox"]));
  });
});
