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

type PinoLevel = (typeof LOGTAPE_TO_PINO)[keyof typeof LOGTAPE_TO_PINO];

/** Answers that are part of normal federation (something withdrawn, never there): not the pod's error. */
const EXPECTED_FETCH_STATUSES = new Set([404, 410]);

/**
 * The level a Fedify record is logged at. Fedify logs some routine events as errors; those are lowered:
 * - refused inbox requests are logged once by the pod's own adapter ("inbox delivery refused"), so Fedify's
 *   own lines about the same refusal go to debug;
 * - WebFinger or an inbox asked for an actor the pod does not have is a client's mistake (debug);
 * - a fetched document that answers 404 or 410 is gone (a withdrawn offer, a deleted actor): info; another
 *   failing answer is the other server's trouble, not the pod's: warn.
 */
function levelOf(record: LogRecord): PinoLevel {
  const category = record.category.join(".");
  if (category.startsWith("fedify.sig")) return "debug";
  const level = LOGTAPE_TO_PINO[record.level];
  if (level !== "error" && level !== "warn") return level;
  const template = typeof record.rawMessage === "string" ? record.rawMessage : record.rawMessage.join("{}");
  if (category === "fedify.federation.inbox" && template.startsWith("Failed to verify")) return "debug";
  if (/^Actor \{(username|recipient)\} not found\.$/.test(template)) return "debug";
  if (category === "fedify.runtime.docloader" && template.startsWith("Failed to fetch document")) {
    return EXPECTED_FETCH_STATUSES.has(Number(record.properties.status)) ? "info" : "warn";
  }
  return level;
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
        const level = levelOf(record);
        if (!fedifyLogger.isLevelEnabled(level)) return;
        fedifyLogger[level](
          { category: record.category.join("."), ...safeProperties(record.properties) },
          renderMessage(record),
        );
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
