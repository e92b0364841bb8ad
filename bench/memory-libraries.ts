/**
 * The libraries' floor for bench/memory.ts: imports the packages a pod on SQLite loads at start (loaded the way
 * the pod loads them, bin/loading.mjs), opens a SQLite database, serves one Fastify route, goes quiet and gives
 * memory back as the pod does (src/roles/idle-memory.ts), then prints its VmRSS, RssAnon and heap, in MB, as JSON.
 * None of the pod's own modules is loaded but that one.
 */
import { readFileSync } from "node:fs";
import { prepareLoading } from "../bin/loading.mjs";

prepareLoading();
/** package.json's dependencies that a pod on SQLite imports at start (test/e2e/start-modules.test.ts lists the rest). */
const PACKAGES = [
  "@fastify/cookie",
  "@fastify/cors",
  "@fastify/csrf-protection",
  "@fastify/formbody",
  "@fastify/multipart",
  "@fastify/rate-limit",
  "@fastify/swagger",
  "@fastify/swagger-ui",
  "@fedify/fedify",
  "@fedify/vocab",
  "@js-temporal/polyfill",
  "@logtape/logtape",
  "@node-rs/argon2",
  "better-sqlite3",
  "drizzle-orm",
  "drizzle-orm/better-sqlite3",
  "fastify",
  "fastify-type-provider-zod",
  "htm",
  "intl-messageformat",
  "pino",
  "preact",
  "preact-render-to-string",
  "rrule",
  "structured-field-values",
  "uuidv7",
  "zod",
];
for (const name of PACKAGES) await import(name);
const { default: Database } = await import("better-sqlite3");
new Database(":memory:").prepare("select 1").get();
const { default: Fastify } = await import("fastify");
const app = Fastify();
app.get("/", () => "ok");
await app.listen({ port: 0, host: "127.0.0.1" });
const { releaseMemory } = await import("../src/roles/idle-memory.ts");
await new Promise((resolve) => setTimeout(resolve, 2_000));
releaseMemory();
const status = readFileSync("/proc/self/status", "utf8");
const kB = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)![1]) / 1024;
console.log(
  JSON.stringify({
    modules: PACKAGES.length,
    vmRssMb: kB("VmRSS"),
    rssAnonMb: kB("RssAnon"),
    heapUsedMb: process.memoryUsage().heapUsed / 1024 / 1024,
  }),
);
await app.close();
