import { readFileSync } from "node:fs";
import { resolve, join } from "node:path";
import { settingsSchema, type Config } from "./schema.ts";

export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Reads settings from an optional JSON file (POD_CONFIG_FILE, see config/pod.example.json) overlaid by
 * environment variables, and validates them. Writes nothing: a bad setting throws one ConfigError line.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const fromFile = env.POD_CONFIG_FILE ? readConfigFile(env.POD_CONFIG_FILE) : {};
  if (env.POD_CONFIG_FILE) refuseUnknownKeys(env.POD_CONFIG_FILE, fromFile);
  const raw: Record<string, unknown> = { ...fromFile };
  for (const key of Object.keys(settingsSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== "") raw[key] = value;
  }
  for (const key of Object.keys(raw)) {
    if (typeof raw[key] === "number" || typeof raw[key] === "boolean") raw[key] = String(raw[key]);
  }
  // A pod tried on another port is reached there: its ids and links must say so from the first start.
  const port = Number(raw.PORT);
  if (raw.POD_URL === undefined && Number.isInteger(port) && port > 0 && port < 65536)
    raw.POD_URL = `http://localhost:${port}`;
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const setting = issue.path.join(".") || "settings";
    throw new ConfigError(`Invalid setting ${setting}: ${issue.message}`);
  }
  const s = parsed.data;
  const dataDir = resolve(s.DATA_DIR);
  return {
    url: new URL(s.POD_URL),
    handle: s.POD_HANDLE,
    name: s.POD_NAME,
    summary: s.POD_SUMMARY,
    approveFollowers: s.POD_APPROVE_FOLLOWERS,
    languages: s.POD_LANGUAGES.split(",").map((tag) => tag.trim()),
    avatar: null,
    header: null,
    host: s.HOST,
    port: s.PORT,
    healthHost: s.HEALTH_HOST,
    healthPort: s.HEALTH_PORT,
    queueLeaseMs: s.POD_QUEUE_LEASE_SECONDS * 1000,
    dataDir,
    databasePath: join(dataDir, "pod.sqlite"),
    databaseUrl: s.DATABASE_URL ?? null,
    logLevel: s.LOG_LEVEL,
    adminToken: s.POD_ADMIN_TOKEN,
    allowPrivateAddress: s.POD_ALLOW_PRIVATE_ADDRESS,
    maxBodyBytes: s.POD_MAX_BODY_BYTES,
    timeZone: s.POD_TIME_ZONE,
    trustProxy: s.POD_TRUST_PROXY === "false" ? false : s.POD_TRUST_PROXY.replace(/\s+/g, ""),
  };
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(
      `Invalid setting POD_CONFIG_FILE: cannot read ${path} (${(error as NodeJS.ErrnoException).code})`,
    );
  }
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error("not an object");
    return value as Record<string, unknown>;
  } catch {
    throw new ConfigError(`Invalid setting POD_CONFIG_FILE: ${path} is not a JSON object of settings`);
  }
}

/** A misspelt key would otherwise be dropped silently and its setting left at the default. */
function refuseUnknownKeys(path: string, settings: Record<string, unknown>): void {
  const known = Object.keys(settingsSchema.shape);
  const unknown = Object.keys(settings).filter((key) => !known.includes(key));
  if (unknown.length === 0) return;
  const named = unknown.map((key) => {
    const near = known.find((setting) => editDistance(key.toUpperCase(), setting) <= 2);
    return near ? `${key} (did you mean ${near}?)` : key;
  });
  throw new ConfigError(
    `Invalid setting POD_CONFIG_FILE: unknown ${unknown.length === 1 ? "key" : "keys"} in ${path}: ${named.join(", ")}`,
  );
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
