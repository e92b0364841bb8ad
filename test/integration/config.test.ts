import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/load.ts";
import { settingsSchema } from "../../src/config/schema.ts";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
const EXAMPLE = fileURLToPath(new URL("../../config/pod.example.json", import.meta.url));
const SETTINGS = Object.keys(settingsSchema.shape);

/** Calls loadConfig and returns the ConfigError it throws (failing if it throws nothing or something else). */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe("loadConfig(env)", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "pod-config-"));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("has sensible defaults with an empty environment", () => {
    const config = loadConfig({});
    expect(config.url.href).toBe("http://localhost:3000/");
    expect(config.handle).toBe("pod");
    expect(config.port).toBe(3000);
    expect(config.host).toBe("127.0.0.1");
    expect(config.dataDir).toBe(resolve("./data"));
    expect(config.databasePath).toBe(join(resolve("./data"), "pod.sqlite"));
    expect(config.approveFollowers).toBe(false);
    expect(config.allowPrivateAddress).toBe(false);
    expect(config.logLevel).toBe("info");
    expect(config.adminToken).toBeUndefined();
    expect(config.maxBodyBytes).toBe(1_048_576);
    expect(config.trustProxy).toBe(false);
  });

  it("a pod started on another port without POD_URL is reached at that port (ids and links say so)", () => {
    expect(loadConfig({ PORT: "3917" }).url.href).toBe("http://localhost:3917/");
    expect(loadConfig({ PORT: "3917", POD_URL: "https://pod.example" }).url.href).toBe("https://pod.example/");
    expect(() => loadConfig({ PORT: "port" })).toThrow("Invalid setting PORT: must be a number");
  });

  it("reads every setting from the environment", () => {
    const config = loadConfig({
      POD_URL: "https://pod.example.org",
      POD_HANDLE: "riverside_1",
      POD_NAME: "Riverside",
      POD_SUMMARY: "Food runs",
      POD_APPROVE_FOLLOWERS: "true",
      HOST: "0.0.0.0",
      PORT: "8080",
      DATA_DIR: join(dir, "data"),
      LOG_LEVEL: "warn",
      POD_ADMIN_TOKEN: "a".repeat(24),
      POD_ALLOW_PRIVATE_ADDRESS: "yes",
      POD_MAX_BODY_BYTES: "4096",
    });
    expect(config).toMatchObject({
      handle: "riverside_1",
      name: "Riverside",
      summary: "Food runs",
      approveFollowers: true,
      host: "0.0.0.0",
      port: 8080,
      dataDir: join(dir, "data"),
      logLevel: "warn",
      adminToken: "a".repeat(24),
      allowPrivateAddress: true,
      maxBodyBytes: 4096,
    });
    expect(config.url.href).toBe("https://pod.example.org/");
  });

  it("treats an empty environment variable as unset", () => {
    const config = loadConfig({ POD_ADMIN_TOKEN: "", PORT: "", POD_HANDLE: "" });
    expect(config.adminToken).toBeUndefined();
    expect(config.port).toBe(3000);
    expect(config.handle).toBe("pod");
  });

  it.each([
    ["POD_URL", "ftp://x"],
    ["POD_URL", "https://pod.example.org/some/path"],
    ["POD_URL", "https://pod.example.org/?q=1"],
    ["POD_URL", "not a url"],
    ["PORT", "abc"],
    ["PORT", "70000"],
    ["PORT", "-1"],
    ["PORT", "80.5"],
    ["POD_HANDLE", "Bad Handle"],
    ["LOG_LEVEL", "loud"],
    ["POD_ADMIN_TOKEN", "too-short"],
    ["POD_ALLOW_PRIVATE_ADDRESS", "maybe"],
    ["POD_APPROVE_FOLLOWERS", "maybe"],
    ["POD_MAX_BODY_BYTES", "12"],
  ])("refuses %s=%j with a ConfigError naming the setting", (setting, value) => {
    const error = configError({ [setting]: value });
    expect(error.message).toMatch(new RegExp(`^Invalid setting ${setting}: \\S`));
    // One line, so it can be printed as is.
    expect(error.message).not.toContain("\n");
    // Other settings are not blamed.
    for (const other of SETTINGS.filter((s) => s !== setting && !setting.startsWith(s))) {
      expect(error.message).not.toMatch(new RegExp(`\\b${other}\\b`));
    }
  });

  it("reads POD_CONFIG_FILE (a JSON object of settings) and lets the environment override it", () => {
    const file = join(dir, "pod.json");
    writeFileSync(
      file,
      JSON.stringify({
        POD_URL: "https://from-file.example",
        POD_HANDLE: "fromfile",
        POD_NAME: "From the file",
        PORT: 4000,
        POD_APPROVE_FOLLOWERS: true,
        LOG_LEVEL: "debug",
      }),
    );
    const fromFile = loadConfig({ POD_CONFIG_FILE: file });
    expect(fromFile.url.href).toBe("https://from-file.example/");
    expect(fromFile).toMatchObject({
      handle: "fromfile",
      name: "From the file",
      port: 4000,
      approveFollowers: true,
      logLevel: "debug",
    });

    const overridden = loadConfig({
      POD_CONFIG_FILE: file,
      PORT: "5000",
      POD_HANDLE: "fromenv",
      POD_APPROVE_FOLLOWERS: "false",
    });
    expect(overridden).toMatchObject({
      handle: "fromenv",
      port: 5000,
      approveFollowers: false,
      name: "From the file",
      logLevel: "debug",
    });
    expect(overridden.url.href).toBe("https://from-file.example/");
  });

  it("names the setting when a value in POD_CONFIG_FILE is bad", () => {
    const file = join(dir, "bad-port.json");
    writeFileSync(file, JSON.stringify({ PORT: 99999 }));
    expect(configError({ POD_CONFIG_FILE: file }).message).toMatch(/^Invalid setting PORT: /);
  });

  it("refuses a POD_CONFIG_FILE that is missing, not JSON, or not an object, naming POD_CONFIG_FILE", () => {
    const notJson = join(dir, "not.json");
    writeFileSync(notJson, "PORT=3000\n");
    const array = join(dir, "array.json");
    writeFileSync(array, "[1, 2]");
    for (const path of [join(dir, "missing.json"), notJson, array]) {
      const error = configError({ POD_CONFIG_FILE: path });
      expect(error.message).toMatch(/^Invalid setting POD_CONFIG_FILE: /);
      expect(error.message).toContain(path);
      expect(error.message).not.toContain("\n");
    }
  });

  it("refuses unknown keys in POD_CONFIG_FILE with one line naming each of them", () => {
    const file = join(dir, "misspelt.json");
    writeFileSync(
      file,
      JSON.stringify({ POD_URL: "https://pod.example.org", POD_HANDEL: "riverside", PROT: 4000, colour: "green" }),
    );
    const error = configError({ POD_CONFIG_FILE: file });
    expect(error.message).toMatch(/^Invalid setting POD_CONFIG_FILE: unknown keys in /);
    expect(error.message).toContain(file);
    expect(error.message).toContain("POD_HANDEL (did you mean POD_HANDLE?)");
    expect(error.message).toContain("PROT (did you mean PORT?)");
    expect(error.message).toContain("colour");
    expect(error.message).not.toContain("POD_URL");
    expect(error.message).not.toContain("\n");
  });

  it("parses config/pod.example.json, whose every key is a known setting", () => {
    const example = JSON.parse(readFileSync(EXAMPLE, "utf8")) as Record<string, unknown>;
    // The schema drops unknown keys silently, so a misspelt key in the example would go unnoticed.
    for (const key of Object.keys(example)) expect(SETTINGS, `unknown setting ${key} in the example`).toContain(key);
    const config = loadConfig({ POD_CONFIG_FILE: EXAMPLE });
    expect(config.url.href).toBe(new URL(String(example.POD_URL)).href);
    expect(config.handle).toBe(example.POD_HANDLE);
    expect(config.name).toBe(example.POD_NAME);
    expect(config.port).toBe(example.PORT);
    expect(config.approveFollowers).toBe(example.POD_APPROVE_FOLLOWERS);
  });
});

describe("a pod process with a bad setting", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "pod-badconfig-"));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `node src/main.ts` with only the given settings (inherited pod settings removed); bounded in time. */
  function runMain(
    settings: Record<string, string>,
  ): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const key of [...SETTINGS, "POD_CONFIG_FILE"]) delete env[key];
    Object.assign(env, settings);
    return new Promise((resolvePromise, reject) => {
      const child = spawn(process.execPath, [MAIN], { env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk) => (stdout += chunk));
      child.stderr.on("data", (chunk) => (stderr += chunk));
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`node src/main.ts did not exit within 15 s\nstdout: ${stdout}\nstderr: ${stderr}`));
      }, 15_000);
      child.on("error", reject);
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        resolvePromise({ code, signal, stdout, stderr });
      });
    });
  }

  it("exits 78 on an unknown key in the config file, with one stderr line naming it", async () => {
    const file = join(dir, "unknown-key.json");
    writeFileSync(file, JSON.stringify({ POD_URL: "http://127.0.0.1:3999", POD_NAMES: "Riverside" }));
    const dataDir = join(dir, "unknown-key", "data");
    const { code, stdout, stderr } = await runMain({ POD_CONFIG_FILE: file, DATA_DIR: dataDir, PORT: "3999" });
    expect(code).toBe(78);
    expect(stderr).toBe(
      `Invalid setting POD_CONFIG_FILE: unknown key in ${file}: POD_NAMES (did you mean POD_NAME?)\n`,
    );
    expect(stdout).toBe("");
    expect(existsSync(dataDir)).toBe(false);
  });

  it.each([
    ["PORT", "abc"],
    ["LOG_LEVEL", "loud"],
    ["POD_URL", "https://pod.example.org/path"],
    ["POD_URL", "not a url"],
  ])("exits non-zero on %s=%j with one stderr line naming it, writing nothing", async (setting, value) => {
    const dataDir = join(dir, `${setting.toLowerCase()}-not-yet`, "data");
    expect(existsSync(dataDir)).toBe(false);
    const { code, signal, stdout, stderr } = await runMain({
      POD_URL: "http://127.0.0.1:3999",
      HOST: "127.0.0.1",
      PORT: "3999",
      DATA_DIR: dataDir,
      [setting]: value,
    });
    expect(signal).toBeNull();
    expect(code).not.toBeNull();
    expect(code).not.toBe(0);
    const lines = stderr.split("\n").filter((line) => line !== "");
    expect(lines, `stderr: ${stderr}`).toHaveLength(1);
    expect(stderr.endsWith("\n")).toBe(true);
    expect(lines[0]).toMatch(new RegExp(`\\b${setting}\\b`));
    expect(stdout).toBe("");
    // Nothing is written: not the data directory, not even its parent.
    expect(existsSync(dataDir)).toBe(false);
    expect(existsSync(join(dir, `${setting.toLowerCase()}-not-yet`))).toBe(false);
  });
});
