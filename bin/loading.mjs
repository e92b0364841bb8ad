import { enableCompileCache, registerHooks } from "node:module";

/**
 * How the pod's modules load; both choices measured with bench/memory.ts (Node 24):
 *
 * - A compile cache on disk (NODE_COMPILE_CACHE, else the system's temporary directory). Node strips the
 *   types of every .ts file with a WebAssembly compiler that stays in memory (~17 MB for the first file
 *   alone); with the cache, later starts reuse the stripped and compiled code and never load it.
 * - drizzle-orm's CommonJS build. Its ES module build is the same code, but its index files re-export
 *   everything through chains of `export *`, which Node links slowly: importing it took ~2.2 s and left
 *   ~84 MB of heap, against ~0.12 s and ~8 MB for the CommonJS build. Every import of drizzle-orm in the
 *   process resolves to it, so its classes are never loaded twice.
 */
export function prepareLoading() {
  enableCompileCache();
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (specifier !== "drizzle-orm" && !specifier.startsWith("drizzle-orm/")) return nextResolve(specifier, context);
      return nextResolve(specifier, { ...context, conditions: ["node", "require", "module-sync", "default"] });
    },
  });
}
