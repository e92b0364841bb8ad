import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPod, type PodProcess } from "../support/pod-process.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CLI = join(ROOT, "bin/pod.mjs");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (bounded in time) and returns its exit status and output. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

// Each command is a fresh process that loads the pod: slow on a busy machine, hence the generous limit.
describe("the pod CLI", { timeout: 120_000 }, () => {
  let pod: PodProcess;
  let env: NodeJS.ProcessEnv;
  const cli = (...args: string[]) => run(process.execPath, [CLI, ...args], env);
  const OFFER = ["--name", "Apples", "--quantity", "2.5", "--unit", "kg", "--category", "food", "--area", "Riverside"];

  beforeAll(async () => {
    pod = await startPod("cli");
    env = { ...process.env, ...pod.env };
  });
  afterAll(async () => {
    await pod.stop();
  });

  it("`npm run pod -- help` prints the usage and exits 0", async () => {
    const npm = await run("npm", ["run", "--silent", "pod", "--", "help"], {
      ...env,
      PATH: `${dirname(process.execPath)}:${process.env.PATH}`,
    });
    expect(npm.code, npm.stderr).toBe(0);
    expect(npm.stdout).toMatch(/^Usage: npm run pod -- <command>/);
    expect(npm.stdout).toContain("Exit status: 0 done; 1 failed");
    for (const args of [["--help"], ["-h"]]) expect((await cli(...args)).code).toBe(0);
  });

  const offerAddTakes =
    "offer add takes coordinates (--near) and a date for --until, and prints the offer's URL and decimal quantities";
  it(offerAddTakes, async () => {
    const added = await cli("offer", "add", ...OFFER, "--near", "40.4168,-3.7038", "--until", "2026-12-31");
    expect(added.code, added.stderr).toBe(0);
    const offer = JSON.parse(added.stdout);
    expect(offer.url).toBe(`${pod.url}/offers/${offer.id}`);
    expect(offer).toMatchObject({
      quantity: "2.5 kg",
      available: "2.5 kg",
      latitude: 40.42,
      longitude: -3.7,
      until: "2026-12-31T23:59:59.000Z",
    });
    expect(added.stdout).not.toMatch(/Milli/);
    // The URL is the published object, with the place's coordinates (what distance searches read).
    const published = await pod.getActivityPub(offer.url);
    expect(JSON.stringify(published.location)).toMatch(/40\.42/);
    expect(JSON.stringify(published.location)).toMatch(/-3\.7/);
  });

  const needAddTakes =
    "need add takes --lat/--lon and date-times for --from and --until; listings show decimals with units";
  it(needAddTakes, async () => {
    const added = await cli(
      "need",
      "add",
      "--name",
      "Ladders",
      "--quantity",
      "2",
      "--unit",
      "ladders",
      "--category",
      "tools",
      "--area",
      "Riverside",
      "--lat",
      "40.5",
      "--lon",
      "-3.5",
      "--from",
      "2026-12-01",
      "--until",
      "2026-12-02T18:00:00Z",
    );
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({
      latitude: 40.5,
      longitude: -3.5,
      from: "2026-12-01T00:00:00.000Z",
      until: "2026-12-02T18:00:00.000Z",
      quantity: "2 ladders",
    });
    const listed = await cli("needs");
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ name: "Ladders", quantity: "2 ladders", available: "2 ladders" }),
    ]);
    expect(listed.stdout).not.toMatch(/Milli/);
  });

  it.each([
    ["no command", [], /^Usage:/],
    ["an unknown command", ["frob"], /^Unknown command "frob"/],
    ["an unknown option", ["offer", "add", ...OFFER, "--colour", "red"], /--colour/],
    ["a missing option", ["offer", "add", "--name", "Apples"], /^(category|quantity|unit|area): /],
    [
      "a quantity the API refuses",
      ["offer", "add", ...OFFER.slice(0, 2), "--quantity", "-1", ...OFFER.slice(4)],
      /^quantity: /,
    ],
    [
      "an unknown category (refused by the service)",
      ["offer", "add", ...OFFER.slice(0, 6), "--category", "nope", ...OFFER.slice(8)],
      /^category: unknown category "nope"/,
    ],
    [
      "coordinates that are not numbers",
      ["offer", "add", ...OFFER, "--lat", "north", "--lon", "3"],
      /^--lat must be a number/,
    ],
    ["--near without a longitude", ["offer", "add", ...OFFER, "--near", "40.4"], /^--near needs LAT,LON/],
    ["--near with --lat", ["offer", "add", ...OFFER, "--near", "40.4,3", "--lat", "40"], /either --near/],
    [
      "an --until that is neither a date nor a date-time",
      ["offer", "add", ...OFFER, "--until", "next week"],
      /^availableUntil: /,
    ],
    ["approve without the actor URL", ["approve"], /approve needs/],
  ])("exits 2 on %s, saying why in one first line", async (_case, args, message) => {
    const refused = await cli(...args);
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr.split("\n")[0]).toMatch(message);
    expect(refused.stdout).toBe("");
  });

  it("exits 2 on a bad setting and 1 when it fails while running (a data directory that cannot be made)", async () => {
    expect((await run(process.execPath, [CLI, "status"], { ...env, PORT: "abc" })).code).toBe(2);
    const file = join(mkdtempSync(join(tmpdir(), "pod-cli-")), "not-a-directory");
    writeFileSync(file, "");
    try {
      const failed = await run(process.execPath, [CLI, "init"], { ...env, DATA_DIR: join(file, "data") });
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/ENOTDIR/);
    } finally {
      rmSync(dirname(file), { recursive: true, force: true });
    }
  });

  it("refuses a data directory with no pod in it (a mistyped DATA_DIR), and makes one only with init", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pod-cli-empty-"));
    const here = { ...env, DATA_DIR: join(dir, "typo") };
    try {
      const refused = await run(process.execPath, [CLI, "status"], here);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain("there is no pod in");
      expect(existsSync(join(dir, "typo"))).toBe(false);
      expect((await run(process.execPath, [CLI, "init"], here)).code).toBe(0);
      expect((await run(process.execPath, [CLI, "status"], here)).code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a POD_URL other than the one the pod was set up at, until move-url records the new one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pod-cli-url-"));
    const first = { ...env, DATA_DIR: dir, POD_URL: "https://first.example" };
    const moved = { ...first, POD_URL: "https://second.example" };
    try {
      expect((await run(process.execPath, [CLI, "init"], first)).code).toBe(0);
      const refused = await run(process.execPath, [CLI, "charter", "show"], moved);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain("this pod was set up at https://first.example");
      const server = await run(process.execPath, [join(ROOT, "bin/start.mjs")], { ...moved, PORT: "0" });
      expect(server.code).toBe(78);
      expect(server.stderr.trim().split("\n")).toHaveLength(1);
      // Said with what the command printed, should it fail (it once exited 1 on a loaded CI machine).
      const move = await run(process.execPath, [CLI, "move-url"], moved);
      expect(move.code, move.stderr).toBe(0);
      const status = await run(process.execPath, [CLI, "status"], moved);
      expect(status.code, status.stderr).toBe(0);
      expect((await run(process.execPath, [CLI, "status"], first)).code).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
