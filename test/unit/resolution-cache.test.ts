import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolutionCache } from "../../bin/loading.mjs";

// bin/loading.mjs keeps where package imports resolved, for the next start (test/e2e/start-modules.test.ts
// shows a real pod's second start asking Node for none of them).
let root: string;
let cacheDir: string;
let project: URL;
const FROM_SRC = { parentURL: "file:///pod/src/app.ts", conditions: ["node", "import"] };
const FROM_PACKAGE = { parentURL: "file:///pod/node_modules/fastify/lib/route.js", conditions: ["require", "node"] };
const FASTIFY = { url: "file:///pod/node_modules/fastify/fastify.js", format: "commonjs" };

/** npm's record of the installed tree, as an install writes it. */
function install(contents: string) {
  writeFileSync(join(root, "project/node_modules/.package-lock.json"), contents);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "pod-resolutions-"));
  cacheDir = join(root, "cache");
  mkdirSync(cacheDir);
  mkdirSync(join(root, "project/node_modules"), { recursive: true });
  project = pathToFileURL(`${join(root, "project")}/`);
  install('{"lockfileVersion":3}');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** What the next process would read. */
const nextStart = () => resolutionCache(cacheDir, project);

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

  it("are forgotten when packages are installed again, and the old file goes", () => {
    const first = nextStart();
    const key = first.keyOf("fastify", FROM_SRC)!;
    first.set(key, FASTIFY);
    first.save();
    install('{"lockfileVersion":3,"packages":{}}');
    const afterInstall = nextStart();
    expect(afterInstall.get(key)).toBeUndefined();
    afterInstall.set(key, { url: "file:///pod/node_modules/fastify/fastify.mjs", format: "module" });
    afterInstall.save();
    expect(readdirSync(cacheDir)).toHaveLength(1);
  });

  it("are not read from a file others may write", () => {
    const first = nextStart();
    const key = first.keyOf("fastify", FROM_SRC)!;
    first.set(key, FASTIFY);
    first.save();
    const [file] = readdirSync(cacheDir);
    chmodSync(join(cacheDir, file!), 0o666);
    expect(nextStart().get(key)).toBeUndefined();
  });

  it("are not read through a link, nor written through one put where the next file will be", () => {
    const first = nextStart();
    const key = first.keyOf("fastify", FROM_SRC)!;
    first.set(key, FASTIFY);
    first.save();
    const [file] = readdirSync(cacheDir);
    renameSync(join(cacheDir, file!), join(root, "elsewhere.json"));
    symlinkSync(join(root, "elsewhere.json"), join(cacheDir, file!));
    expect(nextStart().get(key)).toBeUndefined();

    rmSync(join(cacheDir, file!));
    const victim = join(root, "victim");
    writeFileSync(victim, "mine");
    symlinkSync(victim, join(cacheDir, `${file}.${process.pid}`));
    const second = nextStart();
    second.set(key, FASTIFY);
    second.save();
    expect(readFileSync(victim, "utf8")).toBe("mine");
  });

  it("keep nothing without npm's record of the installed tree, nor answers that are not files or built-ins", () => {
    const cache = nextStart();
    const key = cache.keyOf("fastify", FROM_SRC)!;
    cache.set(key, { url: "data:text/javascript,export default 1" });
    expect(cache.get(key)).toBeUndefined();
    rmSync(join(root, "project/node_modules/.package-lock.json"));
    expect(nextStart().keyOf("fastify", FROM_SRC)).toBeUndefined();
  });
});
