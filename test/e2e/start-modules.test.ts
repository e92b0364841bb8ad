import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startPod } from "../support/pod-process.ts";

// What a real pod on SQLite loads (start, a WebFinger and an actor read), listed by a load hook preloaded into
// its process; each module left out is start time and memory (README "Speed").
const dir = mkdtempSync(join(tmpdir(), "pod-modules-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function modulesOfARealPod(): Promise<string[]> {
  const probe = join(dir, "probe.mjs");
  const list = join(dir, "modules.json");
  writeFileSync(
    probe,
    [
      'import { registerHooks } from "node:module";',
      'import { writeFileSync } from "node:fs";',
      "const loaded = [];",
      "registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });",
      `process.on("exit", () => writeFileSync(${JSON.stringify(list)}, JSON.stringify(loaded)));`,
    ].join("\n"),
  );
  const pod = await startPod("modules", { NODE_OPTIONS: `--import=${probe}` });
  try {
    const webfinger = await fetch(`${pod.url}/.well-known/webfinger?resource=acct:pod@${new URL(pod.url).host}`);
    expect(webfinger.status).toBe(200);
    expect((await pod.getActivityPub(pod.actorUrl)).type).toBe("Group");
  } finally {
    await pod.stop();
  }
  return JSON.parse(readFileSync(list, "utf8")) as string[];
}

describe("what a pod on SQLite loads", () => {
  it("no PostgreSQL module, nor Fastify's ajv and fast-json-stringify compilers (every route uses zod's), nor what only some pages use", async () => {
    const loaded = await modulesOfARealPod();
    expect(loaded.some((url) => url.includes("/src/db/room-db-sqlite.ts"))).toBe(true);
    const left = loaded.filter((url) =>
      /\/node_modules\/(pg|pg-pool|pg-protocol|ajv|@fastify\/ajv-compiler|@fastify\/fast-json-stringify-compiler|markdown-it|d3-scale|d3-shape|csv-stringify)\/|\/fast-json-stringify\/index\.js|\/drizzle-orm\/node-postgres\/|\/src\/db\/(postgres|room-db-postgres|postgres-schema)\.ts/.test(
        url,
      ),
    );
    expect(left).toEqual([]);
  });
});
