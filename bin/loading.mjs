import { enableCompileCache, registerHooks } from "node:module";

/** Imports, by the packages that make them, that go to a file loading fewer modules (see each file). */
const INSTEAD = [
  { specifier: "es-toolkit", from: "/node_modules/@fedify/", file: "es-toolkit.mjs" },
  { specifier: "@opentelemetry/sdk-metrics", from: "/node_modules/@fedify/", file: "otel-sdk-metrics.mjs" },
  { specifier: "yaml", from: "/node_modules/@fastify/swagger", file: "yaml.cjs" },
  { specifier: "semver", from: "/node_modules/fastify/", file: "semver.cjs" },
  { specifier: "undici", from: "/src/federation/safe-fetch.ts", file: "undici.cjs" },
].map((entry) => ({ ...entry, url: new URL(`./fewer-modules/${entry.file}`, import.meta.url).href }));

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
 */
export function prepareLoading() {
  enableCompileCache();
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const instead = INSTEAD.find((entry) => entry.specifier === specifier && context.parentURL?.includes(entry.from));
      if (instead) return { url: instead.url, shortCircuit: true };
      if (specifier !== "drizzle-orm" && !specifier.startsWith("drizzle-orm/")) return nextResolve(specifier, context);
      return nextResolve(specifier, { ...context, conditions: ["node", "require", "module-sync", "default"] });
    },
  });
}
