import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wrongNodeLine } from "../../bin/node-version.mjs";
import { freePort, waitUntil } from "../support/pod-process.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SYSTEM_NODE = "/usr/bin/node";
const systemNodeMajor = existsSync(SYSTEM_NODE)
  ? Number(spawnSync(SYSTEM_NODE, ["-p", "process.versions.node"]).stdout.toString().split(".")[0])
  : 24;

/** The environment of a pod on 127.0.0.1 with no inherited pod settings. */
function podEnv(port: number, dataDir: string, path = process.env.PATH!): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!/^(POD_|DATA_DIR|HOST|PORT|LOG_LEVEL|npm_)/.test(key)) env[key] = value;
  return {
    ...env,
    PATH: path,
    POD_URL: `http://127.0.0.1:${port}`,
    HOST: "127.0.0.1",
    PORT: String(port),
    DATA_DIR: dataDir,
  };
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  const out = { stdout: "", stderr: "" };
  child.stdout!.on("data", (chunk) => (out.stdout += chunk));
  child.stderr!.on("data", (chunk) => (out.stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, out, exited };
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Processes whose parent is `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe("the launcher's Node.js check", () => {
  it("accepts Node.js 24 and names any other version in one line", () => {
    expect(wrongNodeLine("24.0.0")).toBeNull();
    expect(wrongNodeLine("24.21.0")).toBeNull();
    expect(wrongNodeLine("20.20.2")).toBe("This pod needs Node.js 24 (you have v20.20.2)");
    expect(wrongNodeLine("22.1.0")).toBe("This pod needs Node.js 24 (you have v22.1.0)");
    expect(wrongNodeLine("25.0.0")).toBe("This pod needs Node.js 24 (you have v25.0.0)");
  });

  it.skipIf(systemNodeMajor === 24)(
    "on the system's older Node.js, `npm start` says so in one line and exits 1",
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), "pod-old-node-"));
      try {
        // Node 20 first on PATH, as on a machine where nothing else was installed.
        const started = run(
          "npm",
          ["start", "--silent"],
          podEnv(await freePort(), join(dataDir, "data"), `${dirname(SYSTEM_NODE)}:${process.env.PATH}`),
        );
        expect(await started.exited).toBe(1);
        const version = spawnSync(SYSTEM_NODE, ["-v"]).stdout.toString().trim();
        expect(started.out.stderr).toBe(`This pod needs Node.js 24 (you have ${version})\n`);
        expect(started.out.stdout).toBe("");
        expect(existsSync(join(dataDir, "data"))).toBe(false);
        // The CLI says the same.
        const cli = spawnSync(SYSTEM_NODE, ["bin/pod.mjs", "help"], { cwd: ROOT, encoding: "utf8" });
        expect([cli.status, cli.stdout, cli.stderr]).toEqual([
          1,
          "",
          `This pod needs Node.js 24 (you have ${version})\n`,
        ]);
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  );
});

describe("running the pod from `npm start`", () => {
  let dataDir: string;
  let npm: ChildProcess | undefined;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), "pod-npm-start-"));
  });
  afterAll(() => {
    if (npm?.exitCode === null) npm.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("SIGTERM to npm stops the pod process itself, cleanly", async () => {
    const port = await freePort();
    // This test's Node.js (24) first on PATH, so npm and the script run on it.
    const started = run("npm", ["start"], podEnv(port, dataDir, `${dirname(process.execPath)}:${process.env.PATH}`));
    npm = started.child;
    await waitUntil(async () => {
      if (npm!.exitCode !== null) throw new Error(`npm start exited:\n${started.out.stdout}${started.out.stderr}`);
      return (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.ok === true;
    }, 30_000);
    // The pod is npm's child (with `exec`) or grandchild (under a shell): the node process running bin/start.mjs.
    const descendants = childrenOf(npm.pid!).flatMap((pid) => [pid, ...childrenOf(pid)]);
    const podPid = descendants.find((pid) => {
      const [program, ...args] = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      return program!.endsWith("node") && args.includes("bin/start.mjs");
    });
    expect(podPid).toBeDefined();
    npm.kill("SIGTERM");
    try {
      await waitUntil(() => !isAlive(podPid!), 20_000);
    } finally {
      if (isAlive(podPid!)) process.kill(podPid!, "SIGKILL");
    }
    await started.exited;
    expect(started.out.stdout).toContain('"msg":"stopped"');
    expect(await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null)).toBeNull();
  }, 60_000);
});

describe("the one-time operator token", () => {
  let dataDir: string;
  let blocker: Server;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), "pod-first-token-"));
  });
  afterAll(() => {
    blocker?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("is not used up by a start that cannot bind its port: the next start prints it, and it works", async () => {
    const port = await freePort();
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, "127.0.0.1", resolve));
    const env = podEnv(port, dataDir, `${dirname(process.execPath)}:${process.env.PATH}`);
    const failed = run(process.execPath, ["bin/start.mjs"], env);
    expect(await failed.exited).toBe(1);
    expect(failed.out.stderr).toContain("EADDRINUSE");
    expect(failed.out.stdout).not.toContain("Operator token");
    await new Promise((resolve) => blocker.close(resolve));

    const started = run(process.execPath, ["bin/start.mjs"], env);
    try {
      await waitUntil(() => /Operator token[^\n]*\n\s+(pod_\S+)/.test(started.out.stdout), 30_000);
      const token = /Operator token[^\n]*\n\s+(pod_\S+)/.exec(started.out.stdout)![1]!;
      const status = await fetch(`http://127.0.0.1:${port}/admin/api/status`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(status.status).toBe(200);
    } finally {
      started.child.kill("SIGTERM");
      expect(await started.exited).toBe(0);
    }
  }, 60_000);
});

describe("the other documented ways of running the pod signal node itself", () => {
  it("Docker runs node on bin/start.mjs in exec form (node is PID 1, no npm or shell in between)", () => {
    const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
    expect(dockerfile).toMatch(/^CMD \["node", ("--[a-z-]+=\d+", )*"bin\/start\.mjs"\]$/m);
    expect(dockerfile).not.toMatch(/^(CMD|ENTRYPOINT) (?!\[)/m);
    expect(dockerfile).toMatch(/^COPY bin \.\/bin$/m);
  });

  it("Docker fills the compile cache as the user the pod runs as (Node keeps a folder for each user)", () => {
    const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
    const users = [...dockerfile.matchAll(/^USER (\S+)$/gm)];
    expect(users.map((user) => user[1])).toEqual(["node"]);
    const warmUp = dockerfile.search(/^RUN node .*prepareLoading\(\)/m);
    expect(warmUp).toBeGreaterThan(users[0]!.index);
    expect(dockerfile).toMatch(/^ENV [\s\S]*NODE_COMPILE_CACHE=\/app\/\.compile-cache/m);
    expect(dockerfile).toMatch(/^RUN mkdir -p .*\/app\/\.compile-cache && chown node:node .*\/app\/\.compile-cache$/m);
  });

  it("the systemd unit runs node on bin/start.mjs, stops with SIGTERM, and is a valid unit", () => {
    const unit = readFileSync(join(ROOT, "docs/pods.service"), "utf8");
    expect(unit).toMatch(/^ExecStart=\S+\/node (--[a-z-]+=\d+ )*bin\/start\.mjs$/m);
    expect(unit).toMatch(/^KillSignal=SIGTERM$/m);
    const analyze = spawnSync("systemd-analyze", ["verify", join(ROOT, "docs/pods.service")], { encoding: "utf8" });
    if (analyze.error) return; // no systemd tools on this machine: the lines above are what can be checked
    expect(analyze.stderr + analyze.stdout).toBe("");
  });
});
