import { createHash, randomBytes } from "node:crypto";
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { enableCompileCache, getCompileCacheDir, registerHooks } from "node:module";
import { join } from "node:path";

/** Imports, by the packages that make them, that go to a file loading fewer modules (see each file). */
const INSTEAD = [
  { specifier: "es-toolkit", from: "/node_modules/@fedify/", file: "es-toolkit.mjs" },
  { specifier: "@opentelemetry/sdk-metrics", from: "/node_modules/@fedify/", file: "otel-sdk-metrics.mjs" },
  { specifier: "yaml", from: "/node_modules/@fastify/swagger", file: "yaml.cjs" },
  { specifier: "semver", from: "/node_modules/fastify/", file: "semver.cjs" },
  { specifier: "undici", from: "/src/federation/safe-fetch.ts", file: "undici.cjs" },
].map((entry) => ({ ...entry, url: new URL(`./fewer-modules/${entry.file}`, import.meta.url).href }));

const PROJECT = new URL("../", import.meta.url);
const PREFIX = "pods-resolutions-";

/**
 * How the pod's modules load; each choice measured with bench/memory.ts (Node 24):
 *
 * - A compile cache on disk (NODE_COMPILE_CACHE, else the system's temporary directory). Node strips the
 *   types of every .ts file with a WebAssembly compiler that stays in memory (~17 MB for the first file
 *   alone); with the cache, later starts reuse the stripped and compiled code and never load it.
 * - drizzle-orm's CommonJS build. Its ES module build is the same code, but its index files re-export
 *   everything through chains of `export *`, which Node links slowly: importing it took ~2.2 s and left
 *   ~84 MB of heap, against ~0.12 s and ~8 MB for the CommonJS build. Every import of drizzle-orm in the
 *   process resolves to it, so its classes are never loaded twice.
 * - Some packages' imports of libraries they barely use (bin/fewer-modules/): Fedify's of es-toolkit and
 *   @opentelemetry/sdk-metrics (importing Fedify loaded 467 modules, 151 with these; 0.3-0.7 s less at load
 *   average 11, 2.6 MB less heap), the OpenAPI plugins' of yaml, Fastify's of semver, the safe fetch's of undici.
 * - Package imports resolved once, kept next to the compile cache (see resolutionCache).
 */
export function prepareLoading() {
  enableCompileCache();
  const resolved = resolutionCache(getCompileCacheDir());
  setTimeout(resolved.save, 5_000).unref();
  process.once("exit", resolved.save);
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const instead = INSTEAD.find((entry) => entry.specifier === specifier && context.parentURL?.includes(entry.from));
      if (instead) return { url: instead.url, shortCircuit: true };
      const key = resolved.keyOf(specifier, context);
      const known = key && resolved.get(key);
      if (known) return { ...known, shortCircuit: true };
      const answer =
        specifier !== "drizzle-orm" && !specifier.startsWith("drizzle-orm/")
          ? nextResolve(specifier, context)
          : nextResolve(specifier, { ...context, conditions: ["node", "require", "module-sync", "default"] });
      if (key) resolved.set(key, answer);
      return answer;
    },
  });
}

const NONE = { keyOf: () => undefined, get: () => undefined, set: () => {}, save: () => {} };
/** An answer that may be kept: a built-in, or a file inside node_modules (not a linked package's real place). */
const KEEPABLE = /^(node:|file:.*\/node_modules\/)/;
const MAX_FILE_BYTES = 8 << 20;

/**
 * Where Node resolved each package import before: resolving took about a fifth of a start's CPU (reading
 * package.json files and export maps, trying extensions for every `require` inside node_modules).
 *
 * Kept: only what cannot change until packages are installed again, that is imports of packages (bare
 * specifiers, not `#` imports) and every import made from inside node_modules, answered by a built-in or a
 * file inside node_modules. The file's name is the project's (a digest of its place) and a digest of what
 * resolution depends on: the Node version, this file, npm's record of the installed tree
 * (node_modules/.package-lock.json, which every npm install, update, uninstall and ci rewrites), node_modules'
 * own mtime, NODE_PATH and --preserve-symlinks. Two limits: a hand edit deep inside node_modules is not seen
 * (npm's own record ignores those too), and `require.resolve(name, { paths })` asks with the same context as
 * `require(name)` from the same folder, so they would share an answer (no module the pod loads calls it;
 * test/e2e/start-modules.test.ts checks).
 *
 * The file sits in Node's compile cache folder for this Node and user (which can already change what code
 * runs) and is read only if it is a plain file this user wrote, that nobody else may change. Processes that
 * save at once each write a whole file; the last one's stays.
 */
export function resolutionCache(directory, project = PROJECT) {
  if (!directory) return NONE;
  const modules = new URL("node_modules/", project);
  let folder;
  let installed;
  let lockfile;
  try {
    folder = statSync(modules);
    installed = statSync(new URL(".package-lock.json", modules));
    lockfile = readFileSync(new URL(".package-lock.json", modules));
  } catch {
    return NONE;
  }
  const preserveSymlinks =
    [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)].some((flag) =>
      flag.startsWith("--preserve-symlinks"),
    ) || process.env.NODE_PRESERVE_SYMLINKS === "1";
  const projectName = `${PREFIX}${digest(project.href).slice(0, 12)}-`;
  const state = digest(
    process.version,
    String(folder.mtimeMs),
    String(preserveSymlinks),
    process.env.NODE_PATH ?? "",
    lockfile,
    readFileSync(new URL(import.meta.url)),
  );
  const name = `${projectName}${state.slice(0, 16)}.json`;
  const file = join(directory, name);
  const entries = readEntries(file);
  let added = 0;
  const save = () => {
    if (added === 0) return;
    added = 0;
    const scratch = `${file}.${process.pid}.${randomBytes(6).toString("hex")}`;
    try {
      // "wx": never through a file or link someone else put there first.
      writeFileSync(scratch, JSON.stringify(Object.fromEntries(entries)), { mode: 0o644, flag: "wx" });
      renameSync(scratch, file);
      removeStale(directory, projectName, name, installed.mtimeMs);
    } catch {
      // A full or read-only folder: the next start resolves again.
      rmSync(scratch, { force: true });
    }
  };
  return {
    keyOf(specifier, context) {
      const parent = context.parentURL;
      if (!parent?.startsWith("file:")) return undefined;
      const bare = !/^(\.|\/|#|[a-z][a-z0-9+.-]*:)/i.test(specifier);
      if (!bare && !parent.includes("/node_modules/")) return undefined;
      const type = context.importAttributes?.type ?? "";
      return `${context.conditions?.join(",")}|${type}|${parent.slice(0, parent.lastIndexOf("/"))}|${specifier}`;
    },
    get: (key) => entries.get(key),
    set(key, answer) {
      if (!KEEPABLE.test(answer.url)) return;
      entries.set(key, { url: answer.url, format: answer.format ?? undefined });
      added++;
    },
    save,
  };
}

function digest(...parts) {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part).update("\0");
  return hash.digest("hex");
}

/** The project's files from before the last install, and scratch files a killed save left. */
function removeStale(directory, projectName, current, installedAt) {
  const now = Date.now();
  for (const other of readdirSync(directory)) {
    if (!other.startsWith(projectName) || other === current) continue;
    const path = join(directory, other);
    const { mtimeMs } = lstatSync(path);
    if (other.endsWith(".json") ? mtimeMs < installedAt : mtimeMs < now - 60_000) rmSync(path, { force: true });
  }
}

/** The kept resolutions, if this user wrote the file (a plain file, not a link) and nobody else may change it. */
function readEntries(file) {
  let fd;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const stat = fstatSync(fd);
    const trusted =
      stat.isFile() &&
      stat.nlink === 1 &&
      stat.size < MAX_FILE_BYTES &&
      stat.uid === process.getuid?.() &&
      (stat.mode & 0o022) === 0;
    if (!trusted) return new Map();
    const entries = Object.entries(JSON.parse(readFileSync(fd, "utf8")));
    const wellFormed = entries.every(
      ([, answer]) =>
        typeof answer?.url === "string" &&
        KEEPABLE.test(answer.url) &&
        (answer.format === undefined || typeof answer.format === "string"),
    );
    return wellFormed ? new Map(entries) : new Map();
  } catch {
    return new Map();
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
