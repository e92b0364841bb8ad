import { charterKind } from "../charters/kind.ts";
import { replaceOwnObjects } from "../confederation/view-projection.ts";
import { roomsOf } from "../db/room-db.ts";
import { needKind, offerKind } from "../offers/kind.ts";
import { memoryKind } from "../memory/kind.ts";
import { practiceKind } from "../practices/kind.ts";
import { reportKind } from "../sovereignty/kind.ts";
import { KIND_NAMES, type ViewKind } from "./kind-names.ts";
import type { AsType, KindDeps, OwnViewService, PublishedKind, RoomHost, RoutesOf } from "./kind.ts";

/**
 * The registry of published kinds: one registration per kind (its descriptor lives in its room, kind.ts).
 * Adding a kind is one new room and one line here; the actor's `streams`, the view, the gone handler,
 * the app's routes and the federation's collections all read this list.
 */
export const PUBLISHED_KINDS = [offerKind, needKind, charterKind, practiceKind, memoryKind, reportKind] as const;

export type { ViewKind };

// The view's list of names (kind-names.ts) and the registrations must agree, in both directions.
const registered = PUBLISHED_KINDS.map((k) => k.name).join();
if (registered !== KIND_NAMES.join()) {
  throw new Error(`published kinds ${registered} differ from KIND_NAMES ${KIND_NAMES.join()}`);
}

const BY_NAME = new Map<string, PublishedKind<ViewKind>>(PUBLISHED_KINDS.map((k) => [k.name, k]));

export function publishedKind(name: ViewKind): PublishedKind<ViewKind> {
  return BY_NAME.get(name)!;
}

/** The collections the actor links from `streams`, in registration order. */
export const STREAMS: readonly string[] = PUBLISHED_KINDS.map((k) => k.collection);

/** The ActivityStreams types a Tombstone may name as its former type. */
export const FORMER_TYPES: ReadonlySet<AsType> = new Set(
  PUBLISHED_KINDS.filter((k) => k.tombstones).flatMap((k) => k.asTypes),
);

/** Rebuilds this pod's own objects in the view from the rooms' tables (at start), each room's in one write. */
export async function rebuildOwnView(deps: KindDeps): Promise<void> {
  for (const kind of PUBLISHED_KINDS) {
    const ownRecords = kind.view.ownRecords;
    if (!ownRecords) continue;
    const kinds = PUBLISHED_KINDS.filter((k) => k.room === kind.room).map((k) => k.name);
    await replaceOwnObjects(roomsOf(deps), kinds, (db) => ownRecords(deps, db));
  }
}

/** This pod's own services for the service map, from every kind that has some. */
export function ownViewServices(deps: KindDeps): OwnViewService[] {
  return PUBLISHED_KINDS.flatMap((k) => k.view.ownServices?.(deps) ?? []);
}

/** Each room's public or admin routes, once per room however many kinds it serves. */
export function roomRoutes(pod: RoomHost, side: "public" | "admin"): RoutesOf[] {
  const seen = new Set<string>();
  return PUBLISHED_KINDS.filter((k) => !seen.has(k.room) && seen.add(k.room)).map((k) =>
    side === "public" ? k.publicRoutes(pod) : k.adminRoutes(pod),
  );
}
