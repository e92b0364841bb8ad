import { createHash } from "node:crypto";
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { enableCompileCache, registerHooks } from "node:module";
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
  const { directory } = enableCompileCache();
  const resolved = resolutionCache(directory);
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

/**
 * Where Node resolved each package import before: resolving took about a fifth of a start's CPU (reading
 * package.json files and export maps, trying extensions for every `require` inside node_modules). Kept: only
 * resolutions that cannot change until the installed packages do, that is bare specifiers (not `#` imports)
 * and every import made from inside node_modules. The file's name is a digest of the Node version, the
 * project's place, this file and npm's record of the installed tree (node_modules/.package-lock.json, which
 * every install rewrites), so a new install or Node starts a new file. It lives in the compile cache's
 * directory, which can already change what code runs, and is read only if this user wrote it and nobody else
 * may: it adds no one to trust.
 */
export function resolutionCache(directory, project = PROJECT) {
  const none = { keyOf: () => undefined, get: () => undefined, set: () => {}, save: () => {} };
  if (!directory) return none;
  let installed;
  try {
    installed = statSync(new URL("node_modules/.package-lock.json", project));
  } catch {
    return none;
  }
  const digest = createHash("sha256")
    .update(`${process.version}\0${project.href}\0${installed.mtimeMs}\0${installed.size}\0`)
    .update(readFileSync(new URL(import.meta.url)))
    .digest("hex")
    .slice(0, 16);
  const name = `${PREFIX}${digest}.json`;
  const file = join(directory, name);
  const entries = readEntries(file);
  let added = 0;
  const save = () => {
    if (added === 0) return;
    added = 0;
    try {
      const scratch = `${file}.${process.pid}`;
      // "wx": never through a file or link someone else put there first.
      writeFileSync(scratch, JSON.stringify(Object.fromEntries(entries)), { mode: 0o644, flag: "wx" });
      renameSync(scratch, file);
      for (const other of readdirSync(directory)) {
        if (other.startsWith(PREFIX) && other.endsWith(".json") && other !== name) unlinkSync(join(directory, other));
      }
    } catch {
      // A read-only or full cache directory: the next start resolves again.
    }
  };
  setTimeout(save, 5_000).unref();
  process.once("exit", save);
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
      if (!/^(file|node):/.test(answer.url)) return;
      entries.set(key, { url: answer.url, format: answer.format ?? undefined });
      added++;
    },
    save,
  };
}

/** The kept resolutions, if this user wrote the file (not a link to one) and nobody else may change it. */
function readEntries(file) {
  let fd;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    const stat = fstatSync(fd);
    if (stat.uid !== process.getuid?.() || (stat.mode & 0o022) !== 0) return new Map();
    return new Map(Object.entries(JSON.parse(readFileSync(fd, "utf8"))));
  } catch {
    return new Map();
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
