import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { OTHER_PROCESSES_SEEN_WITHIN_MS } from "../../src/db/versions.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.ts";
import { categoriesOf } from "../../src/categories/service.ts";
import { loadConfig } from "../../src/config/load.ts";
import { createLogger } from "../../src/log/logger.ts";
import { openPod, type Pod } from "../../src/pod.ts";

/**
 * Two pods opened on one data directory, each with its own connection, config and in-memory caches: what two
 * web processes of one pod are. A change made through one must show through the other.
 */
describe("caches of one pod's processes follow changes made by another process", () => {
  let dataDir: string;
  const pods: Pod[] = [];
  const apps: FastifyInstance[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "pod-caches-"));
    for (let i = 0; i < 2; i++) {
      const config = loadConfig({
        POD_URL: "http://127.0.0.1:9",
        DATA_DIR: dataDir,
        POD_NAME: "Pod caches",
        POD_ALLOW_PRIVATE_ADDRESS: "true",
        LOG_LEVEL: "warn",
      });
      const pod = await openPod(config, createLogger("warn", process.stderr));
      pods.push(pod);
      apps.push(await buildApp(pod));
    }
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    for (const pod of pods) pod.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Another process's change is seen within OTHER_PROCESSES_SEEN_WITHIN_MS (each process reads the counters). */
  const otherProcessesSee = () => new Promise((resolve) => setTimeout(resolve, OTHER_PROCESSES_SEEN_WITHIN_MS + 10));
  const actorOf = async (app: FastifyInstance) =>
    (await app.inject({ url: "/users/pod", headers: { accept: "application/activity+json" } })).json();

  it("a name saved through one process is the actor's name in the other (settings and prebuilt actor)", async () => {
    const [one, two] = pods as [Pod, Pod];
    expect((await actorOf(apps[1]!)).name).toBe("Pod caches");
    await one.settings.choose({ name: "Riverside pantry" }, "operator");
    expect((await actorOf(apps[0]!)).name).toBe("Riverside pantry");
    await otherProcessesSee();
    expect((await actorOf(apps[1]!)).name).toBe("Riverside pantry");
    expect(two.deps.config.name).toBe("Riverside pantry");
  });

  it("a category added through one process is known to the other's requests and lookups", async () => {
    const [one, two] = pods as [Pod, Pod];
    const category = (app: FastifyInstance) => app.inject({ url: "/categories/seed-swap" });
    expect((await category(apps[1]!)).statusCode).toBe(404);
    await categoriesOf(one.deps).add({ slug: "seed-swap", label: "Seed swap" }, new Date());
    expect((await category(apps[0]!)).json()).toMatchObject({ slug: "seed-swap", label: "Seed swap" });
    await otherProcessesSee();
    expect((await category(apps[1]!)).json()).toMatchObject({ slug: "seed-swap", label: "Seed swap" });
    expect(categoriesOf(two.deps).find("seed-swap")?.label).toBe("Seed swap");
    await categoriesOf(one.deps).rename("seed-swap", "Seeds");
    await otherProcessesSee();
    expect((await category(apps[1]!)).json()).toMatchObject({ label: "Seeds" });
  });

  it("a guide linked through one process is on the other's offer after a request; gone when private", async () => {
    const [one, two] = pods as [Pod, Pod];
    const flow = await one.memory.create({
      kind: "workflow",
      title: "Opening the pantry",
      summary: "Keys, lights, the log.",
      visibility: "public",
    });
    expect(two.memory.guidesOfOffer("offer-x")).toEqual([]);
    await one.memory.attachGuide({ subjectKind: "offer", subjectId: "offer-x" }, "workflow", flow.id);
    await otherProcessesSee();
    await apps[1]!.inject({ url: "/categories" });
    expect(two.memory.guidesOfOffer("offer-x").map((g) => g.name)).toEqual(["Opening the pantry"]);
    // Members only again: the other process's public links drop it (the entries' trigger moves the counter).
    await one.memory.setVisibility(flow.id, "internal");
    await otherProcessesSee();
    await apps[1]!.inject({ url: "/categories" });
    expect(two.memory.guidesOfOffer("offer-x")).toEqual([]);
  });

  it("a server blocked through one process is refused by the other, and unblocked likewise", async () => {
    const [one, two] = pods as [Pod, Pod];
    const actor = "https://spam.example/users/someone";
    expect(two.moderation.refuses(actor)).toBe(false);
    await one.moderation.blockDomain("spam.example");
    expect(one.moderation.refuses(actor)).toBe(true);
    await otherProcessesSee();
    // A delivery's request: the hook reloads the lists the counter says changed before the inbox asks.
    await apps[1]!.inject({ url: "/categories" });
    expect(two.moderation.refuses(actor)).toBe(true);
    await one.moderation.unblockDomain("spam.example");
    await otherProcessesSee();
    await apps[1]!.inject({ url: "/categories" });
    expect(two.moderation.refuses(actor)).toBe(false);
  });
});
