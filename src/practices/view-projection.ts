import { eq } from "drizzle-orm";
import type { ViewRecord } from "../confederation/from-as.ts";
import { projectOwnObject, viewable } from "../confederation/view-projection.ts";
import { roomsOf } from "../db/room-db-sqlite.ts";
import type { PodDeps } from "../federation/deps.ts";
import { practiceIri } from "../publishing/iris.ts";
import type { Practice } from "./model.ts";
import { practices } from "./schema.ts";
import { practiceViewRecord } from "./to-view.ts";

type Deps = Pick<PodDeps, "db" | "config">;

/** Keeps this practice's view item current: there while published, gone once withdrawn. */
export async function projectPractice({ db, config }: Deps, row: Practice): Promise<void> {
  const record = row.status === "published" ? viewable(() => practiceViewRecord(config, row)) : null;
  await projectOwnObject(roomsOf({ db }), practiceIri(config, row).href, record);
}

/** Every published practice as view items (the projection rebuilt at start). */
export function ownPracticeRecords({ db, config }: Deps): ViewRecord[] {
  return db
    .select()
    .from(practices)
    .where(eq(practices.status, "published"))
    .all()
    .flatMap((row) => viewable(() => practiceViewRecord(config, row)) ?? []);
}
