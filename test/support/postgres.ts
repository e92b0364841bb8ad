import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";

/**
 * A fresh PostgreSQL database per test file.
 *
 * With POD_TEST_POSTGRES_URL (a server URL whose user may CREATE DATABASE) each call creates a uniquely named
 * database there and drops it afterwards. Without it, a throwaway server is started from the local PostgreSQL
 * binaries (initdb into a temp dir, listening on 127.0.0.1 on a free port) and deleted afterwards. PostgreSQL
 * refuses to run as root, so as root the server runs as the `postgres` system user.
 */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Where initdb and pg_ctl are, or undefined when PostgreSQL is not installed. */
export function postgresBinDir(): string | undefined {
  const candidates: string[] = [];
  try {
    candidates.push(execFileSync("pg_config", ["--bindir"], { encoding: "utf8", stdio: "pipe" }).trim());
  } catch {
    // No pg_config on PATH: look where Debian puts the server.
  }
  const debian = "/usr/lib/postgresql";
  if (fs.existsSync(debian)) {
    const versions = fs.readdirSync(debian).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => path.join(debian, v, "bin")));
  }
  return candidates.find((dir) => fs.existsSync(path.join(dir, "initdb")) && fs.existsSync(path.join(dir, "pg_ctl")));
}

/** Why the PostgreSQL tests cannot run here, or undefined when they can. */
export function postgresUnavailable(): string | undefined {
  if (process.env.POD_TEST_POSTGRES_URL) return undefined;
  if (postgresBinDir() != null) return undefined;
  const reason =
    "PostgreSQL tests skipped: no POD_TEST_POSTGRES_URL and no PostgreSQL server binaries " +
    "(install Debian's `postgresql` package, or set POD_TEST_POSTGRES_URL=postgres://…)";
  if (process.env.POD_REQUIRE_POSTGRES) throw new Error(reason);
  return reason;
}

export async function freshDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.POD_TEST_POSTGRES_URL;
  if (serverUrl) return createDatabaseOn(serverUrl, async () => {});
  const server = await startThrowawayServer();
  return createDatabaseOn(server.url, server.stop);
}

async function createDatabaseOn(serverUrl: string, afterDrop: () => Promise<void>): Promise<TestDatabase> {
  const name = `pods_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  await withClient(serverUrl, async (client) => {
    // A linguistic collation, as most servers have, so tests catch SQL that assumes byte order; plain if the
    // server has no ICU.
    try {
      await client.query(`CREATE DATABASE ${name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'`);
    } catch {
      await client.query(`CREATE DATABASE ${name}`);
    }
  });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      try {
        await withClient(serverUrl, (client) => dropWhenUnused(client, name));
      } finally {
        await afterDrop();
      }
    },
  };
}

/**
 * Drops a test's database once its connections are gone: a pool that has just ended may still be closing one (and a
 * killed pod process's may not be noticed yet); terminating it would reach the test process as an uncaught error
 * ("terminating connection due to administrator command"). Up to 5 s of waiting, then by force.
 */
async function dropWhenUnused(client: pg.Client, name: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      await client.query(`DROP DATABASE IF EXISTS ${name}`);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== "55006") throw error; // 55006: in use by other sessions
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Vitest global setup for `npm run test:postgres`: one throwaway server for all test files (each still gets its
 * own database), handed to the test workers through POD_TEST_POSTGRES_URL.
 */
export async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.POD_TEST_POSTGRES_URL || postgresUnavailable() != null) return undefined;
  const server = await startThrowawayServer();
  process.env.POD_TEST_POSTGRES_URL = server.url;
  return async () => {
    delete process.env.POD_TEST_POSTGRES_URL;
    await server.stop();
  };
}

export async function startThrowawayServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const bin = postgresBinDir();
  if (bin == null) throw new Error(postgresUnavailable() ?? "no PostgreSQL binaries");
  const root = process.getuid?.() === 0;
  // As root, run as `postgres`, which must be able to enter the directory: os.tmpdir() (not a home dir).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pods-pg-"));
  const data = path.join(dir, "data");
  if (root) fs.chownSync(dir, uid("postgres"), gid("postgres"));
  const run = (command: string, args: string[]) => {
    const argv = root ? ["-u", "postgres", "--", path.join(bin, command), ...args] : args;
    const result = spawnSync(root ? "runuser" : path.join(bin, command), argv, { encoding: "utf8", cwd: dir });
    if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr || result.stdout}`);
  };
  run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"]);
  const port = await freePort();
  // fsync off: a test server's data is thrown away, and durability costs time on a busy machine.
  const serverOptions = `-h 127.0.0.1 -p ${port} -k ${dir} -F -c max_connections=200`;
  run("pg_ctl", ["-D", data, "-o", serverOptions, "-l", path.join(dir, "server.log"), "-w", "-t", "60", "start"]);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.off("exit", stop);
    try {
      run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  // A test run that ends early (a hook timed out, Ctrl-C) must not leave the server running.
  process.on("exit", stop);
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop: async () => stop() };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const uid = (user: string) => Number(execFileSync("id", ["-u", user], { encoding: "utf8" }).trim());
const gid = (user: string) => Number(execFileSync("id", ["-g", user], { encoding: "utf8" }).trim());
