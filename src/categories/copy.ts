import type { Config } from "../config/schema.ts";
import type { RoomDb } from "../db/room-db.ts";
import { versionedCopy } from "../db/versioned-copy.ts";
import { badRequest, conflict } from "../http/problem.ts";
import { customCategoryIri } from "../publishing/iris.ts";
import { categoriesStore } from "./store.ts";
import { SHARED_CATEGORIES, SHARED_CATEGORY_BASE } from "./taxonomy.ts";

export interface Category {
  slug: string;
  label: string;
  iri: string;
  shared: boolean;
}

const SHARED = new Map<string, Category>(
  SHARED_CATEGORIES.map((c) => [c.slug, { ...c, iri: `${SHARED_CATEGORY_BASE}${c.slug}`, shared: true }]),
);

export type CategoriesCopy = ReturnType<typeof categoriesCopy>;

/**
 * The pod's categories, read synchronously: other rooms look them up inside their synchronous code (offers' and
 * charters' services within their transactions, converters, the confederation's filters and view). The store is
 * asynchronous (SQLite or PostgreSQL), so this is a copy in memory, loaded by `load()` before the pod serves and
 * again when `savedVersion` (the change counter SQL triggers bump on custom_categories: src/db/versions.ts) says a
 * process changed them. A lookup that sees the counter moved starts the reload in the background; the request
 * hook (src/app.ts) awaits `refresh()` so a request sees another process's change once the counter shows it.
 */
export function categoriesCopy(
  config: Config,
  rooms: RoomDb,
  savedVersion: () => number,
  onError: (error: unknown) => void = () => {},
) {
  const store = categoriesStore(rooms);
  let own = new Map<string, Category>();
  const { load, refresh } = versionedCopy(
    savedVersion,
    () => store.list(),
    (rows) => {
      const sorted = rows.sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
      own = new Map(
        sorted.map((row) => [
          row.slug,
          { slug: row.slug, label: row.label, iri: customCategoryIri(config, row.slug).href, shared: false },
        ]),
      );
    },
  );

  /** The copy as it is now; a reload starts if another process changed the categories. */
  function current(): Map<string, Category> {
    refresh()?.catch(onError);
    return own;
  }

  function find(slug: string): Category | undefined {
    return SHARED.get(slug) ?? current().get(slug);
  }

  return {
    load,
    refresh,
    /** The shared taxonomy, then the pod's own categories by slug. */
    list(): Category[] {
      return [...SHARED.values(), ...current().values()];
    },
    find,
    /** The category for a slug, or a 400 naming the field that carried it. */
    require(slug: string, field: string): Category {
      const category = find(slug);
      if (!category) throw badRequest(`unknown category "${slug}" (see GET /categories)`, field);
      return category;
    },
    async add(input: { slug: string; label: string; description?: string }, now: Date): Promise<Category> {
      const taken = () => conflict(`category "${input.slug}" already exists`);
      if (SHARED.has(input.slug)) throw taken();
      const row = { ...input, description: input.description ?? "", createdAt: now.toISOString() };
      if (!(await store.insert(row))) throw taken();
      await load();
      return own.get(input.slug)!;
    },
    /** Renames one of the pod's own categories (its slug, and so its IRI, stays); shared ones cannot be renamed. */
    async rename(slug: string, label: string): Promise<Category | undefined> {
      if (SHARED.has(slug) || !(await store.rename(slug, label))) return undefined;
      await load();
      return own.get(slug);
    },
  };
}
