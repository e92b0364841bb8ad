import { enableCompileCache, registerHooks } from "node:module";

/** Where Fedify's imports of these go instead (see each file): they load fewer modules. */
const FOR_FEDIFY = new Map([
  ["es-toolkit", new URL("./fedify-imports/es-toolkit.mjs", import.meta.url).href],
  ["@opentelemetry/sdk-metrics", new URL("./fedify-imports/otel-sdk-metrics.mjs", import.meta.url).href],
]);

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
 * - Fedify's imports of es-toolkit and @opentelemetry/sdk-metrics (bin/fedify-imports/): importing Fedify
 *   loaded 467 modules, 151 with these; 0.3-0.7 s less at load average 11, 2.6 MB less heap.
 */
export function prepareLoading() {
  enableCompileCache();
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const instead = FOR_FEDIFY.get(specifier);
      if (instead && context.parentURL?.includes("/node_modules/@fedify/")) return { url: instead, shortCircuit: true };
      if (specifier !== "drizzle-orm" && !specifier.startsWith("drizzle-orm/")) return nextResolve(specifier, context);
      return nextResolve(specifier, { ...context, conditions: ["node", "require", "module-sync", "default"] });
    },
  });
}
