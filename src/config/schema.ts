import { z } from "zod";

const booleanSetting = z
  .enum(["true", "false", "1", "0", "yes", "no"], { error: "must be true or false" })
  .transform((v) => v === "true" || v === "1" || v === "yes");

/** Every setting of a pod, named as its environment variable. */
export const settingsSchema = z.object({
  POD_URL: z
    .url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://pod.example.org" })
    .refine((u) => {
      if (!URL.canParse(u)) return true; // already reported by .url()
      const url = new URL(u);
      return (url.pathname === "/" || url.pathname === "") && !url.search && !url.hash;
    }, "must be an origin only (no path, query or fragment)")
    .default("http://localhost:3000"),
  POD_HANDLE: z
    .string()
    .regex(/^[a-z0-9_]{1,30}$/, "must be 1-30 lowercase letters, digits or underscores")
    .default("pod"),
  POD_NAME: z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(100, "must be at most 100 characters")
    .default("Neighborhood pod"),
  POD_SUMMARY: z.string().max(2000, "must be at most 2000 characters").default("A neighborhood mutual-aid pod."),
  POD_APPROVE_FOLLOWERS: booleanSetting.default(false),
  /** Languages the pod speaks, comma-separated language tags (the first is its main one). */
  POD_LANGUAGES: z
    .string()
    .regex(
      /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*(\s*,\s*[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*)*$/,
      "must be language tags such as en,es",
    )
    .default("en"),
  HOST: z.string().min(1, "must not be empty").default("127.0.0.1"),
  PORT: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(0, "must be between 0 and 65535")
    .max(65535, "must be between 0 and 65535")
    .default(3000),
  /** Where a worker process (`npm run worker`) answers GET /health and GET /ready; web processes answer on PORT. */
  HEALTH_HOST: z.string().min(1, "must not be empty").default("127.0.0.1"),
  /** The worker's health port (give each worker on one machine its own); 0 picks a free one. */
  HEALTH_PORT: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(0, "must be between 0 and 65535")
    .max(65535, "must be between 0 and 65535")
    .default(3001),
  /**
   * How long a queued delivery a worker took stays hidden from the other workers without being renewed (it is
   * renewed at half this while it runs): how soon a killed worker's deliveries are taken up by another.
   */
  POD_QUEUE_LEASE_SECONDS: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(2, "must be at least 2")
    .max(3600, "must be at most 3600")
    .default(60),
  DATA_DIR: z.string().min(1, "must not be empty").default("./data"),
  /**
   * Empty: the pod's SQLite file in DATA_DIR. A postgres:// URL: the rooms, queue and key-value store on that
   * PostgreSQL database instead (several web processes and workers may share it; DATA_DIR keeps uploads).
   */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/i, "must be a postgres:// URL such as postgres://pods:secret@db:5432/pods")
    .optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  POD_ADMIN_TOKEN: z.string().min(24, "must be at least 24 characters").optional(),
  POD_ALLOW_PRIVATE_ADDRESS: booleanSetting.default(false),
  /**
   * Addresses of the reverse proxy whose X-Forwarded-For is believed (comma-separated, CIDR allowed), or false.
   * False by default: believing loopback would let any process on the host name its own client address.
   */
  POD_TRUST_PROXY: z
    .string()
    .regex(
      /^(false|[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*)$/,
      "must be false or a comma-separated list of addresses such as 127.0.0.1,::1",
    )
    .default("false"),
  /** The pod's time zone (IANA name): the web app shows every time in it. */
  POD_TIME_ZONE: z
    .string()
    .refine((zone) => {
      try {
        new Intl.DateTimeFormat("en", { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    }, "must be a time zone name such as America/Mexico_City or Europe/Madrid")
    .default("UTC"),
  /** Largest request body accepted, in bytes (inbox and API alike). */
  POD_MAX_BODY_BYTES: z.coerce
    .number({ error: "must be a number" })
    .int()
    .min(1024, "must be at least 1024")
    .default(1_048_576),
});

export type Settings = z.infer<typeof settingsSchema>;

/** The validated settings in the shape the code uses. */
export interface Config {
  url: URL;
  handle: string;
  name: string;
  summary: string;
  approveFollowers: boolean;
  languages: string[];
  /**
   * The pod's uploaded pictures (a path under its origin and the media type), null for the plain squares.
   * Name, summary, approval, time zone, languages and pictures start from the environment; the settings room
   * overlays the choices made in the web app (src/settings/service.ts), which win from then on.
   */
  avatar: PodImage | null;
  header: PodImage | null;
  host: string;
  port: number;
  /** Where a worker answers /health and /ready. */
  healthHost: string;
  healthPort: number;
  /** POD_QUEUE_LEASE_SECONDS in milliseconds. */
  queueLeaseMs: number;
  dataDir: string;
  databasePath: string;
  /** DATABASE_URL: the PostgreSQL database the pod runs on, or null for the SQLite file at databasePath. */
  databaseUrl: string | null;
  logLevel: Settings["LOG_LEVEL"];
  adminToken?: string;
  allowPrivateAddress: boolean;
  maxBodyBytes: number;
  timeZone: string;
  /** Fastify's trustProxy: false, or the proxy addresses. */
  trustProxy: false | string;
}

export interface PodImage {
  path: string;
  mediaType: string;
}
