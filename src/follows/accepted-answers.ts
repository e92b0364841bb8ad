import type { Db } from "../db/client.ts";
import { preparedOnce } from "../db/prepared.ts";
import { versionReader } from "../db/versions.ts";

/** How many senders' answers are kept between changes of the follows (cleared when full). */
const ANSWERS_KEPT = 4_096;

/**
 * Whether the pod follows each sender (accepted), kept in memory: the inbox asks on every delivery, and a read
 * of SQLite cost about 4% of a pod's delivery. Dropped when this process changes the follows (the writers in
 * service.ts call forget) and when the `follows` counter moves (SQL triggers, migration 0037: another process
 * or the CLI; seen within OTHER_PROCESSES_SEEN_WITHIN_MS, as the block lists are).
 */
function acceptedAnswers(db: Db) {
  const state = db.$client.prepare<[string], { state: string }>("SELECT state FROM following WHERE actor_iri = ?");
  const version = versionReader(db.$client, "follows");
  const answers = new Map<string, boolean>();
  let seen = -1;
  return {
    followsAccepted(actorIri: string): boolean {
      const now = version();
      if (now !== seen) {
        answers.clear();
        seen = now;
      }
      let answer = answers.get(actorIri);
      if (answer !== undefined) return answer;
      const row = state.get(actorIri);
      answer = row?.state === "accepted";
      // Not kept: a database without the counter (-1), what a transaction has not committed yet, and a pending
      // follow (its Accept may reach another process of this pod first: the next delivery must see it at once).
      if (now !== -1 && !db.$client.inTransaction && row?.state !== "pending") {
        if (answers.size >= ANSWERS_KEPT) answers.clear();
        answers.set(actorIri, answer);
      }
      return answer;
    },
    forget(): void {
      answers.clear();
    },
  };
}

/** Whether the pod follows this actor and was accepted (the inbox asks on every delivery). */
export const followsAccepted = (db: Db, actorIri: string): boolean =>
  preparedOnce(db, acceptedAnswers).followsAccepted(actorIri);

/** This process changed the follows: no kept answer outlives it. */
export const forgetFollowAnswers = (db: Db): void => preparedOnce(db, acceptedAnswers).forget();
