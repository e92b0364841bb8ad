import { readFileSync } from "node:fs";

/**
 * The Node.js flags a pod runs with in production, read from package.json's `start` script (`exec node <flags>
 * bin/start.mjs`), so tests and benches start pods exactly as `npm start` does (the young generation's size
 * changes the CPU a delivery costs by 10–30%). test/unit/node-flags.test.ts holds the other launchers to them.
 */
export function podNodeFlags(script: "start" | "web" | "worker" = "start"): string[] {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    scripts: Record<string, string>;
  };
  const words = pkg.scripts[script]!.split(/\s+/);
  const node = words.indexOf("node");
  const entry = words.findIndex((word) => word.startsWith("bin/"));
  if (node < 0 || entry < node) throw new Error(`package.json's ${script} script does not run node bin/…`);
  return words.slice(node + 1, entry);
}
