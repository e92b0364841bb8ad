import { asc, eq } from "drizzle-orm";
import type { Config } from "../config/schema.ts";
import type { Db } from "../db/client.ts";
import { badRequest, conflict } from "../http/problem.ts";
import { customCategoryIri } from "../publishing/iris.ts";
import { customCategories } from "./schema.ts";
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

const customIri = (config: Config, slug: string) => customCategoryIri(config, slug).href;

export function listCategories(db: Db, config: Config): Category[] {
  const custom = db.select().from(customCategories).orderBy(asc(customCategories.slug)).all();
  return [
    ...SHARED.values(),
    ...custom.map((c) => ({ slug: c.slug, label: c.label, iri: customIri(config, c.slug), shared: false })),
  ];
}

export function findCategory(db: Db, config: Config, slug: string): Category | undefined {
  const shared = SHARED.get(slug);
  if (shared) return shared;
  const custom = db.select().from(customCategories).where(eq(customCategories.slug, slug)).get();
  return custom && { slug: custom.slug, label: custom.label, iri: customIri(config, custom.slug), shared: false };
}

/** The category for a slug, or a 400 naming the field that carried it. */
export function requireCategory(db: Db, config: Config, slug: string, field: string): Category {
  const category = findCategory(db, config, slug);
  if (!category) throw badRequest(`unknown category "${slug}" (see GET /categories)`, field);
  return category;
}

/** The slug of a category IRI, shared or this pod's own; undefined for other pods' categories. */
export function slugOfIri(config: Config, iri: string): string | undefined {
  if (iri.startsWith(SHARED_CATEGORY_BASE)) return iri.slice(SHARED_CATEGORY_BASE.length);
  const own = new URL("/categories/", config.url).href;
  return iri.startsWith(own) ? iri.slice(own.length) : undefined;
}

export function addCategory(
  db: Db,
  config: Config,
  input: { slug: string; label: string; description?: string },
  now: Date,
): Category {
  if (findCategory(db, config, input.slug)) throw conflict(`category "${input.slug}" already exists`);
  db.insert(customCategories)
    .values({
      slug: input.slug,
      label: input.label,
      description: input.description ?? "",
      createdAt: now.toISOString(),
    })
    .run();
  return findCategory(db, config, input.slug)!;
}

/** Renames one of the pod's own categories (its slug, and so its IRI, stays); shared ones cannot be renamed. */
export function renameCategory(db: Db, config: Config, slug: string, label: string): Category | undefined {
  const renamed = db.update(customCategories).set({ label }).where(eq(customCategories.slug, slug)).returning().get();
  return renamed && findCategory(db, config, slug);
}
