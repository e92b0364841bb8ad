import { spawn, type ChildProcess } from "node:child_process";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { freePort, waitUntil } from "./pod-process.ts";
import { podNodeFlags } from "./node-flags.ts";

/** One process of a pod split into web and worker processes (bin/web.mjs, bin/worker.mjs), sharing DATA_DIR. */
export interface RoleProcess {
  role: "web" | "worker";
  /** Where it answers: the web process's HTTP, or the worker's health port. */
  url: string;
  pid(): number;
  logs(): string;
  /** SIGTERM, then waits for the exit (SIGKILL after 10 s); resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: a crash, no graceful shutdown. */
  kill(): Promise<void>;
}

/** Starts `npm run web` or `npm run worker` (their launchers) with `env`, and waits for its /health. */
export async function startRole(role: "web" | "worker", env: Record<string, string>): Promise<RoleProcess> {
  const port = await freePort();
  const main = fileURLToPath(new URL(`../../bin/${role}.mjs`, import.meta.url));
  const roleEnv = role === "web" ? { PORT: String(port) } : { HEALTH_PORT: String(port) };
  const child: ChildProcess = spawn(process.execPath, [...podNodeFlags(role), main], {
    env: { ...process.env, HOST: "127.0.0.1", ...env, ...roleEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(async () => {
    if (child.exitCode !== null) throw new Error(`${role} exited (${child.exitCode}):\n${output}`);
    return (await fetch(`${url}/health`).catch(() => null))?.ok === true;
  }, 60_000).catch((error: unknown) => {
    child.kill("SIGKILL");
    throw error;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    role,
    url,
    pid: () => child.pid!,
    logs: () => output,
    async stop() {
      if (!running()) return exited;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    async kill() {
      if (running()) child.kill("SIGKILL");
      await exited;
    },
  };
}

/** A reverse proxy on 127.0.0.1 that hands requests to its backends in turn, keeping the Host header. */
export interface RoundRobinProxy {
  url: string;
  backends: string[];
  /** Requests handed to each backend. */
  handled: Map<string, number>;
  close(): Promise<void>;
}

export async function startProxy(): Promise<RoundRobinProxy> {
  let next = 0;
  const proxy: RoundRobinProxy = { url: "", backends: [], handled: new Map(), close: async () => {} };
  const server: Server = createServer((incoming, outgoing) => {
    if (proxy.backends.length === 0) {
      outgoing.writeHead(503).end();
      return;
    }
    const backend = proxy.backends[next++ % proxy.backends.length]!;
    proxy.handled.set(backend, (proxy.handled.get(backend) ?? 0) + 1);
    const target = new URL(incoming.url ?? "/", backend);
    const forwarded = httpRequest(target, { method: incoming.method, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    forwarded.on("error", () => {
      if (!outgoing.headersSent) outgoing.writeHead(502);
      outgoing.end();
    });
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}
