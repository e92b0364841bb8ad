import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.ts";
import { OTHER_PROCESSES_SEEN_WITHIN_MS } from "../../src/db/versions.ts";
import { followsOf } from "../../src/follows/room.ts";
import { createLogger } from "../../src/log/logger.ts";
import { openPod, type Pod } from "../../src/pod.ts";
import { followsWriters } from "../support/follows.ts";

/**
 * The inbox asks on every delivery whether the pod follows the sender; the answers are kept in memory. Two pods
 * opened on one data directory (each its own connection and memory) are two processes of one pod: a change of
 * the follows made by either must count in both.
 */
describe("kept answers to 'does the pod follow this sender?' follow every change of the follows", () => {
  let dataDir: string;
  const pods: Pod[] = [];
  let n = 0;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "pod-follow-answers-"));
    for (let i = 0; i < 2; i++) {
      const config = loadConfig({
        POD_URL: "http://127.0.0.1:9",
        DATA_DIR: dataDir,
        POD_NAME: "Pod follow answers",
        POD_ALLOW_PRIVATE_ADDRESS: "true",
        LOG_LEVEL: "warn",
      });
      pods.push(await openPod(config, createLogger("warn", process.stderr)));
    }
  });
  afterAll(() => {
    for (const pod of pods) pod.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const neighbor = () => {
    const actorIri = `https://pod${++n}.example/users/pod`;
    return { actorIri, handle: null, inbox: `${actorIri}/inbox`, sharedInbox: null };
  };
  const otherProcessesSee = () => new Promise((resolve) => setTimeout(resolve, OTHER_PROCESSES_SEEN_WITHIN_MS + 10));
  const follow = async (pod: Pod, actor: ReturnType<typeof neighbor>) => {
    await followsWriters(pod.deps.rooms).recordFollowing(actor, `${actor.actorIri}#follow-${n}`, new Date());
    await followsWriters(pod.deps.rooms).answerFollowing(actor.actorIri, "accepted", new Date());
  };
  /** What the inbox asks (an answer from memory, or a promise while the copy reloads or a follow is pending). */
  const followsAccepted = async (pod: Pod, actorIri: string) => followsOf(pod.deps).followsAccepted(actorIri);

  it("in one process, a follow accepted, ended, asked for again and rejected counts at the very next question", async () => {
    const [pod] = pods as [Pod];
    const writers = followsWriters(pod.deps.rooms);
    const actor = neighbor();
    expect(await followsAccepted(pod, actor.actorIri)).toBe(false);
    await follow(pod, actor);
    expect(await followsAccepted(pod, actor.actorIri)).toBe(true);
    expect(await writers.removeFollowing(actor.actorIri)).toBeDefined();
    expect(await followsAccepted(pod, actor.actorIri)).toBe(false);
    await follow(pod, actor);
    expect(await followsAccepted(pod, actor.actorIri)).toBe(true);
    await writers.recordFollowing(actor, `${actor.actorIri}#again`, new Date());
    expect(await followsAccepted(pod, actor.actorIri)).toBe(false);
    await writers.answerFollowing(actor.actorIri, "rejected", new Date());
    expect(await followsAccepted(pod, actor.actorIri)).toBe(false);
  });

  it("an accepted follow is answered from memory, without a promise, once the copy is current", async () => {
    const [pod] = pods as [Pod];
    const actor = neighbor();
    await follow(pod, actor);
    expect(await followsAccepted(pod, actor.actorIri)).toBe(true);
    expect(followsOf(pod.deps).followsAccepted(actor.actorIri)).toBe(true);
  });

  it("a follow accepted and ended through another process counts once the counter is read", async () => {
    const [one, other] = pods as [Pod, Pod];
    const actor = neighbor();
    expect(await followsAccepted(other, actor.actorIri)).toBe(false);
    await follow(one, actor);
    await otherProcessesSee();
    expect(await followsAccepted(other, actor.actorIri)).toBe(true);
    await followsWriters(one.deps.rooms).removeFollowing(actor.actorIri);
    await otherProcessesSee();
    expect(await followsAccepted(other, actor.actorIri)).toBe(false);
  });

  it("a pending follow is not kept: its Accept, taken by another process, counts at the very next question", async () => {
    const [one, other] = pods as [Pod, Pod];
    const actor = neighbor();
    await followsWriters(one.deps.rooms).recordFollowing(actor, `${actor.actorIri}#follow`, new Date());
    await otherProcessesSee();
    expect(await followsAccepted(other, actor.actorIri)).toBe(false);
    await followsWriters(one.deps.rooms).answerFollowing(actor.actorIri, "accepted", new Date());
    expect(await followsAccepted(other, actor.actorIri)).toBe(true);
  });
});
