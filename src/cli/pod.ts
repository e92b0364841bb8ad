import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { z } from "zod";
import { charterInputSchema } from "../charters/model.ts";
import { offerInputSchema, offerListQuery } from "../offers/model.ts";
import { formatMilli } from "../offers/quantity.ts";
import type { OfferKind } from "../offers/service.ts";
import { ConfigError, loadConfig } from "../config/load.ts";
import { ProblemError } from "../http/problem.ts";
import * as follows from "../follows/service.ts";
import { createLogger, routeFedifyLogs } from "../log/logger.ts";
import { podStatus } from "../operators/status.ts";
import { createToken, rotateToken } from "../operators/service.ts";
import { oauthStore } from "../mastodon/oauth.ts";
import { openPod, type Pod } from "../pod.ts";

const USAGE = `Usage: npm run pod -- <command> [arguments]

Works on the pod's data directory directly (same settings as the server: DATA_DIR, POD_URL, ...).
Deliveries are queued in the pod's database and sent by the running server.

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
            [--until ISO-DATE] [--from ISO-DATE] [--description D] [--conditions C]
                              publish a surplus offer or a need
  offers, needs [--status S]  list them
  apps                        the Mastodon apps signed in to the pod
  apps remove <id>            sign an app out (its tokens stop working)`;

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
} as const;

function addOffer(kind: OfferKind): Command {
  return async (pod, [action, ...rest]) => {
    if (action !== "add") throw new UsageError(`${kind} needs 'add'`);
    const { values } = parseArgs({ args: rest, options: OFFER_OPTIONS, strict: true });
    const input = parseOrExplain(offerInputSchema, {
      name: values.name,
      quantity: values.quantity,
      unit: values.unit,
      category: values.category,
      area: values.area === undefined ? undefined : { name: values.area },
      availableFrom: values.from,
      availableUntil: values.until,
      description: values.description,
      conditions: values.conditions,
      language: values.language,
    });
    return pod.offers.create(kind, input);
  };
}

function listOffers(kind: OfferKind): Command {
  return async (pod, args) => {
    const { values } = parseArgs({ args, options: { status: { type: "string" } }, strict: true });
    const query = parseOrExplain(offerListQuery, { status: values.status, limit: 200 });
    return pod.offers.list(kind, query).map((o) => ({
      id: o.id,
      name: o.name,
      status: o.status,
      available: `${formatMilli(o.availableMilli)} of ${formatMilli(o.quantityMilli)} ${o.unit}`,
      until: o.availableUntil,
    }));
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
    if (action === "create") return { token: createToken(pod.deps.db, label ?? "cli") };
    if (action === "rotate") return { token: rotateToken(pod.deps.db) };
    throw new UsageError("token needs 'create' or 'rotate'");
  },
  follow: (pod, [target]) => pod.follows.follow(required(target, "follow needs a handle or URL")),
  unfollow: (pod, [target]) => pod.follows.unfollow(required(target, "unfollow needs a handle or URL")),
  followers: async (pod) => follows.listFollowers(pod.deps.db, "accepted", ALL),
  following: async (pod) => follows.listFollowing(pod.deps.db, ALL),
  requests: async (pod) => follows.listFollowers(pod.deps.db, "pending", ALL),
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
  apps: async (pod, [action, id]) => {
    const oauth = oauthStore(pod.deps.db, pod.deps.now);
    if (action === undefined) return oauth.apps();
    if (action !== "remove") throw new UsageError("apps needs nothing, or 'remove <id>'");
    if (!oauth.removeApp(required(id, "apps remove needs the app's id"))) throw new UsageError(`no app ${id}`);
    return { removed: id };
  },
};

class UsageError extends Error {}

const isParseArgsError = (error: unknown): error is Error =>
  error instanceof Error && String((error as NodeJS.ErrnoException).code).startsWith("ERR_PARSE_ARGS");

function required(value: string | undefined, message: string): string {
  if (!value) throw new UsageError(message);
  return value;
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    strict: false,
    options: { help: { type: "boolean", short: "h" } },
  });
  const [name] = positionals;
  const args = process.argv.slice(process.argv.indexOf(name ?? "") + 1);
  if (values.help || !name) {
    process.stdout.write(`${USAGE}\n`);
    return name || values.help ? 0 : 64;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`Unknown command "${name}".\n\n${USAGE}\n`);
    return 64;
  }
  const config = loadConfig();
  const log = createLogger(config.logLevel === "info" ? "warn" : config.logLevel, process.stderr);
  routeFedifyLogs(log);
  const pod = await openPod(config, log);
  try {
    const result = await command(pod, args);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } finally {
    pod.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ProblemError) process.stderr.write(`${error.problem.detail ?? error.problem.title}\n`);
    else if (error instanceof ConfigError || error instanceof UsageError || isParseArgsError(error)) process.stderr.write(`${error.message}\n`);
    else process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(error instanceof UsageError || isParseArgsError(error) ? 64 : 1);
  },
);
