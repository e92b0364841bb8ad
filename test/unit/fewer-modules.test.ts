import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

// bin/loading.mjs sends Fedify's imports of these packages to bin/fewer-modules/ (fewer modules at start).
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const require = createRequire(import.meta.url);

/** The names Fedify's installed packages import from `pkg`, read from their built files (not their tests). */
function namesFedifyImports(pkg: string): Set<string> {
  const names = new Set<string>();
  const pattern = new RegExp(`import \\{([^}]*)\\} from "${pkg}"`, "g");
  const scan = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== "node_modules") scan(path);
      else if (/\.m?js$/.test(entry.name) && !entry.name.includes(".test.")) {
        for (const match of readFileSync(path, "utf8").matchAll(pattern)) {
          for (const part of match[1]!.split(",")) names.add(part.trim().split(/\s+as\s+/)[0]!);
        }
      }
    }
  };
  for (const pkg of readdirSync(join(ROOT, "node_modules/@fedify"))) scan(join(ROOT, "node_modules/@fedify", pkg));
  names.delete("");
  return names;
}

/** The functions the files of an installed package call on `name` (`name.fn(`). */
function callsIn(dirs: string[], name: string): Set<string> {
  const calls = new Set<string>();
  const scan = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const inner = join(path, entry.name);
      if (entry.isDirectory() && entry.name !== "node_modules" && entry.name !== "test") scan(inner);
      else if (entry.name.endsWith(".js")) {
        for (const match of readFileSync(inner, "utf8").matchAll(new RegExp(`\\b${name}\\.(\\w+)\\(`, "g"))) {
          calls.add(match[1]!);
        }
      }
    }
  };
  for (const dir of dirs) scan(join(ROOT, "node_modules", dir));
  return calls;
}

describe("imports that load fewer modules (bin/loading.mjs, bin/fewer-modules/)", () => {
  it("es-toolkit: every function Fedify's packages import is there, the same function as es-toolkit's", async () => {
    const names = namesFedifyImports("es-toolkit");
    expect(names.size).toBeGreaterThan(0);
    const instead: Record<string, unknown> = await import("../../bin/fewer-modules/es-toolkit.mjs");
    const original: Record<string, unknown> = await import("es-toolkit");
    for (const name of names) {
      expect(instead[name], name).toBeTypeOf("function");
      expect(instead[name], name).toBe(original[name]);
    }
  });

  it("@opentelemetry/sdk-metrics: loads on first use and works as Fedify's benchmark mode uses it", async () => {
    const names = namesFedifyImports("@opentelemetry/sdk-metrics");
    const instead = await import("../../bin/fewer-modules/otel-sdk-metrics.mjs");
    for (const name of names) expect(Object.keys(instead), name).toContain(name);
    const loaded = () => Object.keys(require.cache).some((path) => path.includes("@opentelemetry/sdk-metrics"));
    expect(loaded()).toBe(false);

    // As Fedify's createBenchmarkMeterProvider does.
    class Reader extends instead.MetricReader {
      protected onShutdown() {
        return Promise.resolve();
      }
      protected onForceFlush() {
        return Promise.resolve();
      }
    }
    const reader = new Reader();
    const provider = new instead.MeterProvider({ readers: [reader] });
    provider.getMeter("test").createCounter("deliveries").add(3);
    const { resourceMetrics } = await reader.collect();
    const metric = resourceMetrics.scopeMetrics[0]!.metrics[0]!;
    expect(metric.dataPointType).toBe(instead.DataPointType.SUM);
    expect(metric.dataPoints[0]!.value).toBe(3);
    expect(loaded()).toBe(true);
    expect(reader).toBeInstanceOf(require("@opentelemetry/sdk-metrics").MetricReader);
  });

  it("yaml for the OpenAPI plugins: every function they call, giving yaml's answers", () => {
    const calls = callsIn(["@fastify/swagger", "@fastify/swagger-ui"], "yaml");
    expect([...calls].sort()).toEqual(["parse", "stringify"]);
    const instead = require("../../bin/fewer-modules/yaml.cjs");
    const yaml = require("yaml");
    const document = { openapi: "3.0.3", paths: { "/api/offers": { get: { summary: "Offers: 'all'" } } } };
    expect(instead.stringify(document, { strict: false })).toBe(yaml.stringify(document, { strict: false }));
    expect(instead.parse(yaml.stringify(document))).toEqual(document);
  });

  it("semver for Fastify: every function it calls, the same as semver's", () => {
    const calls = callsIn(["fastify/lib"], "semver");
    expect(calls.size).toBeGreaterThan(0);
    const instead = require("../../bin/fewer-modules/semver.cjs");
    const semver = require("semver");
    for (const name of calls) expect(instead[name], name).toBe(semver[name]);
  });

  it("undici for the safe fetch: every name it imports, the same as undici's", () => {
    const source = readFileSync(join(ROOT, "src/federation/safe-fetch.ts"), "utf8");
    const imported = /import \{([^}]*)\} from "undici"/
      .exec(source)![1]!
      .split(",")
      .map((name) => name.trim());
    expect(imported.length).toBeGreaterThan(0);
    const instead = require("../../bin/fewer-modules/undici.cjs");
    const undici = require("undici");
    for (const name of imported) expect(instead[name], name).toBe(undici[name]);
    // safe-fetch.ts imports the names as an ES module: Node must find them in the CommonJS file.
    const file = pathToFileURL(join(ROOT, "bin/fewer-modules/undici.cjs")).href;
    const asModule = spawnSync(process.execPath, [
      "--input-type=module",
      "-e",
      `import { ${imported} } from "${file}";`,
    ]);
    expect(asModule.stderr.toString()).toBe("");
    expect(asModule.status).toBe(0);
  });
});
