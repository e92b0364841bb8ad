import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectionItems, startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";

describe("three pods as separate processes follow each other over real HTTP with signatures", () => {
  let a: PodProcess;
  let b: PodProcess;
  let c: PodProcess;

  beforeAll(async () => {
    [a, b, c] = await Promise.all([startPod("a"), startPod("b"), startPod("c")]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), c?.stop()]);
  });

  const followersOf = (pod: PodProcess) => collectionItems(pod, `${pod.actorUrl}/followers`);
  const followingOf = (pod: PodProcess) => collectionItems(pod, `${pod.actorUrl}/following`);

  it("A and B follow C by handle, C follows A by actor URL; both sides agree", async () => {
    expect((await a.admin("POST", "/following", { target: c.handle })).status).toBe(202);
    expect((await b.admin("POST", "/following", { target: c.handle })).status).toBe(202);
    expect((await c.admin("POST", "/following", { target: a.actorUrl })).status).toBe(202);

    await waitUntil(async () => (await followersOf(c)).length === 2 && (await followingOf(c)).length === 1);
    await waitUntil(async () => (await followingOf(a)).length === 1 && (await followingOf(b)).length === 1);

    expect((await followersOf(c)).sort()).toEqual([a.actorUrl, b.actorUrl].sort());
    expect(await followingOf(a)).toEqual([c.actorUrl]);
    expect(await followingOf(b)).toEqual([c.actorUrl]);
    expect(await followingOf(c)).toEqual([a.actorUrl]);
    expect(await followersOf(a)).toEqual([c.actorUrl]);
    expect(await followersOf(b)).toEqual([]);

    const collection = await c.getActivityPub(`${c.actorUrl}/followers`);
    expect(collection.totalItems).toBe(2);
  });

  it("C unfollows A and it is gone on both sides", async () => {
    const response = await c.admin("DELETE", `/following?target=${encodeURIComponent(a.actorUrl)}`);
    expect(response.status).toBe(200);
    expect(await followingOf(c)).toEqual([]);
    await waitUntil(async () => (await followersOf(a)).length === 0);
    expect((await a.getActivityPub(`${a.actorUrl}/followers`)).totalItems).toBe(0);
    // A still follows C: the unfollow touched only C -> A.
    expect(await followersOf(c)).toContain(a.actorUrl);
  });
});
