import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { podNodeFlags } from "./node-flags.ts";

// The launcher, as production runs it (the Node.js check, then how modules load: bin/loading.mjs).
const MAIN = fileURLToPath(new URL("../../bin/start.mjs", import.meta.url));
export const TEST_ADMIN_TOKEN = "test-operator-token-0123456789abcdef";

/** Calls a pod's admin API at `base` with the test operator token; the body is parsed JSON (or null). */
export async function adminCall(base: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${base}/admin/api${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    body: (text ? JSON.parse(text) : null) as any,
  };
}

/** A pod running as its own process on 127.0.0.1, with its own SQLite file. */
export interface PodProcess {
  name: string;
  url: string;
  handle: string;
  actorUrl: string;
  dataDir: string;
  /** Calls the admin API with the operator token. */
  admin(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; contentType: string | null; body: any }>;
  /** GETs a URL as an ActivityPub client would. */
  getActivityPub(url: string): Promise<any>;
  logs(): string;
  stop(): Promise<void>;
  /** Stops the process, keeping its data directory, and starts it again on the same port. */
  restart(): Promise<void>;
  /** Kills the process with SIGKILL (a crash: no graceful shutdown), keeping its data directory. */
  kill(): Promise<void>;
  /** Starts the process again after kill(), on the same port and data directory. */
  start(): Promise<void>;
  /** The running process's id (to send it signals, or read its CPU time from /proc). */
  pid(): number;
  /** Exit codes of the pod's earlier processes (after stop, restart or kill). */
  exitCodes(): (number | null)[];
  /** The environment the pod runs with (for running its CLI against the same data). */
  env: Record<string, string>;
}

/** A pod's log lines that are JSON (pino's), parsed; with `text`, only the lines that mention it. */
export function logRecords<T>(pod: Pick<PodProcess, "logs">, text = ""): T[] {
  return pod
    .logs()
    .split("\n")
    .filter((line) => line.startsWith("{") && line.includes(text))
    .map((line) => JSON.parse(line) as T);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/**
 * `hostname: "localhost"` gives the pod a name a browser accepts as a WebAuthn relying party (an IP is not one).
 * `port` and `dataDir` start a pod at an earlier pod's address, or on a data directory made beforehand (an
 * imported pod); stop() removes that directory too.
 */
export async function startPod(
  name: string,
  env: Record<string, string> = {},
  options: { hostname?: "localhost"; port?: number; dataDir?: string } = {},
): Promise<PodProcess> {
  const port = options.port ?? (await freePort());
  const hostname = options.hostname ?? "127.0.0.1";
  const url = `http://${hostname}:${port}`;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), `pod-${name}-`));
  let output = "";
  let child: ChildProcess;
  const exitCodes: (number | null)[] = [];

  const podEnv: Record<string, string> = {
    POD_URL: url,
    HOST: "127.0.0.1",
    PORT: String(port),
    DATA_DIR: dataDir,
    POD_HANDLE: "pod",
    POD_NAME: `Pod ${name}`,
    POD_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    POD_ALLOW_PRIVATE_ADDRESS: "true",
    LOG_LEVEL: process.env.POD_TEST_LOG_LEVEL ?? "info",
    ...env,
  };

  const launch = async () => {
    child = spawn(process.execPath, [...podNodeFlags(), MAIN], {
      env: { ...process.env, ...podEnv },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.once("exit", (code) => exitCodes.push(code));
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    await waitUntil(async () => {
      if (child.exitCode !== null) throw new Error(`pod ${name} exited (${child.exitCode}):\n${output}`);
      const response = await fetch(`${url}/healthz`).catch(() => null);
      return response?.ok === true;
    }, 60_000).catch((error: unknown) => {
      // A pod that did not come up in time must not outlive the test (nobody else holds its process).
      child.kill("SIGKILL");
      throw error;
    });
  };

  const stopProcess = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };

  await launch();
  return {
    name,
    url,
    handle: `@pod@${hostname}:${port}`,
    actorUrl: `${url}/users/pod`,
    dataDir,
    admin: (method, path, body) => adminCall(url, method, path, body),
    async getActivityPub(target) {
      const response = await fetch(target, { headers: { accept: "application/activity+json" } });
      if (!response.ok) throw new Error(`GET ${target}: ${response.status}`);
      return response.json();
    },
    logs: () => output,
    async stop() {
      await stopProcess();
      rmSync(dataDir, { recursive: true, force: true });
    },
    async restart() {
      await stopProcess();
      await launch();
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    },
    start: launch,
    exitCodes: () => exitCodes,
    env: podEnv,
    pid: () => child.pid!,
  };
}

/** Polls until the check passes; bounded in time so a broken pod fails the test instead of hanging. */
export async function waitUntil(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      if (error instanceof Error && error.message.includes("exited")) throw error;
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ""}`);
}

/** Every item of a paged ActivityPub collection, followed page by page (bounded). */
export async function collectionItems(pod: PodProcess, collectionUrl: string): Promise<string[]> {
  const collection = await pod.getActivityPub(collectionUrl);
  const items: string[] = [];
  const idOf = (item: string | { id: string }) => (typeof item === "string" ? item : item.id);
  // An unpaged collection (such as `featured`) carries its items inline.
  for (const item of collection.orderedItems ?? collection.items ?? []) items.push(idOf(item));
  let next: string | undefined = typeof collection.first === "string" ? collection.first : collection.first?.id;
  for (let pages = 0; next && pages < 50; pages++) {
    const pageDoc = await pod.getActivityPub(next);
    for (const item of pageDoc.orderedItems ?? pageDoc.items ?? []) items.push(idOf(item));
    next = pageDoc.next;
  }
  return items;
}

/** `from` follows `to` by handle through the admin API and waits until `to` has accepted. */
export async function followAndWait(from: PodProcess, to: PodProcess): Promise<void> {
  const answer = await from.admin("POST", "/following", { target: to.handle });
  if (answer.status !== 202) throw new Error(`follow of ${to.handle} answered ${answer.status}`);
  await waitUntil(async () =>
    (await from.admin("GET", "/following")).body.items.some(
      (f: { actorIri: string; state: string }) => f.actorIri === to.actorUrl && f.state === "accepted",
    ),
  );
}
