import type { Context } from "@fedify/fedify";
import { Flag } from "@fedify/vocab";
import { uuidv7 } from "uuidv7";
import type { EventDispatcher } from "../events/dispatcher.ts";
import type { Db } from "../db/client.ts";
import type { PodDeps } from "../federation/deps.ts";
import { addressOf, recipientOf } from "../follows/federation.ts";
import { resolveActor } from "../follows/resolve.ts";
import { ProblemError, badRequest } from "../http/problem.ts";
import { canonicalIri, hostOf, normalizeDomain, onDomain } from "./domains.ts";
import { roomsOf } from "../db/room-db-sqlite.ts";
import * as store from "./store.ts";

/** What blocking asks of the other rooms: each forgets what it holds of the blocked server or account. */
export interface ModerationRooms {
  /** Social: remote accounts of the domain (and subdomains), their posts and reactions. */
  forgetDomainAccounts(domain: string): number;
  /** Social: one remote account, its posts and reactions. */
  forgetAccount(actorIri: string): boolean;
  /** Confederation: pods that match leave the view. */
  forgetPods(matches: (podIri: string) => boolean): number;
  /** Follows: every follow either way with actors that match ends. */
  endRelations(matches: (actorIri: string) => boolean): number;
}

const REPORT_SENT = "moderation.report-sent";
const MAX_COMMENT = 1_000;
const MAX_POSTS = 20;
const OPEN_REPORTS_PER_ACTOR = 5;
/** How many IRIs' answers refuses() keeps between reloads of the block lists (cleared when full). */
const ANSWERS_KEPT = 4_096;

/**
 * The pod's moderation: blocked servers and accounts (refused at the inbox, forgotten everywhere, never
 * delivered to) and reports (Flag) received and sent. Hiding a single reply is the social room's.
 */
export function moderationService(
  // The SQLite connection until moderation moves onto the RoomDb (src/pod.ts passes it).
  deps: PodDeps & { db: Db },
  contextFor: () => Context<null>,
  events: EventDispatcher,
  rooms: ModerationRooms,
) {
  const { db, config, log } = deps;
  // Blocks are few and read on every delivery: kept in memory, reloaded whenever any process changed them
  // (SQL triggers bump the `moderation` version on every write to the block tables).
  const blocksVersion = roomsOf(deps).version("moderation");
  let loadedVersion: number | null = null;
  let domains: Set<string> | null = null;
  let accounts: Set<string> | null = null;
  // Answers of refuses() by IRI, for these very block lists: a delivery asks about its key, actor and object
  // several times (once more inside the commit). Cleared whenever the lists are reloaded; bounded.
  const answers = new Map<string, boolean>();
  const load = () => {
    loadedVersion = blocksVersion();
    domains = new Set(store.listBlockedDomains(db).map((row) => row.domain));
    accounts = new Set(store.listBlockedAccounts(db).map((row) => canonicalIri(row.actorIri)));
    answers.clear();
  };
  const fresh = () => {
    if (!accounts || loadedVersion === -1 || blocksVersion() !== loadedVersion) load();
  };
  const blockedHost = (host: string) => {
    fresh();
    return onBlockedDomain(host);
  };
  /** Against the lists as loaded (the caller made them fresh: one answer is never read from two versions). */
  const onBlockedDomain = (host: string) => {
    for (let at = 0; at !== -1; at = host.indexOf(".", at + 1)) {
      if (domains!.has(at === 0 ? host : host.slice(at + 1))) return true;
    }
    return false;
  };
  /** The lists' answer, the IRI parsed once (canonicalIri and hostOf read the same URL when no trailing dot). */
  const refusedByLists = (iri: string): boolean => {
    if (accounts!.size === 0 && domains!.size === 0) return false;
    const url = URL.parse(iri);
    if (url === null) return accounts!.has(iri);
    if (url.hostname.endsWith(".")) return accounts!.has(canonicalIri(iri)) || onBlockedDomain(hostOf(iri)!);
    return accounts!.has(url.href) || onBlockedDomain(url.hostname);
  };

  events.on(REPORT_SENT, async ({ report, recipient }: { report: store.Report; recipient: RecipientRow }) => {
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
    /** Whether deliveries from (and content by) this actor or key IRI are refused. */
    refuses(iri: string): boolean {
      fresh();
      let refused = answers.get(iri);
      if (refused === undefined) {
        refused = refusedByLists(iri);
        if (answers.size >= ANSWERS_KEPT) answers.clear();
        answers.set(iri, refused);
      }
      return refused;
    },

    /** Whether this very account is blocked (Mastodon's `blocking`). */
    blocksAccount(iri: string): boolean {
      fresh();
      return accounts!.has(canonicalIri(iri));
    },
    /** Whether the account's server is blocked (Mastodon's `domain_blocking`). */
    blocksDomainOf: (iri: string) => {
      const host = hostOf(iri);
      return host !== null && blockedHost(host);
    },

    domains: () => store.listBlockedDomains(db),
    accounts: () => store.listBlockedAccounts(db),

    /** Blocks a server: recorded, and everything the pod holds of it forgotten, in one transaction. */
    blockDomain(input: string, reason = ""): { domain: string; forgotten: number } {
      const domain = normalizeDomain(input);
      if (!domain) throw badRequest("not a domain name (example: social.example)", "domain");
      if (domain === config.url.hostname) throw badRequest("this is the pod's own domain", "domain");
      const matches = (iri: string) => onDomain(iri, domain);
      const forgotten = db.transaction(() => {
        store.addBlockedDomain(db, { domain, reason: reason.slice(0, MAX_COMMENT), createdAt: now() });
        return rooms.forgetDomainAccounts(domain) + rooms.forgetPods(matches) + rooms.endRelations(matches);
      });
      load();
      log.info({ domain, forgotten }, "domain blocked");
      return { domain, forgotten };
    },

    unblockDomain(input: string): boolean {
      const domain = normalizeDomain(input);
      const removed = domain !== null && store.removeBlockedDomain(db, domain);
      load();
      return removed;
    },

    /** Blocks one account by handle or IRI (resolved when a handle): refused, forgotten, follows ended. */
    async blockAccount(target: string, reason = "", handle = handleOf(target)): Promise<store.BlockedAccount> {
      const actorIri = await actorOf(target);
      if (new URL(actorIri).origin === config.url.origin) throw badRequest("this is the pod itself", "target");
      const row = { actorIri, handle, reason: reason.slice(0, MAX_COMMENT), createdAt: now() };
      db.transaction(() => {
        store.addBlockedAccount(db, row);
        rooms.forgetAccount(actorIri);
        rooms.forgetPods((iri) => iri === actorIri);
        rooms.endRelations((iri) => iri === actorIri);
      });
      load();
      log.info({ actor: actorIri }, "account blocked");
      return row;
    },

    unblockAccount(actorIri: string): boolean {
      const removed = store.removeBlockedAccount(db, actorIri);
      load();
      return removed;
    },

    /** A Flag received from another server: kept once for the coordinators. */
    receiveReport(report: { activityIri: string; actorIri: string; objects: string[]; comment: string }): boolean {
      // A flood of Flags from one server cannot bury the others' reports.
      if (store.countOpenReportsFrom(db, report.actorIri) >= OPEN_REPORTS_PER_ACTOR) return false;
      return store.addReport(db, {
        id: uuidv7(),
        direction: "received",
        activityIri: report.activityIri,
        actorIri: report.actorIri,
        objects: JSON.stringify(report.objects.slice(0, MAX_POSTS)),
        comment: report.comment.slice(0, MAX_COMMENT),
        createdAt: now(),
      });
    },

    /** Reports a remote account (and some of its posts) to its server: a Flag from the pod's actor. */
    async sendReport(target: string, comment: string, postIris: string[] = []): Promise<store.Report> {
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
      const report: store.Report = {
        id,
        direction: "sent",
        activityIri: new URL(`/reports/${id}`, config.url).href,
        actorIri: address.actorIri,
        objects: JSON.stringify([address.actorIri, ...posts]),
        comment: comment.slice(0, MAX_COMMENT),
        createdAt: now(),
        closedAt: null,
      };
      db.transaction((tx) => {
        store.addReport(db, report);
        events.record(tx, REPORT_SENT, { report, recipient: address }, address.actorIri);
      });
      await events.settle();
      return report;
    },

    reports: (direction: store.Report["direction"]) => store.listReports(db, direction),
    closeReport: (id: string) => store.closeReport(db, id, now()),
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
