import type { DatabaseHandle } from "../../src/db/client.ts";
import type { Pod } from "../../src/pod.ts";

/** The pod's SQLite file, for a test that sets rows up or reads them by hand (never through the pod's deps). */
export function sqliteOf(pod: Pick<Pod, "storage">): DatabaseHandle {
  if (!pod.storage.sqlite) throw new Error("this test reads the pod's SQLite file: the pod is on PostgreSQL");
  return pod.storage.sqlite;
}
