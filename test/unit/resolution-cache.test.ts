import { spawnSync } from "node:child_process";
import {
  chmodSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolutionCache } from "../../bin/loading.mjs";

// bin/loading.mjs keeps where package imports resolved, for the next start (test/e2e/start-modules.test.ts
// shows a real pod's second start asking Node for none of them, and each kept answer equal to a fresh one).
const LOADING = new URL("../../bin/loading.mjs", import.meta.url).href;
let root: string;
let cacheDir: string;
let project: URL;
const FROM_SRC = { parentURL: "file:///pod/src/app.ts", conditions: ["node", "import"] };
const FROM_PACKAGE = { parentURL: "file:///pod/node_modules/fastify/lib/route.js", conditions: ["require", "node"] };
const FASTIFY = { url: "file:///pod/node_modules/fastify/fastify.js", format: "commonjs" };

/** npm's record of the installed tree, as an install writes it. */
function install(contents: string, into = project) {
  writeFileSync(new URL("node_modules/.package-lock.json", into), contents);
}

function newProject(name: string): URL {
  mkdirSync(join(root, name, "node_modules"), { recursive: true });
  const url = pathToFileURL(`${join(root, name)}/`);
  install('{"lockfileVersion":3}', url);
  return url;
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "pod-resolutions-"));
  cacheDir = join(root, "cache");
  mkdirSync(cacheDir);
  project = newProject("project");
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** What the next process would read. */
const nextStart = () => resolutionCache(cacheDir, project);

/** A start that kept fastify's resolution; the name of its file. */
function keptFastify(): { key: string; file: string } {
  const first = nextStart();
  const key = first.keyOf("fastify", FROM_SRC)!;
  first.set(key, FASTIFY);
  first.save();
  const [file] = readdirSync(cacheDir);
  return { key, file: join(cacheDir, file!) };
}

describe("the resolutions a start keeps", () => {
  it("are what the next start answers with", () => {
    const first = resolutionCache(cacheDir, project);
    const key = first.keyOf("fastify", FROM_SRC)!;
    expect(first.get(key)).toBeUndefined();
    first.set(key, FASTIFY);
    first.save();
    expect(nextStart().get(key)).toEqual(FASTIFY);
  });

  it("are package imports only: relative and `#` imports from the pod's own files resolve each time", () => {
    const cache = nextStart();
    expect(cache.keyOf("./app.ts", FROM_SRC)).toBeUndefined();
    expect(cache.keyOf("#config", FROM_SRC)).toBeUndefined();
    expect(cache.keyOf("/pod/src/app.ts", FROM_SRC)).toBeUndefined();
    expect(cache.keyOf("./lib/route.js", FROM_PACKAGE)).toBeDefined();
    expect(cache.keyOf("#internal", FROM_PACKAGE)).toBeDefined();
    expect(cache.keyOf("fastify", { conditions: ["node", "import"] })).toBeUndefined();
  });

  it("tell an import from a require, and one folder from another", () => {
    const cache = nextStart();
    const keys = new Set([
      cache.keyOf("fastify", FROM_SRC),
      cache.keyOf("fastify", { ...FROM_SRC, conditions: ["require", "node"] }),
      cache.keyOf("fastify", { ...FROM_SRC, parentURL: "file:///pod/src/http/problem.ts" }),
      cache.keyOf("fastify", { ...FROM_SRC, importAttributes: { type: "json" } }),
    ]);
    expect(keys.size).toBe(4);
    expect(cache.keyOf("fastify", { ...FROM_SRC, parentURL: "file:///pod/src/web.ts" })).toBe(
      cache.keyOf("fastify", FROM_SRC),
    );
  });

  it("are answers inside node_modules or built-ins: not a linked package's own folder, nor data: or http:", () => {
    const cache = nextStart();
    const key = cache.keyOf("fastify", FROM_SRC)!;
    for (const url of ["file:///home/me/fastify/fastify.js", "data:text/javascript,1", "http://evil.example/x.js"]) {
      cache.set(key, { url });
      expect(cache.get(key)).toBeUndefined();
    }
    cache.set(key, { url: "node:fs", format: "builtin" });
    expect(cache.get(key)).toEqual({ url: "node:fs", format: "builtin" });
  });

  it("are forgotten when packages are installed again, and the old file goes", () => {
    const { key, file } = keptFastify();
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(file, hourAgo, hourAgo); // saved before the install (the clock's tick is coarser than a test)
    install('{"lockfileVersion":3,"packages":{}}');
    const afterInstall = nextStart();
    expect(afterInstall.get(key)).toBeUndefined();
    afterInstall.set(key, { url: "file:///pod/node_modules/fastify/fastify.mjs", format: "module" });
    afterInstall.save();
    expect(readdirSync(cacheDir)).toHaveLength(1);
  });

  it("are forgotten when the install's record is the same size but says something else", () => {
    const { key } = keptFastify();
    install('{"lockfileVersion":4}');
    expect(nextStart().get(key)).toBeUndefined();
  });

  it("are one project's: another project's save leaves them", () => {
    const { key, file } = keptFastify();
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(file, hourAgo, hourAgo);
    const other = resolutionCache(cacheDir, newProject("other"));
    other.set(key, FASTIFY);
    other.save();
    expect(readdirSync(cacheDir)).toHaveLength(2);
    expect(readdirSync(cacheDir)).toContain(file.split("/").at(-1));
  });

  it("are not read from a file others may write, a second name for a file, a link or a pipe", () => {
    const { key, file } = keptFastify();
    chmodSync(file, 0o666);
    expect(nextStart().get(key)).toBeUndefined();
    chmodSync(file, 0o644);
    expect(nextStart().get(key)).toEqual(FASTIFY);

    linkSync(file, join(root, "second-name"));
    expect(nextStart().get(key)).toBeUndefined();
    rmSync(join(root, "second-name"));

    renameSync(file, join(root, "elsewhere.json"));
    symlinkSync(join(root, "elsewhere.json"), file);
    expect(nextStart().get(key)).toBeUndefined();

    rmSync(file);
    expect(spawnSync("mkfifo", [file]).status).toBe(0);
    // In a process of its own: opening a pipe nobody writes to would wait for good.
    const readsThePipe = spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const { resolutionCache } = await import(${JSON.stringify(LOADING)});
         const cache = resolutionCache(${JSON.stringify(cacheDir)}, new URL(${JSON.stringify(project.href)}));
         process.stdout.write(String(cache.get(${JSON.stringify(key)})));`,
      ],
      { timeout: 20_000, encoding: "utf8" },
    );
    expect(readsThePipe.stdout).toBe("undefined");
  });

  it("are not read at all when one answer is not a kept kind", () => {
    const { key, file } = keptFastify();
    const kept = JSON.parse(readFileSync(file, "utf8"));
    writeFileSync(file, JSON.stringify({ ...kept, "node,import||file:///pod/src|evil": { url: "data:,1" } }));
    expect(nextStart().get(key)).toBeUndefined();
  });

  it("are saved past a scratch file a killed save left, which goes once it is old", () => {
    const { file } = keptFastify();
    const left = `${file}.${process.pid}.000000000000`;
    writeFileSync(left, "{");
    const again = nextStart();
    again.set(again.keyOf("zod", FROM_SRC)!, { url: "file:///pod/node_modules/zod/index.js" });
    again.save();
    expect(readdirSync(cacheDir)).toContain(left.split("/").at(-1));
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(left, hourAgo, hourAgo);
    again.set(again.keyOf("pino", FROM_SRC)!, { url: "file:///pod/node_modules/pino/pino.js" });
    again.save();
    expect(readdirSync(cacheDir)).toEqual([file.split("/").at(-1)]);
  });

  it("keep nothing without npm's record of the installed tree", () => {
    rmSync(new URL("node_modules/.package-lock.json", project));
    expect(nextStart().keyOf("fastify", FROM_SRC)).toBeUndefined();
  });
});
