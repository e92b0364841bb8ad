import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startPod } from "../support/pod-process.ts";

// What a real pod on SQLite loads (start, a WebFinger and an actor read), listed by a load hook preloaded into
// its process; each module left out is start time and memory (README "Speed").
const dir = mkdtempSync(join(tmpdir(), "pod-modules-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The modules a pod loaded, in order, and the package imports that reached Node's own resolver (the probe's
 * hook runs after bin/loading.mjs's, which answers the imports it resolved before without asking further).
 */
async function modulesOfARealPod(env: Record<string, string> = {}): Promise<{ loaded: string[]; resolved: string[] }> {
  const probe = join(dir, "probe.mjs");
  const list = join(dir, "modules.json");
  writeFileSync(
    probe,
    [
      'import { registerHooks } from "node:module";',
      'import { writeFileSync } from "node:fs";',
      "const loaded = [];",
      "const resolved = [];",
      "registerHooks({",
      "  load(url, context, next) { loaded.push(url); return next(url, context); },",
      "  resolve(specifier, context, next) {",
      '    if (/^[@a-z]/i.test(specifier) && !specifier.includes(":")) resolved.push(specifier);',
      "    return next(specifier, context);",
      "  },",
      "});",
      `process.on("exit", () => writeFileSync(${JSON.stringify(list)}, JSON.stringify({ loaded, resolved })));`,
    ].join("\n"),
  );
  const pod = await startPod("modules", { NODE_OPTIONS: `--import=${probe}`, ...env });
  try {
    const webfinger = await fetch(`${pod.url}/.well-known/webfinger?resource=acct:pod@${new URL(pod.url).host}`);
    expect(webfinger.status).toBe(200);
    expect((await pod.getActivityPub(pod.actorUrl)).type).toBe("Group");
  } finally {
    await pod.stop();
  }
  return JSON.parse(readFileSync(list, "utf8")) as { loaded: string[]; resolved: string[] };
}

describe("what a pod on SQLite loads", () => {
  it("no PostgreSQL module, nor Fastify's ajv and fast-json-stringify compilers (every route uses zod's), nor what only some pages use", async () => {
    const { loaded } = await modulesOfARealPod();
    expect(loaded.some((url) => url.includes("/src/db/room-db-sqlite.ts"))).toBe(true);
    const left = loaded.filter((url) =>
      /\/node_modules\/(pg|pg-pool|pg-protocol|ajv|@fastify\/ajv-compiler|@fastify\/fast-json-stringify-compiler|markdown-it|d3-scale|d3-shape|csv-stringify)\/|\/fast-json-stringify\/index\.js|\/drizzle-orm\/node-postgres\/|\/src\/db\/(postgres|room-db-postgres|postgres-schema)\.ts/.test(
        url,
      ),
    );
    expect(left).toEqual([]);
  });
});

describe("a pod's second start", () => {
  it("resolves no package import again, and loads the same modules the first start did", async () => {
    const cache = join(dir, "compile-cache");
    const first = await modulesOfARealPod({ NODE_COMPILE_CACHE: cache });
    expect(first.resolved).toContain("fastify");
    const kept = readdirSync(cache, { recursive: true, encoding: "utf8" }).filter((name) =>
      /(^|\/)pods-resolutions-\w+\.json$/.test(name),
    );
    expect(kept).toHaveLength(1);
    const second = await modulesOfARealPod({ NODE_COMPILE_CACHE: cache });
    expect(second.resolved).toEqual([]);
    expect(second.loaded).toEqual(first.loaded);
  });
});
