import type { Context } from "@fedify/fedify";
import { isActor, type Actor } from "@fedify/vocab";
import type { Config } from "../config/schema.ts";
import { badRequest, ProblemError } from "../http/problem.ts";

const HANDLE = /^@?([^@\s/]+)@([^@\s/]+)$/;

/**
 * Finds a remote actor from a handle (`@pod@host`, host may carry a port) or an actor URL.
 * Production pods use https WebFinger through Fedify. Fedify's client always asks https, so a pod
 * running with POD_ALLOW_PRIVATE_ADDRESS (development, tests on one machine) also tries plain http.
 */
export async function resolveActor(ctx: Context<null>, config: Config, target: string): Promise<Actor> {
  const actorUrl = await actorUrlFor(ctx, config, target.trim());
  const object = await ctx.lookupObject(actorUrl).catch(() => null);
  if (!object || !isActor(object) || !object.id || !object.inboxId) {
    throw new ProblemError({
      status: 422,
      title: "Unprocessable Content",
      detail: `${target} is not a reachable ActivityPub actor`,
      field: "target",
    });
  }
  return object;
}

async function actorUrlFor(ctx: Context<null>, config: Config, target: string): Promise<string> {
  if (/^https?:\/\//i.test(target)) {
    if (!URL.canParse(target)) throw badRequest("not a valid URL", "target");
    return target;
  }
  const match = HANDLE.exec(target);
  if (!match) throw badRequest("expected @name@host or an https:// actor URL", "target");
  const resource = `acct:${match[1]}@${match[2]}`;
  const descriptor =
    (await ctx.lookupWebFinger(resource).catch(() => null)) ??
    (config.allowPrivateAddress ? await plainHttpWebFinger(match[2]!, resource) : null);
  const self = descriptor?.links?.find(
    (link) => link.rel === "self" && /^application\/(activity\+json|ld\+json)/.test(link.type ?? "") && link.href,
  );
  if (!self?.href) {
    throw new ProblemError({
      status: 422,
      title: "Unprocessable Content",
      detail: `no ActivityPub actor found for ${target}`,
      field: "target",
    });
  }
  return self.href;
}

interface WebFingerDescriptor {
  links?: { rel?: string; type?: string; href?: string }[];
}

async function plainHttpWebFinger(host: string, resource: string): Promise<WebFingerDescriptor | null> {
  const url = new URL(`http://${host}/.well-known/webfinger`);
  url.searchParams.set("resource", resource);
  try {
    const response = await fetch(url, {
      headers: { accept: "application/jrd+json" },
      signal: AbortSignal.timeout(10_000),
    });
    return response.ok ? ((await response.json()) as WebFingerDescriptor) : null;
  } catch {
    return null;
  }
}
