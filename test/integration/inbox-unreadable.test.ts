import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPod, type PodProcess } from "../support/pod-process.ts";
import { postRaw, signMastodonStyle, startRemoteActor, type RemoteActor } from "../support/remote-actor.ts";

/**
 * Issue 9 item 11 (inbox half): bodies nested 10,000 levels deep, or naming a context that cannot be loaded,
 * are the sender's error: 400 problem+json, logged once at info, never an error-level line or a stack.
 */
describe("unreadable inbox bodies, against a real pod process", () => {
  let pod: PodProcess;
  let alice: RemoteActor;

  beforeAll(async () => {
    [pod, alice] = await Promise.all([startPod("unreadable"), startRemoteActor("alice")]);
  });
  afterAll(async () => {
    await pod?.stop();
    await alice?.close();
  });

  const follow = (extra: Record<string, unknown> = {}) => ({
    "@context": "https://www.w3.org/ns/activitystreams",
    id: `${alice.actorId}/follows/${Math.random().toString(36).slice(2)}`,
    type: "Follow",
    actor: alice.actorId,
    object: pod.actorUrl,
    ...extra,
  });
  /** A Follow whose summary nests `depth` objects (written by hand: JSON.stringify recurses). */
  const deepFollow = (depth: number) => {
    const json = JSON.stringify(follow({ summary: "HERE" }));
    return Buffer.from(
      json.replace('"HERE"', `${'{"type":"Note","content":'.repeat(depth)}"bottom"${"}".repeat(depth)}`),
    );
  };
  const unsigned = (activity: unknown, requestId: string) =>
    postRaw({
      url: `${pod.url}/inbox`,
      body: Buffer.isBuffer(activity) ? activity : Buffer.from(JSON.stringify(activity)),
      headers: { "content-type": "application/activity+json", "x-request-id": requestId },
    });
  const signed = async (activity: unknown, requestId: string) => {
    const post = await signMastodonStyle(alice, `${pod.url}/inbox`, activity);
    return postRaw({ ...post, headers: { ...post.headers, "x-request-id": requestId } });
  };

  it("answers 400 problem+json to each, and logs each once below error level", async () => {
    const cases: [string, () => Promise<Response>][] = [
      ["deep-unsigned", () => unsigned(deepFollow(10_000), "deep-unsigned")],
      ["deep-signed", () => signed(deepFollow(10_000), "deep-signed")],
      [
        "context-elsewhere",
        () =>
          unsigned(
            follow({ "@context": ["https://www.w3.org/ns/activitystreams", "https://unloadable.invalid/ctx"] }),
            "context-elsewhere",
          ),
      ],
      [
        "context-missing",
        () =>
          signed(
            follow({ "@context": ["https://www.w3.org/ns/activitystreams", `${alice.origin}/contexts/missing`] }),
            "context-missing",
          ),
      ],
    ];
    for (const [id, send] of cases) {
      const response = await send();
      expect(response.status, id).toBe(400);
      expect(response.headers.get("content-type"), id).toMatch(/application\/problem\+json/);
      expect(await response.text(), id).not.toMatch(/\n\s+at /);
    }
    const refusedLine = (id: string) => (line: string) =>
      line.includes(`"reqId":"${id}"`) && line.includes("inbox delivery refused");
    await expect
      .poll(() => pod.logs().split("\n").some(refusedLine("context-missing")), { timeout: 30_000, interval: 100 })
      .toBe(true);
    const records = pod
      .logs()
      .split("\n")
      .filter((line) => line.trim().startsWith("{"))
      .map(
        (line) => JSON.parse(line) as { level: number; reqId?: string; msg?: string; stack?: string; err?: unknown },
      );
    for (const [id] of cases) {
      const mine = records.filter((record) => record.reqId === id && record.msg === "inbox delivery refused");
      expect(mine, id).toHaveLength(1);
      expect(mine[0]!.level, id).toBeLessThan(50);
    }
    // Fedify's document loader logs its own failed fetch (the 404 context) at error level: that line belongs to
    // the loader's logging (issue 10 item 14, the outbound work), not to the inbox, and carries no stack.
    const errors = records.filter(
      (record) => record.level >= 50 && (record as { category?: string }).category !== "fedify.runtime.docloader",
    );
    expect(
      errors.map((record) => JSON.stringify(record)),
      "error-level lines",
    ).toEqual([]);
    expect(pod.logs()).not.toMatch(/\n\s+at .*\.(ts|js):\d+/);
  });
});
