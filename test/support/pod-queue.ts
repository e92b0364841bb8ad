import Database from "better-sqlite3";
import { join } from "node:path";
import { waitUntil, type PodProcess } from "./pod-process.ts";

/**
 * How many messages in a pod process's delivery queue (its SQLite file, read-only) mention `needle`,
 * in flight or waiting, retries included.
 */
export function queuedMentioning(pod: PodProcess, needle: string): number {
  const db = new Database(join(pod.dataDir, "pod.sqlite"), { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare("SELECT COUNT(*) AS n FROM queue_messages WHERE instr(payload, ?) > 0").get(needle) as {
      n: number;
    };
    return row.n;
  } finally {
    db.close();
  }
}

/**
 * Waits until every delivery the pod queued that mentions `needle` has settled (a message leaves the
 * queue once delivered; a failed one comes back as a retry). For negative checks: whatever the pod was
 * going to send about it by now was sent, so its absence at the receiver means something.
 */
export async function deliveriesSettled(pod: PodProcess, needle: string, timeoutMs = 15_000): Promise<void> {
  await waitUntil(() => queuedMentioning(pod, needle) === 0, timeoutMs);
}
