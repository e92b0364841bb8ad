/**
 * The data directory holds the pod's private keys, sessions and token hashes: a new one is its owner's alone, and
 * the database files are readable by their owner only, even where they were made readable to others before.
 */
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.ts";
import { openMigratedDatabase } from "../../src/db/client.ts";
import { createLogger } from "../../src/log/logger.ts";
import { openPod } from "../../src/pod.ts";

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe("a pod's data stays its owner's", () => {
  let dir: string;
  let umask: number;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "private-"));
    umask = process.umask(0o022);
  });
  afterEach(() => {
    process.umask(umask);
    rmSync(dir, { recursive: true, force: true });
  });

  it("a new data directory is 0700 and its database 0600, with the usual umask", async () => {
    const dataDir = join(dir, "new", "data");
    const config = loadConfig({ POD_URL: "http://127.0.0.1:1", DATA_DIR: dataDir, LOG_LEVEL: "silent" });
    const pod = await openPod(config, createLogger("silent", process.stderr));
    try {
      expect(modeOf(dataDir)).toBe(0o700);
      expect(modeOf(join(dataDir, "pod.sqlite"))).toBe(0o600);
      expect(modeOf(join(dataDir, "pod.sqlite-wal"))).toBe(0o600);
    } finally {
      pod.close();
    }
  });

  it("an existing database readable by others is closed to them when opened", () => {
    const file = join(dir, "pod.sqlite");
    openMigratedDatabase(file).close();
    chmodSync(file, 0o644);
    writeFileSync(`${file}-wal`, "");
    chmodSync(`${file}-wal`, 0o664);
    const handle = openMigratedDatabase(file);
    try {
      expect(modeOf(file)).toBe(0o600);
      expect(modeOf(`${file}-wal`)).toBe(0o600);
    } finally {
      handle.close();
    }
  });
});
