import { eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { podSettings } from "./schema.ts";

export type StoredSettings = Omit<typeof podSettings.$inferSelect, "id">;
export type SettingsChange = Partial<Omit<StoredSettings, "updatedAt">>;

const ROW = 1;

/** The only code that reads or writes the pod's stored settings. */
export function settingsStore(db: Db) {
  return {
    read(): StoredSettings | undefined {
      const row = db.select().from(podSettings).where(eq(podSettings.id, ROW)).get();
      if (!row) return undefined;
      const { id: _id, ...stored } = row;
      return stored;
    },
    write(change: SettingsChange, at: string): void {
      db.insert(podSettings)
        .values({ id: ROW, ...change, updatedAt: at })
        .onConflictDoUpdate({ target: podSettings.id, set: { ...change, updatedAt: at } })
        .run();
    },
  };
}
