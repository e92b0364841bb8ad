import type { Config } from "../config/schema.ts";
import { roomsOf, type RoomDb } from "../db/room-db.ts";
import type { Logger } from "../log/logger.ts";
import { categoriesCopy, type CategoriesCopy, type Category } from "./copy.ts";
import { SHARED_CATEGORY_BASE } from "./taxonomy.ts";

export type { Category } from "./copy.ts";

/** One copy per database (so per pod), whoever asks: the pod loads it before serving (src/pod.ts). */
const copies = new WeakMap<RoomDb, CategoriesCopy>();

/**
 * The pod's categories, read synchronously from memory: found by the pod's RoomDb, made on first use.
 */
export function categoriesOf(deps: { rooms: RoomDb; config: Config; log?: Logger }): CategoriesCopy {
  const rooms = roomsOf(deps);
  let copy = copies.get(rooms);
  if (!copy) {
    const onError = (error: unknown) => deps.log?.warn({ err: error }, "reading the categories failed");
    copy = categoriesCopy(deps.config, rooms, rooms.version("categories"), onError);
    copies.set(rooms, copy);
  }
  return copy;
}

export function listCategories(rooms: RoomDb, config: Config): Category[] {
  return categoriesOf({ rooms, config }).list();
}

export function findCategory(rooms: RoomDb, config: Config, slug: string): Category | undefined {
  return categoriesOf({ rooms, config }).find(slug);
}

/** The category for a slug, or a 400 naming the field that carried it. */
export function requireCategory(rooms: RoomDb, config: Config, slug: string, field: string): Category {
  return categoriesOf({ rooms, config }).require(slug, field);
}

/** The slug of a category IRI, shared or this pod's own; undefined for other pods' categories. */
export function slugOfIri(config: Config, iri: string): string | undefined {
  if (iri.startsWith(SHARED_CATEGORY_BASE)) return iri.slice(SHARED_CATEGORY_BASE.length);
  const own = new URL("/categories/", config.url).href;
  return iri.startsWith(own) ? iri.slice(own.length) : undefined;
}
