import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.ts";
import { createLogger } from "../../src/log/logger.ts";
import { openPod } from "../../src/pod.ts";

/** The environment gives a setting until the web app saves one; from then on the saved choice wins. */
describe("settings precedence: environment first, then the pod's saved choice", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "pod-precedence-"));
  const log = createLogger("silent", process.stderr);
  const open = (env: Record<string, string>) =>
    openPod(loadConfig({ POD_URL: "http://127.0.0.1:9", DATA_DIR: dataDir, ...env }), log, { create: true });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("follows the environment while nothing is saved, and the saved choice after", async () => {
    const first = await open({ POD_NAME: "From env", POD_TIME_ZONE: "Europe/Madrid", POD_LANGUAGES: "en" });
    expect(first.deps.config).toMatchObject({ name: "From env", timeZone: "Europe/Madrid", languages: ["en"] });
    await first.settings.choose({ name: "Chosen in the app", languages: ["es", "en"] }, "someone");
    expect(first.deps.config.name).toBe("Chosen in the app");
    first.close();

    // A restart with another POD_NAME: the saved name stays; the time zone, never saved, follows the environment.
    const second = await open({ POD_NAME: "Changed env", POD_TIME_ZONE: "America/Lima", POD_LANGUAGES: "fr" });
    expect(second.deps.config).toMatchObject({
      name: "Chosen in the app",
      timeZone: "America/Lima",
      languages: ["es", "en"],
    });
    expect(second.settings.current().chosen.sort()).toEqual(["languages", "name"]);
    expect(second.settings.fromEnvironment.name).toBe("Changed env");
    expect((await second.members.auditPage()).map((entry) => [entry.action, entry.subject])).toContainEqual([
      "settings.change",
      "languages, name",
    ]);
    second.close();
  });
});
