import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { z } from "zod";
import { charterInputSchema } from "../charters/model.ts";
import { offerInputSchema, offerListQuery } from "../offers/model.ts";
import { formatMilli } from "../offers/quantity.ts";
import { offerIri } from "../publishing/iris.ts";
import type { Offer, OfferKind } from "../offers/service.ts";
import type { Config } from "../config/schema.ts";
import { ConfigError, loadConfig } from "../config/load.ts";
import { ProblemError } from "../http/problem.ts";
import { ArchiveRefused } from "../moving/format.ts";
import { followsOf } from "../follows/room.ts";
import { createLogger, routeFedifyLogs } from "../log/logger.ts";
import { podStatus } from "../operators/status.ts";
import { createToken, rotateToken } from "../operators/service.ts";
import { roomsOf } from "../db/room-db.ts";
import { oauthStore } from "../mastodon/oauth.ts";
import type { Pod } from "../pod.ts";

const USAGE = `Usage: npm run pod -- <command> [arguments]

Works on the pod's data directory directly (same settings as the server: DATA_DIR, POD_URL, ...).
Deliveries are queued in the pod's database and sent by the running server.

  help                        this text
  init                        make a new pod in DATA_DIR (the server does this on its first start)
  move-url                    record POD_URL as the pod's new address (followers must follow it again)
  status                      the pod's handle, followers, following and queue
  token create [label]        add an operator token (printed once)
  token rotate                revoke generated tokens and print a new one
  follow <@pod@host | URL>    follow another pod
  unfollow <@pod@host | URL>  stop following it
  followers                   list followers
  following                   list the pods this pod follows, with their state
  requests                    list follow requests waiting for approval
  approve <actor URL>         accept a follow request
  reject <actor URL>          reject a follow request
  charter publish <file.json> publish a new charter revision (see config/charter.example.json)
  charter show                the current charter and when its review is due
  charter review              record this month's review without changes
  offer add|need add --name N --quantity Q --unit U --category C --area A
            [--lat LAT --lon LON | --near LAT,LON] [--from WHEN] [--until WHEN]
            [--description D] [--conditions C] [--language L]
                              publish a surplus offer or a need and print it with its URL.
                              WHEN is a date (2026-12-01: from its start, until its end, UTC)
                              or a date-time (2026-12-01T18:00:00Z). Coordinates are kept to
                              about 1 km and make it show in distance searches.
  offers, needs [--status S]  list them
  apps                        the Mastodon apps signed in to the pod
  apps remove <id>            sign an app out (its tokens stop working)
  export <file>               write the whole pod (database, keys, sessions, uploaded files) to <file>,
                              a gzipped archive, while the server may be running. It holds the pod's
                              private keys and members' sessions: it is written readable by you only
                              (mode 0600); keep it private and delete it once the pod is moved.
  import <file> [--move-url]  make the archive's pod the pod of DATA_DIR, which must have none; POD_URL
                              must be the archive's address, unless --move-url (followers must follow
                              again). Refused archives (damaged, cut short, newer) change nothing.
                              Moving a pod: stop it, export, copy the file, import, start (docs/moving.md).

Output is JSON; quantities are decimals with their unit ("2.5 kg").
Exit status: 0 done; 1 failed while running (database, network); 2 refused: unknown command,
bad arguments or settings, or input the pod does not accept (nothing was changed).`;

type Command = (pod: Pod, args: string[]) => Promise<unknown>;

const ALL = { limit: 1000 };

const OFFER_OPTIONS = {
  name: { type: "string" },
  quantity: { type: "string" },
  unit: { type: "string" },
  category: { type: "string" },
  area: { type: "string" },
  from: { type: "string" },
  until: { type: "string" },
  description: { type: "string" },
  conditions: { type: "string" },
  language: { type: "string" },
  lat: { type: "string" },
  lon: { type: "string" },
  near: { type: "string" },
} as const;

/** `--lon -3.7` as `--lon=-3.7`: parseArgs would otherwise take the number for an option. */
function negativeNumbersAttached(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const next = args[i + 1];
    if (/^--[a-z]+$/.test(args[i]!) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${args[i]}=${next}`);
      i++;
    } else {
      out.push(args[i]!);
    }
  }
  return out;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** A date-time as given, or a whole date taken from its first or to its last second (UTC). */
function dateOrDateTime(value: string | undefined, edge: "start" | "end"): string | undefined {
  if (value === undefined || !DATE_ONLY.test(value)) return value;
  return `${value}T${edge === "start" ? "00:00:00" : "23:59:59"}Z`;
}

/** The area from --area and either --lat/--lon or --near LAT,LON (numbers are checked by the API's schema). */
function areaFrom(values: { area?: string; lat?: string; lon?: string; near?: string }) {
  if (values.near !== undefined && (values.lat !== undefined || values.lon !== undefined)) {
    throw new UsageError("give either --near LAT,LON or --lat and --lon, not both");
  }
  const [lat, lon] =
    values.near !== undefined ? values.near.split(",").map((part) => part.trim()) : [values.lat, values.lon];
  if (values.near !== undefined && (lat === undefined || lon === undefined || lat === "" || lon === "")) {
    throw new UsageError("--near needs LAT,LON such as 40.42,-3.70");
  }
  if (values.area === undefined) return undefined;
  const number = (text: string | undefined, option: string) => {
    if (text === undefined) return undefined;
    if (!/^-?\d+(\.\d+)?$/.test(text)) throw new UsageError(`${option} must be a number of degrees such as 40.42`);
    return Number(text);
  };
  const named = values.near !== undefined ? ["--near latitude", "--near longitude"] : ["--lat", "--lon"];
  return { name: values.area, latitude: number(lat, named[0]!), longitude: number(lon, named[1]!) };
}

/** An offer or need as the CLI shows it: its URL first, quantities as decimals with their unit. */
function presentOffer(config: Config, row: Offer) {
  return {
    url: offerIri(config, row).href,
    id: row.id,
    kind: row.kind,
    name: row.name,
    status: row.status,
    quantity: `${formatMilli(row.quantityMilli)} ${row.unit}`,
    available: `${formatMilli(row.availableMilli)} ${row.unit}`,
    category: row.category,
    area: row.areaName,
    latitude: row.latitude,
    longitude: row.longitude,
    from: row.availableFrom,
    until: row.availableUntil,
  };
}

function addOffer(kind: OfferKind): Command {
  return async (pod, [action, ...rest]) => {
    if (action !== "add") throw new UsageError(`${kind} needs 'add'`);
    const { values } = parseArgs({ args: negativeNumbersAttached(rest), options: OFFER_OPTIONS, strict: true });
    const input = parseOrExplain(offerInputSchema, {
      name: values.name,
      quantity: values.quantity,
      unit: values.unit,
      category: values.category,
      area: areaFrom(values),
      availableFrom: dateOrDateTime(values.from, "start"),
      availableUntil: dateOrDateTime(values.until, "end"),
      description: values.description,
      conditions: values.conditions,
      language: values.language,
    });
    return presentOffer(pod.deps.config, await pod.offers.create(kind, input));
  };
}

function listOffers(kind: OfferKind): Command {
  return async (pod, args) => {
    const { values } = parseArgs({ args, options: { status: { type: "string" } }, strict: true });
    const query = parseOrExplain(offerListQuery, { status: values.status, limit: 200 });
    return (await pod.offers.list(kind, query)).map((row) => presentOffer(pod.deps.config, row));
  };
}

/** Validates with the same zod schema the API uses; a failure names the field like the API does. */
function parseOrExplain<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new UsageError(`${issue.path.join(".") || "input"}: ${issue.message}`);
}

const commands: Record<string, Command> = {
  status: (pod) => podStatus(pod.deps, pod.queue),
  token: async (pod, [action, label]) => {
    if (action === "create") return { token: await createToken(roomsOf(pod.deps), label ?? "cli") };
    if (action === "rotate") return { token: await rotateToken(roomsOf(pod.deps)) };
    throw new UsageError("token needs 'create' or 'rotate'");
  },
  follow: (pod, [target]) => pod.follows.follow(required(target, "follow needs a handle or URL")),
  unfollow: (pod, [target]) => pod.follows.unfollow(required(target, "unfollow needs a handle or URL")),
  followers: async (pod) => followsOf(pod.deps).store.listFollowers("accepted", ALL),
  following: async (pod) => followsOf(pod.deps).store.listFollowing(ALL),
  requests: async (pod) => followsOf(pod.deps).store.listFollowers("pending", ALL),
  approve: (pod, [actor]) => pod.follows.approve(required(actor, "approve needs the actor URL")),
  reject: (pod, [actor]) => pod.follows.reject(required(actor, "reject needs the actor URL")),
  charter: async (pod, [action, file]) => {
    if (action === "publish") {
      const path = required(file, "charter publish needs a JSON file");
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(path, "utf8"));
      } catch (error) {
        throw new UsageError(`cannot read ${path} as JSON: ${(error as Error).message}`);
      }
      return pod.charters.publish(parseOrExplain(charterInputSchema, json));
    }
    if (action === "show") return pod.charters.current() ?? "No charter published yet.";
    if (action === "review") return pod.charters.review();
    throw new UsageError("charter needs 'publish <file>', 'show' or 'review'");
  },
  offer: addOffer("offer"),
  need: addOffer("need"),
  offers: listOffers("offer"),
  needs: listOffers("need"),
  init: async (pod) => ({ dataDir: pod.deps.config.dataDir, url: pod.deps.config.url.origin }),
  "move-url": async (pod) => ({ url: pod.deps.config.url.origin }),
  apps: async (pod, [action, id]) => {
    const oauth = oauthStore(roomsOf(pod.deps), pod.deps.now);
    if (action === undefined) return oauth.apps();
    if (action !== "remove") throw new UsageError("apps needs nothing, or 'remove <id>'");
    if (!(await oauth.removeApp(required(id, "apps remove needs the app's id")))) throw new UsageError(`no app ${id}`);
    return { removed: id };
  },
};

class UsageError extends Error {}

/** `export <file>` and `import <file> [--move-url]`: they work on DATA_DIR's files, without opening the pod. */
async function moving(name: "export" | "import", config: Config, args: string[]): Promise<unknown> {
  const options = name === "import" ? { "move-url": { type: "boolean" } } : {};
  const { positionals, values } = parseArgs({ args, options: options as never, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new UsageError(`${name} needs one archive file`);
  const file = positionals[0]!;
  if (name === "export") {
    const { exportPod } = await import("../moving/export.ts");
    const summary = await exportPod(config, file);
    for (const path of summary.skipped) process.stderr.write(`left out (not a plain file): ${path}\n`);
    return summary;
  }
  const importOptions = { moveUrl: (values as { "move-url"?: boolean })["move-url"] === true };
  if (config.databaseUrl) {
    const { importIntoPostgres } = await import("../moving/import-postgres.ts");
    return importIntoPostgres(config, config.databaseUrl, file, importOptions);
  }
  const { importPod } = await import("../moving/import.ts");
  return importPod(config, file, importOptions);
}

const isParseArgsError = (error: unknown): error is Error =>
  error instanceof Error && String((error as NodeJS.ErrnoException).code).startsWith("ERR_PARSE_ARGS");

function required(value: string | undefined, message: string): string {
  if (!value) throw new UsageError(message);
  return value;
}

/** Exit statuses, the same for every command (see USAGE). */
const EXIT = { ok: 0, failed: 1, refused: 2 } as const;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    strict: false,
    options: { help: { type: "boolean", short: "h" } },
  });
  const [name] = positionals;
  const args = process.argv.slice(process.argv.indexOf(name ?? "") + 1);
  if (values.help || !name || name === "help") {
    (name || values.help ? process.stdout : process.stderr).write(`${USAGE}\n`);
    return name || values.help ? EXIT.ok : EXIT.refused;
  }
  if (name === "export" || name === "import") {
    process.stdout.write(`${JSON.stringify(await moving(name, loadConfig(), args), null, 2)}\n`);
    return EXIT.ok;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    process.stderr.write(`Unknown command "${name}".\n\n${USAGE}\n`);
    return EXIT.refused;
  }
  const config = loadConfig();
  const log = createLogger(config.logLevel === "info" ? "warn" : config.logLevel, process.stderr);
  routeFedifyLogs(log);
  // Loaded only for a command that needs the pod (not for help or a usage error): it is most of the code.
  const { openPod } = await import("../pod.ts");
  const pod = await openPod(config, log, { create: name === "init", moveUrl: name === "move-url" });
  try {
    const result = await command(pod, args);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return EXIT.ok;
  } finally {
    await pod.close();
  }
}

const isRefusal = (error: unknown): error is Error =>
  error instanceof ConfigError ||
  error instanceof UsageError ||
  error instanceof ArchiveRefused ||
  isParseArgsError(error);

const isSystemError = (error: unknown): error is NodeJS.ErrnoException =>
  error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === "string";

/** A refusal (the command, its input or the settings) exits 2; anything else that went wrong exits 1. */
function exitFor(error: unknown): number {
  if (error instanceof ProblemError) return error.problem.status < 500 ? EXIT.refused : EXIT.failed;
  if (isRefusal(error)) return EXIT.refused;
  return EXIT.failed;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ProblemError) {
      const { field, detail, title } = error.problem;
      process.stderr.write(`${field ? `${field.replace(/^body\./, "")}: ` : ""}${detail ?? title}\n`);
    } else if (isRefusal(error)) process.stderr.write(`${error.message}\n`);
    // The system's own failures (no such folder, no permission, a full disk) are said in one line, as refusals.
    else if (isSystemError(error)) process.stderr.write(`${error.message}\n`);
    else process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(exitFor(error));
  },
);
