import { eq } from "drizzle-orm";
import type { RoomDb } from "../db/room-db.ts";
import { customCategories } from "./schema.ts";

export type CustomCategory = typeof customCategories.$inferSelect;

/** The only code that reads or writes the pod's own categories, on either database. */
export function categoriesStore(rooms: RoomDb) {
  const t = rooms.table(customCategories);
  return {
    /** In no particular order: the copy sorts by slug in code (PostgreSQL's collation may not sort bytewise). */
    list(): Promise<CustomCategory[]> {
      return rooms.read((db) => db.select().from(t));
    },

    /** False when the slug is taken (by another process too: the primary key decides). */
    async insert(row: CustomCategory): Promise<boolean> {
      const added = await rooms.write((db) =>
        db.insert(t).values(row).onConflictDoNothing().returning({ slug: t.slug }),
      );
      return added.length > 0;
    },

    /** False when there is no such category. */
    async rename(slug: string, label: string): Promise<boolean> {
      const renamed = await rooms.write((db) =>
        db.update(t).set({ label }).where(eq(t.slug, slug)).returning({ slug: t.slug }),
      );
      return renamed.length > 0;
    },
  };
}
