import { pino, type Logger, type LevelWithSilent } from "pino";
import { AsyncLocalStorage } from "node:async_hooks";
import { configureSync, resetSync, type LogRecord } from "@logtape/logtape";

export type { Logger };

/** JSON lines by default; human-readable when writing to a terminal. */
export function createLogger(level: LevelWithSilent, destination?: NodeJS.WritableStream): Logger {
  if (!destination && process.stdout.isTTY) {
    return pino({ level, transport: { target: "pino-pretty", options: { colorize: true } } });
  }
  return destination ? pino({ level }, destination) : pino({ level });
}

const LOGTAPE_TO_PINO = {
  trace: "trace",
  debug: "debug",
  info: "info",
  warning: "warn",
  error: "error",
  fatal: "fatal",
} as const;

const PINO_TO_LOGTAPE: Record<string, "trace" | "debug" | "info" | "warning" | "error" | "fatal"> = {
  trace: "trace",
  debug: "debug",
  info: "info",
  warn: "warning",
  error: "error",
  fatal: "fatal",
  silent: "fatal",
};

/** Properties Fedify attaches that may carry whole request or activity bodies: never logged. */
const BODY_PROPERTIES = new Set(["activity", "object", "body", "json", "jsonLd", "request", "response", "message"]);

/**
 * Refused inbox requests are logged once by the pod's own adapter ("inbox delivery refused"); Fedify's
 * own lines about the same refusal are demoted to debug so a routine client error is not logged twice.
 */
function demoted(record: LogRecord): boolean {
  const category = record.category.join(".");
  if (category.startsWith("fedify.sig")) return true;
  return category === "fedify.federation.inbox" && String(record.message[0] ?? "").startsWith("Failed to verify");
}

/** Routes Fedify's LogTape records into the pod's pino logger so there is one log stream. */
export function routeFedifyLogs(logger: Logger): void {
  const fedifyLogger = logger.child({ component: "fedify" });
  resetSync();
  configureSync({
    reset: true,
    contextLocalStorage: new AsyncLocalStorage(),
    sinks: {
      pino: (record: LogRecord) => {
        const level = demoted(record) ? "debug" : LOGTAPE_TO_PINO[record.level];
        if (!fedifyLogger.isLevelEnabled(level)) return;
        fedifyLogger[level]({ category: record.category.join("."), ...safeProperties(record.properties) }, renderMessage(record));
      },
    },
    loggers: [
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["pino"] },
      // Records below the pod's level are never built (LogTape skips them before formatting).
      { category: ["fedify"], lowestLevel: PINO_TO_LOGTAPE[logger.level] ?? "info", sinks: ["pino"] },
      // Fastify already logs every request once, with its request id.
      { category: ["fedify", "federation", "http"], sinks: [], parentSinks: "override" },
    ],
  });
}

function renderMessage(record: LogRecord): string {
  return record.message
    .map((part, i) => (i % 2 === 0 ? String(part) : typeof part === "string" ? part : safeStringify(part)))
    .join("");
}

function safeProperties(properties: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(properties)) {
    if (BODY_PROPERTIES.has(key)) continue;
    if (value instanceof Error) out[key === "error" ? "err" : key] = value;
    else if (value instanceof URL) out[key] = value.href;
    else if (["string", "number", "boolean"].includes(typeof value)) out[key] = value;
  }
  return out;
}

function safeStringify(value: unknown): string {
  if (value instanceof URL) return value.href;
  if (value instanceof Error) return value.message;
  try {
    const text = JSON.stringify(value);
    return text && text.length > 300 ? `${text.slice(0, 300)}…` : String(text);
  } catch {
    return String(value);
  }
}
