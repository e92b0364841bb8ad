import { eq } from "drizzle-orm";
import type { RoomDb } from "../db/room-db.ts";
import { podSettings } from "./schema.ts";

export type StoredSettings = Omit<typeof podSettings.$inferSelect, "id">;
export type SettingsChange = Partial<Omit<StoredSettings, "updatedAt">>;

const ROW = 1;

/** The only code that reads or writes the pod's stored settings, on either database. */
export function settingsStore(rooms: RoomDb) {
  const t = rooms.table(podSettings);
  return {
    async read(): Promise<StoredSettings | undefined> {
      const [row] = await rooms.read((db) => db.select().from(t).where(eq(t.id, ROW)));
      if (!row) return undefined;
      const { id: _id, ...stored } = row;
      return stored;
    },
    async write(change: SettingsChange, at: string): Promise<void> {
      await rooms.write((db) =>
        db
          .insert(t)
          .values({ id: ROW, ...change, updatedAt: at })
          .onConflictDoUpdate({ target: t.id, set: { ...change, updatedAt: at } }),
      );
    },
  };
}
