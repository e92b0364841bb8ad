import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logRecords, startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";

/** Log lines (JSON) of the pod that mention `text`. */
const linesWith = (pod: PodProcess, text: string) => logRecords<{ level: number; msg: string }>(pod, text);

describe("routine federation events are not logged as errors", () => {
  let pod: PodProcess;
  beforeAll(async () => {
    pod = await startPod("log-levels", { LOG_LEVEL: "debug" });
  });
  afterAll(async () => {
    await pod.stop();
  });

  it("WebFinger for an unknown user: a 404, logged at debug", async () => {
    const port = new URL(pod.url).port;
    const answer = await fetch(
      `${pod.url}/.well-known/webfinger?resource=${encodeURIComponent(`acct:nobody@127.0.0.1:${port}`)}`,
    );
    expect(answer.status).toBe(404);
    await waitUntil(() => linesWith(pod, "Actor nobody not found").length > 0);
    expect(new Set(linesWith(pod, "Actor nobody not found").map((line) => line.level))).toEqual(new Set([20]));
  });

  it("fetching a withdrawn object (410): logged at info, the request that needed it answers 422", async () => {
    const offer = await pod.admin("POST", "/offers", {
      name: "Pears",
      category: "food",
      quantity: 2,
      unit: "kg",
      area: { name: "Riverside" },
    });
    expect((await pod.admin("POST", `/offers/${offer.body.id}/withdraw`)).status).toBe(200);
    const offerUrl = `${pod.url}/offers/${offer.body.id}`;
    // Following the withdrawn offer's URL makes the pod fetch it (from itself): the document loader sees 410.
    expect((await pod.admin("POST", "/following", { target: offerUrl })).status).toBe(422);
    await waitUntil(() => linesWith(pod, "Failed to fetch document: 410").length > 0);
    expect(linesWith(pod, "Failed to fetch document: 410").map((line) => line.level)).toEqual([30]);
  });

  it("one line per request: successful reads at debug, writes and refusals at info", async () => {
    const actorRead = await fetch(`${pod.url}/users/pod?mark=read`, {
      headers: { accept: "application/activity+json" },
    });
    expect(actorRead.status).toBe(200);
    const missing = await fetch(`${pod.url}/no-such-page?mark=missing`);
    expect(missing.status).toBe(404);
    const write = await pod.admin("POST", "/view/resync?mark=write");
    expect(write.status).toBeLessThan(300);
    const answered = (mark: string) => linesWith(pod, `mark=${mark}`).filter((line) => line.msg === "request answered");
    await waitUntil(() => ["read", "missing", "write"].every((mark) => answered(mark).length > 0));
    expect(answered("read").map((line) => line.level)).toEqual([20]);
    expect(answered("missing").map((line) => line.level)).toEqual([30]);
    expect(answered("write").map((line) => line.level)).toEqual([30]);
  });

  it("nothing above was logged at error level or above", () => {
    const errors = pod
      .logs()
      .split("\n")
      .filter((line) => /"level":(50|60)/.test(line));
    expect(errors).toEqual([]);
  });
});
