import type { Context } from "@fedify/fedify";
import { Flag } from "@fedify/vocab";
import { uuidv7 } from "uuidv7";
import type { EventDispatcher } from "../events/dispatcher.ts";
import type { PodDeps } from "../federation/deps.ts";
import { addressOf, recipientOf } from "../follows/federation.ts";
import { resolveActor } from "../follows/resolve.ts";
import { ProblemError, badRequest } from "../http/problem.ts";
import { hostOf, normalizeDomain } from "./domains.ts";
import { roomsOf } from "../db/room-db.ts";
import { followsOf } from "../follows/room.ts";
import { blockLists } from "./copy.ts";
import type { BlockedAccount, Report } from "./store.ts";
import { type BlockOutcome, type ModerationRooms, moderationWrites, REPORT_SENT } from "./writes.ts";

const MAX_COMMENT = 1_000;
const MAX_POSTS = 20;

/**
 * The pod's moderation: blocked servers and accounts (refused at the inbox, forgotten everywhere, never
 * delivered to) and reports (Flag) received and sent. Hiding a single reply is the social room's. Each change is
 * one RoomDb write (writes.ts); the block lists are read synchronously from memory (copy.ts): `load()` before the
 * pod serves, `refresh()` in the request hook.
 */
export function moderationService(
  deps: PodDeps,
  contextFor: () => Context<null>,
  events: EventDispatcher,
  forgetting: ModerationRooms,
) {
  const { config, log } = deps;
  const rooms = roomsOf(deps);
  const writes = moderationWrites(rooms, forgetting, (db, kind, payload, key) =>
    events.recordWithin(db, kind, payload, key),
  );
  const { store } = writes;
  const lists = blockLists(rooms, rooms.version("moderation"), (error) =>
    log.warn({ err: error }, "reading the block lists failed"),
  );

  /**
   * A block: refused in this process from the start, then written; after it committed the follows copy and the
   * lists see it before the call returns (a failed write reloads the lists as they are).
   */
  async function block(about: { domain?: string; account?: string }, write: () => Promise<BlockOutcome>) {
    lists.anticipate(about);
    let outcome: BlockOutcome;
    try {
      outcome = await write();
    } catch (error) {
      await lists.load();
      throw error;
    }
    const follows = followsOf(deps);
    if (outcome.relations.followers > 0) follows.followersChanged();
    if (outcome.relations.following > 0) follows.followingChanged();
    await lists.load();
    return outcome;
  }

  events.on(REPORT_SENT, async ({ report, recipient }: { report: Report; recipient: RecipientRow }) => {
    const ctx = contextFor();
    const flag = new Flag({
      id: new URL(report.activityIri),
      actor: ctx.getActorUri(config.handle),
      objects: (JSON.parse(report.objects) as string[]).map((iri) => new URL(iri)),
      content: report.comment,
    });
    await ctx.sendActivity({ identifier: config.handle }, recipientOf(recipient), flag, {
      orderingKey: recipient.actorIri,
    });
  });

  return {
    load: lists.load,
    refresh: lists.refresh,
    refuses: lists.refuses,
    blocksAccount: lists.blocksAccount,
    blocksDomainOf: lists.blocksDomainOf,

    domains: () => store.listBlockedDomains(),
    accounts: () => store.listBlockedAccounts(),

    /** Blocks a server: recorded, and everything the pod holds of it forgotten, in one write. */
    async blockDomain(input: string, reason = ""): Promise<{ domain: string; forgotten: number }> {
      const domain = normalizeDomain(input);
      if (!domain) throw badRequest("not a domain name (example: social.example)", "domain");
      if (domain === config.url.hostname) throw badRequest("this is the pod's own domain", "domain");
      const outcome = await block({ domain }, () =>
        writes.blockDomain({ domain, reason: reason.slice(0, MAX_COMMENT), createdAt: now() }),
      );
      log.info({ domain, forgotten: outcome.forgotten }, "domain blocked");
      return { domain, forgotten: outcome.forgotten };
    },

    async unblockDomain(input: string): Promise<boolean> {
      const domain = normalizeDomain(input);
      const removed = domain !== null && (await store.removeBlockedDomain(domain));
      await lists.load();
      return removed;
    },

    /** Blocks one account by handle or IRI (resolved when a handle): refused, forgotten, follows ended. */
    async blockAccount(target: string, reason = "", handle = handleOf(target)): Promise<BlockedAccount> {
      const actorIri = await actorOf(target);
      if (new URL(actorIri).origin === config.url.origin) throw badRequest("this is the pod itself", "target");
      const row = { actorIri, handle, reason: reason.slice(0, MAX_COMMENT), createdAt: now() };
      await block({ account: actorIri }, () => writes.blockAccount(row));
      log.info({ actor: actorIri }, "account blocked");
      return row;
    },

    async unblockAccount(actorIri: string): Promise<boolean> {
      const removed = await store.removeBlockedAccount(actorIri);
      await lists.load();
      return removed;
    },

    /** A Flag received from another server: kept once for the coordinators. */
    receiveReport(report: {
      activityIri: string;
      actorIri: string;
      objects: string[];
      comment: string;
    }): Promise<boolean> {
      return writes.receiveReport({
        id: uuidv7(),
        direction: "received",
        activityIri: report.activityIri,
        actorIri: report.actorIri,
        objects: JSON.stringify(report.objects.slice(0, MAX_POSTS)),
        comment: report.comment.slice(0, MAX_COMMENT),
        createdAt: now(),
        closedAt: null,
      });
    },

    /** Reports a remote account (and some of its posts) to its server: a Flag from the pod's actor. */
    async sendReport(target: string, comment: string, postIris: string[] = []): Promise<Report> {
      const actor = await resolveActor(contextFor(), config, target);
      if (!targetMatches(target, actor.id!.href)) throw mismatch(target);
      const address = addressOf(actor, config.allowPrivateAddress);
      if ("refused" in address) {
        throw new ProblemError({
          status: 422,
          title: "Unprocessable Content",
          detail: address.refused,
          field: "target",
        });
      }
      const posts = postIris.filter((iri) => onSameHost(iri, address.actorIri)).slice(0, MAX_POSTS);
      const id = uuidv7();
      const report: Report = {
        id,
        direction: "sent",
        activityIri: new URL(`/reports/${id}`, config.url).href,
        actorIri: address.actorIri,
        objects: JSON.stringify([address.actorIri, ...posts]),
        comment: comment.slice(0, MAX_COMMENT),
        createdAt: now(),
        closedAt: null,
      };
      await writes.sendReport(report, address);
      await events.settle();
      return report;
    },

    reports: (direction: Report["direction"]) => store.listReports(direction),
    closeReport: (id: string) => store.closeReport(id, now()),
  };

  function now() {
    return deps.now().toISOString();
  }

  /**
   * The actor a handle or address names, resolved (a profile page's URL is not the actor's id). The actor must
   * live on the host the coordinator typed: a WebFinger answer pointing elsewhere would block someone else.
   */
  async function actorOf(target: string): Promise<string> {
    const actor = await resolveActor(contextFor(), config, target);
    const actorIri = actor.id!.href;
    if (!targetMatches(target, actorIri)) throw mismatch(target);
    return actorIri;
  }
}

/** The host a handle (`@name@host`) or URL names equals the resolved actor's host. */
function targetMatches(target: string, actorIri: string): boolean {
  const trimmed = target.trim();
  const typed = /^https?:\/\//i.test(trimmed) ? hostOf(trimmed) : hostOf(`https://${trimmed.split("@").pop()}`);
  return typed !== null && typed === hostOf(actorIri);
}

const mismatch = (target: string) =>
  new ProblemError({
    status: 422,
    title: "Unprocessable Content",
    detail: `${target.slice(0, 100)} resolves to an actor on another server`,
    field: "target",
  });

interface RecipientRow {
  actorIri: string;
  inbox: string;
  sharedInbox: string | null;
}

const handleOf = (target: string) =>
  /^@?[^@\s/]+@[^@\s/]+$/.test(target.trim()) ? `@${target.trim().replace(/^@/, "")}` : "";

const onSameHost = (iri: string, actorIri: string) => URL.canParse(iri) && new URL(iri).host === new URL(actorIri).host;

export type ModerationService = ReturnType<typeof moderationService>;
