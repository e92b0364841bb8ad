import type { Context, KvStore } from "@fedify/fedify";
import { fastInbox } from "./confederation/fast-inbox.ts";
import { eitherFastPath } from "./federation/fastify-adapter.ts";
import { fastNoteInbox } from "./social/fast-inbox.ts";
import type { InboxFastPath } from "./federation/fastify-adapter.ts";
import { confederationService } from "./confederation/service.ts";
import { chartersService } from "./charters/service.ts";
import { ConfigError } from "./config/load.ts";
import type { Config } from "./config/schema.ts";
import type { PodServices } from "./services.ts";
import { categoriesOf } from "./categories/service.ts";
import { charterCopyOf } from "./charters/copy.ts";
import { EventDispatcher, type TransactionalQueue } from "./events/dispatcher.ts";
import type { PodDeps, PodFederation } from "./federation/deps.ts";
import { actorFacts, buildFederation } from "./federation/federation.ts";
import { keysCreatedAt, loadOrCreateKeyPairs } from "./federation/keys.ts";
import type { GeneratedKeyPairs } from "./federation/key-generation.ts";
import { announceProfileChanges } from "./federation/profile.ts";
import { followActions, type FollowHooks } from "./follows/federation.ts";
import { followsOf } from "./follows/room.ts";
import type { Logger } from "./log/logger.ts";
import { membersService } from "./members/service.ts";
import { moderationService } from "./moderation/service.ts";
import { memoryRoom } from "./memory/room.ts";
import { memberReach } from "./members/reach.ts";
import { careService } from "./care/service.ts";
import { assemblyBarter } from "./assemblies/barter.ts";
import { latestReports } from "./assemblies/reports.ts";
import { assembliesRoom } from "./assemblies/room.ts";
import { assemblyOutcomes } from "./assemblies/outcomes.ts";
import { practicesService } from "./practices/service.ts";
import { rebuildOwnView } from "./publishing/kinds.ts";
import { offersService } from "./offers/service.ts";
import { requestsService } from "./requests/service.ts";
import { rotationRoom } from "./rotation/room.ts";
import { directMessenger } from "./social/direct-message.ts";
import { socialService } from "./social/service.ts";
import { settingsService } from "./settings/service.ts";
import { reportInbox } from "./sovereignty/from-as.ts";
import { sovereigntyService } from "./sovereignty/service.ts";
import type { PodStorage } from "./roles/pod-storage.ts";
import { openStorage } from "./roles/storage.ts";

/** Everything a running pod is made of, before any HTTP: shared by the server and the CLI. */
export interface Pod extends PodServices {
  deps: PodDeps;
  /** Where everything is kept: the SQLite file (default) or PostgreSQL (DATABASE_URL). */
  storage: PodStorage;
  federation: PodFederation;
  queue: TransactionalQueue;
  kv: KvStore;
  /** Runs what follows committed changes (deliveries, projections); start() it where the pod serves. */
  events: EventDispatcher;
  /** When the pod was first started (its keys were made): the actor's `published`. */
  publishedAt: Date;
  contextFor(): Context<null>;
  /** The inbox's fast path for neighbor pods' offers and needs (see confederation/fast-inbox.ts). */
  inboxFastPath: InboxFastPath;
  close(): Promise<void>;
}

export interface OpenOptions {
  now?: () => Date;
  /** Make a new pod when the data directory has none (the server, `init`); the CLI's other commands refuse. */
  create?: boolean;
  /** Record POD_URL as the pod's address even if another was recorded (`move-url`). */
  moveUrl?: boolean;
  /** Key pairs generated ahead, used if the pod has none yet (src/roles/run.ts starts them before loading). */
  keyPairs?: Promise<GeneratedKeyPairs>;
  /** PostgreSQL only: connections this process may hold, and its name in pg_stat_activity. */
  poolSize?: number;
  applicationName?: string;
}

const RECORDED_URL = ["pod", "url"] as const;

/**
 * Checks the pod is where the settings say: a data directory with a pod in it (unless creating one), and the
 * address it was first started at. Changing a pod's address breaks every follower, so it happens only on purpose.
 */
export async function checkAddress(kv: KvStore, config: Config, moveUrl: boolean): Promise<void> {
  const recorded = await kv.get<string>(RECORDED_URL);
  if (recorded && recorded !== config.url.origin && !moveUrl) {
    throw new ConfigError(
      `Invalid setting POD_URL: this pod was set up at ${recorded}, not ${config.url.origin}; ` +
        "changing a pod's address " +
        `breaks every follower. Set POD_URL=${recorded} (without POD_URL it follows PORT: give the same PORT as the ` +
        `server), or move it on purpose with "npm run pod -- move-url".`,
    );
  }
  if (recorded !== config.url.origin) await kv.set(RECORDED_URL, config.url.origin);
}

/** Opens the pod's storage (migrating it), loads or creates keys, builds the federation. */
export async function openPod(config: Config, log: Logger, options: OpenOptions = {}): Promise<Pod> {
  const storage = await openStorage(config, {
    mustExist: options.create === false,
    poolSize: options.poolSize,
    applicationName: options.applicationName,
  });
  try {
    const { kv, queue, rooms } = storage;
    await checkAddress(kv, config, options.moveUrl === true);
    const deps: PodDeps = { config, rooms, log, now: options.now ?? (() => new Date()) };
    const keyPairs = await loadOrCreateKeyPairs(rooms, options.keyPairs);
    const publishedAt = await keysCreatedAt(rooms);
    const events = new EventDispatcher(deps, queue);
    // Services reach the federation only when they act, so they can be made before it.
    let federation: PodFederation | undefined;
    // One context serves every outside-a-request use: it only binds the federation to the pod's origin.
    let context: Context<null> | undefined;
    const contextFor = () => (context ??= federation!.createContext(config.url, null));
    const confederation = confederationService(deps, contextFor);
    const social = socialService(deps, contextFor, publishedAt, events);
    // When a follow of ours is answered or ends, both the confederal view and the home timeline fill or empty.
    const followHooks: FollowHooks = {
      accepted(actorIri) {
        confederation.hooks.accepted(actorIri);
        social.inbox
          .backfillPosts(contextFor(), actorIri)
          .catch((error: unknown) => log.warn({ err: error, actor: actorIri }, "reading the latest posts failed"));
        // Its reports published before the follow join the confederal sovereignty totals.
        services.sovereignty
          .backfill(actorIri, services.moderation.refuses)
          .catch((error: unknown) => log.warn({ err: error, actor: actorIri }, "reading earlier reports failed"));
      },
      async left(actorIri) {
        await confederation.hooks.left(actorIri);
        // An unfollowed pod's report figures leave the confederal totals with its other objects.
        services.sovereignty
          .forgetPod(actorIri)
          .catch((error: unknown) => log.warn({ err: error, actor: actorIri }, "forgetting a pod's reports failed"));
      },
    };
    const members = membersService(rooms, deps.now, deps.log);
    const profileChanged = () => announceProfileChanges(contextFor(), kv, config, actorFacts(publishedAt, services));
    const offers = offersService(deps, contextFor, events);
    // Private messages to members' verified accounts: rota reminders and decision review reminders.
    const reach = memberReach(rooms, members, directMessenger(deps, contextFor));
    const rotation = rotationRoom(deps, reach);
    const practices = practicesService(deps, contextFor, events);
    const charters = chartersService(deps, contextFor, events, profileChanged, rotation.publicRoles);
    const memory = memoryRoom(deps, contextFor, events, practices, reach);
    const care = careService(rooms, deps.now, () => config.timeZone);
    const assemblies = assembliesRoom(deps, contextFor, events);
    // An offer's or charter service's Note and page link its guides (the memory room keeps the links).
    offers.useGuides(memory.guidesOfOffer);
    charters.useGuides(memory.guidesOfService);
    const services: PodServices = {
      confederation,
      social,
      follows: followActions(deps, contextFor, followHooks, events),
      offers,
      // Neighbors' requests (no account): private to the coordinators, never federated.
      requests: requestsService(deps, offers, rooms),
      // A charter changes the actor's profile fields: followers get an Update of the actor.
      charters,
      practices,
      memory,
      sovereignty: sovereigntyService(deps, contextFor, events, charters, async (month, bounds) => {
        const inMonth = (iso: string) => iso >= bounds.start && iso < bounds.end;
        // Published ones only: the report is public, and members-only entries stay inside, even as a count.
        const recorded = async (kind: "decision" | "lesson") =>
          (await memory.list(kind))
            .filter((e) => e.visibility === "public" && e.status === "active")
            .filter((e) => inMonth(new Date(e.createdAt).toISOString())).length;
        return {
          rolesRotated: rotation.holderChangesIn(month),
          circlesHeld: (await care.circlesHeldPerMonth()).find((m) => m.month === month)?.count ?? 0,
          decisions: await recorded("decision"),
          lessons: await recorded("lesson"),
        };
      }),
      members,
      rotation,
      assemblies,
      assemblyOutcomes: assemblyOutcomes(deps, contextFor, events, assemblies, memory),
      // The agenda drafts itself from the pods' latest monthly reports (the sovereignty room's figures).
      assemblyBarter: assemblyBarter(deps, assemblies, offers, {
        reports: async (pods) => {
          const labels = new Map((await services.sovereignty.metricTypes()).map((type) => [type.iri, type.labels.en]));
          return latestReports(await services.sovereignty.storedFigures(), labels, pods);
        },
      }),
      // Lays the pod's saved choices (name, summary, pictures...) over the settings read from the environment.
      settings: settingsService(deps, { audit: members.audit, profileChanged }, rooms, rooms.version("settings")),
      moderation: moderationService(deps, contextFor, events, {
        // Inside moderation's block write: a domain's accounts, posts and reactions go; a blocked account's posts,
        // reactions and notifications go (its row stays, shown as blocked); the view's pods and the follows too.
        forgetDomainAccountsWithin: social.forgetDomainAccountsWithin,
        forgetAccountWithin: social.forgetAccountWithin,
        forgetPodsWithin: confederation.forgetPodsWithin,
        endRelationsWithin: followsOf(deps).store.removeRelationsWithin,
      }),
    };
    await services.settings.load();
    await categoriesOf(deps).load();
    await charterCopyOf(deps).load();
    await followsOf(deps).load();
    await services.moderation.load();
    await rotation.load();
    await memory.start();
    confederation.refuseWith(services.moderation.refuses);
    social.refuseWith(services.moderation.refuses);
    federation = buildFederation(
      deps,
      { kv, queue: events.queue, keyPairs, publishedAt, followHooks, events },
      services,
    );
    await rebuildOwnView(deps);
    await services.social.me();
    return {
      ...services,
      deps,
      storage,
      federation,
      queue,
      kv,
      events,
      publishedAt,
      contextFor,
      inboxFastPath: eitherFastPath(
        reportInbox(deps, services.moderation.refuses),
        fastInbox(deps, confederation.inbox),
        fastNoteInbox(deps, social.inbox, confederation.inbox, () => contextFor().clone(null)),
      ),
      close: () => storage.close(),
    };
  } catch (error) {
    await storage.close();
    throw error;
  }
}
