import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.ts";
import { OTHER_PROCESSES_SEEN_WITHIN_MS } from "../../src/db/versions.ts";
import { answerFollowing, followsAccepted, recordFollowing, removeFollowing } from "../../src/follows/service.ts";
import { createLogger } from "../../src/log/logger.ts";
import { openPod, type Pod } from "../../src/pod.ts";

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
  const follow = (pod: Pod, actor: ReturnType<typeof neighbor>) => {
    recordFollowing(pod.deps.db, actor, `${actor.actorIri}#follow-${n}`, new Date());
    answerFollowing(pod.deps.db, actor.actorIri, "accepted", new Date());
  };

  it("in one process, a follow accepted, ended, asked for again and rejected counts at the very next question", () => {
    const [pod] = pods as [Pod];
    const db = pod.deps.db;
    const actor = neighbor();
    expect(followsAccepted(db, actor.actorIri)).toBe(false);
    follow(pod, actor);
    expect(followsAccepted(db, actor.actorIri)).toBe(true);
    expect(removeFollowing(db, actor.actorIri)).toBe(true);
    expect(followsAccepted(db, actor.actorIri)).toBe(false);
    follow(pod, actor);
    expect(followsAccepted(db, actor.actorIri)).toBe(true);
    recordFollowing(db, actor, `${actor.actorIri}#again`, new Date());
    expect(followsAccepted(db, actor.actorIri)).toBe(false);
    answerFollowing(db, actor.actorIri, "rejected", new Date());
    expect(followsAccepted(db, actor.actorIri)).toBe(false);
  });

  it("a follow accepted and ended through another process counts once the counter is read", async () => {
    const [one, other] = pods as [Pod, Pod];
    const actor = neighbor();
    expect(followsAccepted(other.deps.db, actor.actorIri)).toBe(false);
    follow(one, actor);
    await otherProcessesSee();
    expect(followsAccepted(other.deps.db, actor.actorIri)).toBe(true);
    removeFollowing(one.deps.db, actor.actorIri);
    await otherProcessesSee();
    expect(followsAccepted(other.deps.db, actor.actorIri)).toBe(false);
  });

  it("a pending follow is not kept: its Accept, taken by another process, counts at the very next question", () => {
    const [one, other] = pods as [Pod, Pod];
    const actor = neighbor();
    recordFollowing(one.deps.db, actor, `${actor.actorIri}#follow`, new Date());
    expect(followsAccepted(other.deps.db, actor.actorIri)).toBe(false);
    answerFollowing(one.deps.db, actor.actorIri, "accepted", new Date());
    expect(followsAccepted(other.deps.db, actor.actorIri)).toBe(true);
  });
});
