import { spawnSync } from "node:child_process";
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
    const { loaded } = await modulesOfARealPod({ NODE_COMPILE_CACHE: join(dir, "own-cache") });
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
  it("resolves no package import again, loads the same modules, and each kept answer is a fresh one", async () => {
    const cache = join(dir, "compile-cache");
    const first = await modulesOfARealPod({ NODE_COMPILE_CACHE: cache });
    expect(first.resolved).toContain("fastify");
    const kept = readdirSync(cache, { recursive: true, encoding: "utf8" }).filter((name) =>
      /(^|\/)pods-resolutions-[\w-]+\.json$/.test(name),
    );
    expect(kept).toHaveLength(1);
    const second = await modulesOfARealPod({ NODE_COMPILE_CACHE: cache });
    expect(second.resolved).toEqual([]);
    expect(second.loaded).toEqual(first.loaded);

    const answers = JSON.parse(readFileSync(join(cache, kept[0]!), "utf8")) as Record<string, { url: string }>;
    expect(Object.keys(answers).length).toBeGreaterThan(500);
    expect(freshAnswers(Object.keys(answers))).toEqual(
      Object.fromEntries(Object.entries(answers).map(([key, { url }]) => [key, url])),
    );
  });

  it("loads no module that resolves with `require.resolve(name, { paths })` (it would share a kept answer)", async () => {
    const { loaded } = await modulesOfARealPod({ NODE_COMPILE_CACHE: join(dir, "own-cache") });
    const resolvingWithPaths = loaded
      .filter((url) => url.startsWith("file:"))
      .filter((url) =>
        /\.resolve\([^)]*\bpaths\s*:|_resolveFilename|module\.paths\s*=/.test(readFileSync(new URL(url), "utf8")),
      );
    expect(resolvingWithPaths).toEqual([]);
  });
});

/**
 * What each kept key resolves to now, in a process with the pod's hooks and nothing kept: `require.resolve`
 * from the key's folder for a require's key, `import.meta.resolve` for an import's.
 */
function freshAnswers(keys: string[]): Record<string, string> {
  const script = `
    import { createRequire } from "node:module";
    import { pathToFileURL } from "node:url";
    import { readFileSync } from "node:fs";
    const { prepareLoading } = await import(${JSON.stringify(new URL("../../bin/loading.mjs", import.meta.url).href)});
    prepareLoading();
    const answers = {};
    for (const key of JSON.parse(readFileSync(0, "utf8"))) {
      const [conditions, type, ...rest] = key.split("|");
      const specifier = rest.pop();
      const folder = rest.join("|");
      if (type) continue;
      if (conditions.split(",").includes("require")) {
        const found = createRequire(new URL(folder + "/x.js")).resolve(specifier);
        answers[key] = found.startsWith("/") ? pathToFileURL(found).href : "node:" + found.replace(/^node:/, "");
      } else {
        answers[key] = import.meta.resolve(specifier, folder + "/x.mjs");
      }
    }
    process.stdout.write(JSON.stringify(answers));`;
  const child = spawnSync(
    process.execPath,
    ["--experimental-import-meta-resolve", "--no-warnings", "--input-type=module", "-e", script],
    {
      input: JSON.stringify(keys),
      encoding: "utf8",
      env: { ...process.env, NODE_COMPILE_CACHE: join(dir, "fresh-cache") },
      maxBuffer: 64 << 20,
    },
  );
  if (child.status !== 0) throw new Error(child.stderr);
  return JSON.parse(child.stdout) as Record<string, string>;
}
