import type { FastifyPluginAsync } from "fastify";
import type { ViewRecord } from "../confederation/from-as.ts";
import type { PodDeps, PodFederation } from "../federation/deps.ts";
import type { PublishedStatus } from "../offers/status.ts";
import type { Context } from "@fedify/fedify";
import type { ChartersService } from "../charters/service.ts";
import type { OffersService } from "../offers/service.ts";
import type { MemoryService } from "../memory/service.ts";
import type { PracticesService } from "../practices/service.ts";
import type { SovereigntyService } from "../sovereignty/service.ts";
import type { Response } from "./response.ts";
import type { RoomQueries } from "../db/room-db.ts";

/**
 * What a published kind (offer, need, charter, practice; later reports, assemblies, logs) tells the rest
 * of the pod about itself: one descriptor per kind, registered in kinds.ts. Nothing else switches on kinds.
 */
export interface PublishedKind<Name extends string = string> {
  /** The kind's name: in the view (`kind`), its API filter and its view list. */
  name: Name;
  /** The room (folder) that owns its tables, rules, converters and pages. */
  room: string;
  /** Where its objects live: `${path}/{id}` is both the object's IRI and its page (publishing/iris.ts). */
  path: string;
  /** The collection linked from the actor's `streams`, from which a new follower backfills. */
  collection: string;
  /** ActivityStreams types: the structured object other pods read, and the companion Note people's servers read. */
  asTypes: readonly AsType[];
  /** A withdrawn object's id answers 410 with a Tombstone of its former type (gone.ts); false: never withdrawn. */
  tombstones: boolean;
  /** How Mastodon apps see it (the pod's Mastodon API shows the companion Note as a status). */
  mastodon: "companion-note";
  /** How the confederal view lists it. */
  view: {
    /** /view/<list> (JSON), and the feeds /view/<list>.atom|.json|.csv|.html when `feeds`. */
    list: string;
    feeds: boolean;
    /** Statuses derived from quantities and end date (offers/status.ts), or null for kinds without. */
    statuses: readonly PublishedStatus[] | null;
    /**
     * This pod's own objects as view items, read inside the rebuild's write (`db`: the projection the pod rebuilds
     * at start); null: none in the view.
     */
    ownRecords: ((deps: KindDeps, db: RoomQueries) => Promise<ViewRecord[]>) | null;
    /** This pod's own services for the service map (charters). */
    ownServices?: (deps: KindDeps) => OwnViewService[];
  };
  /** Its converters, one per shape and direction: the modules to-as (and to-view, its item in the view). */
  converters: { toAs: Converters; toView: Converters | null };
  /** Federation wiring: its collection dispatcher. */
  registerCollection(federation: PodFederation, deps: PodDeps, host: Pick<RoomHost, "charters">): void;
  /** Its pages and public routes, and its admin API routes (once per room, however many kinds share them). */
  publicRoutes(pod: RoomHost): RoutesOf;
  adminRoutes(pod: RoomHost): RoutesOf;
}

/** What the rooms' routes are given: the pod's dependencies and the rooms' services (a Pod is one). */
export interface RoomHost {
  deps: PodDeps;
  contextFor(): Context<null>;
  offers: OffersService;
  charters: ChartersService;
  practices: PracticesService;
  memory: MemoryService;
  sovereignty: SovereigntyService;
  confederation: { neighborPods(): Promise<{ actorIri: string; name: string; handle: string | null }[]> };
  social: { responsesTo(iri: string, publicOnly: boolean): Promise<Response[]> };
}

type Converters = Readonly<Record<string, unknown>>;
export type AsType = "Proposal" | "Article" | "Note";
export type KindDeps = Pick<PodDeps, "rooms" | "config">;
/** A Fastify plugin and its options, so the app registers it without knowing the room. */
// biome-ignore lint: the plugin's options type varies per room.
export type RoutesOf = { plugin: FastifyPluginAsync<any>; options: object };

/** A service of this pod's charter, as the service map shows it beside the neighbors'. */
export interface OwnViewService {
  iri: string;
  podIri: string;
  name: string;
  categoryIri: string | null;
  status: "active" | "paused" | "planned";
  target: string | null;
}
