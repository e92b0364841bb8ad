import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../config/load.ts";
import { ProblemError } from "../http/problem.ts";
import * as follows from "../follows/service.ts";
import { createLogger, routeFedifyLogs } from "../log/logger.ts";
import { podStatus } from "../operators/status.ts";
import { createToken, rotateToken } from "../operators/service.ts";
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
  reject <actor URL>          reject a follow request`;

type Command = (pod: Pod, args: string[]) => Promise<unknown>;

const ALL = { limit: 1000 };

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
};

class UsageError extends Error {}

function required(value: string | undefined, message: string): string {
  if (!value) throw new UsageError(message);
  return value;
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { help: { type: "boolean", short: "h" } } });
  const [name, ...args] = positionals;
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
    else if (error instanceof ConfigError || error instanceof UsageError) process.stderr.write(`${error.message}\n`);
    else process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(error instanceof UsageError ? 64 : 1);
  },
);
