// Export and import of a large pod, each as the CLI's own process: wall time and peak memory (GNU time's
// maximum resident set), beside the database's size. `node bench/moving.ts [rows]` (default 200,000 rows of
// about 1 KB, plus 20 MB of uploaded files). Memory must stay flat as the pod grows: run with two sizes.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openMigratedDatabase } from "../src/db/client.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const rows = Number(process.argv[2] ?? 200_000);
const work = mkdtempSync(join(tmpdir(), "pod-moving-bench-"));
const source = join(work, "a");
const url = "http://127.0.0.1:39301";

try {
  mkdirSync(join(source, "guides"), { recursive: true });
  const db = openMigratedDatabase(join(source, "pod.sqlite"));
  db.sqlite.prepare("INSERT INTO kv_entries (key, value) VALUES (?, ?)").run('["pod","url"]', JSON.stringify(url));
  const insert = db.sqlite.prepare("INSERT INTO kv_entries (key, value, expires_at) VALUES (?, ?, ?)");
  // Documents that do not compress away: the archive is about as large as a real pod's.
  const value = () => JSON.stringify({ type: "Note", content: randomBytes(750).toString("base64") });
  db.sqlite.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(`["cache","${i}"]`, value(), 4_102_444_800_000 + i);
  })();
  db.close();
  for (let i = 0; i < 4; i++) writeFileSync(join(source, "guides", `${i}.pdf`), randomBytes(5 * 1024 * 1024));

  const run = (dataDir: string, ...args: string[]) => {
    const started = performance.now();
    const child = spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, "bin/pod.mjs", ...args], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dataDir, POD_URL: url, LOG_LEVEL: "warn" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    const output = child.stderr.toString();
    if (child.status !== 0) throw new Error(`${args[0]} failed:\n${output}`);
    const peakKb = Number(output.trim().split("\n").at(-1));
    return { seconds: (performance.now() - started) / 1000, peakMb: Math.round(peakKb / 1024) };
  };
  const archive = join(work, "pod.gz");
  const exported = run(source, "export", archive);
  const imported = run(join(work, "b"), "import", archive);
  const mb = (path: string) => Math.round(statSync(path).size / 1024 / 1024);
  console.log(
    JSON.stringify({
      rows,
      databaseMb: mb(join(source, "pod.sqlite")),
      archiveMb: mb(archive),
      export: exported,
      import: imported,
    }),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
