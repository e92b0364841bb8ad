import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * The modules a process loads by importing `files` the way bin/start.mjs loads the pod (bin/loading.mjs first),
 * listed by a load hook in that process.
 */
function modulesLoadedBy(files: string[]): string[] {
  const script = [
    'import { registerHooks } from "node:module";',
    "const loaded = [];",
    "registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });",
    'const { prepareLoading } = await import("./bin/loading.mjs");',
    "prepareLoading();",
    ...files.map((file) => `await import(${JSON.stringify(`./${file}`)});`),
    "process.stdout.write(JSON.stringify(loaded));",
  ].join("\n");
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8" });
  expect(run.stderr).toBe("");
  return JSON.parse(run.stdout) as string[];
}

describe("what a pod on SQLite loads at start", () => {
  it("no PostgreSQL module: node-postgres, drizzle's node-postgres driver and the PostgreSQL schema load only with DATABASE_URL", () => {
    const loaded = modulesLoadedBy(["src/pod.ts", "src/app.ts", "src/roles/web.ts", "src/roles/worker.ts"]);
    expect(loaded.length).toBeGreaterThan(500);
    expect(loaded.some((url) => url.includes("/src/db/room-db-sqlite.ts"))).toBe(true);
    const postgres = loaded.filter((url) =>
      /\/node_modules\/(pg|pg-pool|pg-protocol)\/|\/drizzle-orm\/node-postgres\/|\/src\/db\/(postgres|room-db-postgres|postgres-schema)\.ts/.test(
        url,
      ),
    );
    expect(postgres).toEqual([]);
  });
});
