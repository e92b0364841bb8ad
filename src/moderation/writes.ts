import type { RoomDb, RoomQueries } from "../db/room-db.ts";
import { canonicalIri, iriSpellings, onDomain } from "./domains.ts";
import { type BlockedAccount, type BlockedDomain, moderationStore, type Report } from "./store.ts";

/**
 * What a block asks of the other rooms, inside the block's own RoomDb write (`db`): each forgets what it holds of
 * the blocked server or account. Wired in src/pod.ts from the rooms' stores (`…Within` functions).
 */
export interface ModerationRooms {
  /** Social: remote accounts of the domain (and subdomains), with their posts, reactions and notifications. */
  forgetDomainAccountsWithin(db: RoomQueries, domain: string): Promise<number>;
  /** Social: one remote account's posts, reactions and notifications (its row stays), by each spelling of its IRI. */
  forgetAccountWithin(db: RoomQueries, actorIris: string[]): Promise<number>;
  /** Confederation: pods that match leave the view. */
  forgetPodsWithin(db: RoomQueries, matches: (podIri: string) => boolean): Promise<number>;
  /** Follows: every follow either way with actors that match ends. */
  endRelationsWithin(
    db: RoomQueries,
    matches: (actorIri: string) => boolean,
  ): Promise<{ followers: number; following: number }>;
}

/** Records, within the write, what must follow it (the event dispatcher's `recordWithin`). */
export type RecordEvent = (db: RoomQueries, kind: string, payload: unknown, orderingKey: string) => Promise<unknown>;

export const REPORT_SENT = "moderation.report-sent";
/** A flood of Flags from one server cannot bury the others' reports. */
export const OPEN_REPORTS_PER_ACTOR = 5;

export interface BlockOutcome {
  /** Whether the block is new (blocking twice keeps the first). */
  added: boolean;
  /** Accounts, view objects and follows forgotten. */
  forgotten: number;
  /** Which follows tables changed (their copy is told after the commit). */
  relations: { followers: number; following: number };
}

/**
 * Moderation's changes, each ONE RoomDb write on either database: a block with everything the other rooms forget
 * of it (a throw in any part leaves nothing, the block row included), a received report under its flood guard,
 * a sent report with the event that delivers its Flag. The service validates first and reloads its lists after;
 * the behaviour suite (test/support/moderation-contract.ts) runs these very writes on both databases.
 */
export function moderationWrites(rooms: RoomDb, forgetting: ModerationRooms, record: RecordEvent) {
  const store = moderationStore(rooms);

  return {
    store,

    /** Blocks a server (`row.domain`, normalized) and forgets its accounts, pods and follows, subdomains too. */
    blockDomain(row: BlockedDomain): Promise<BlockOutcome> {
      const matches = (iri: string) => onDomain(iri, row.domain);
      return rooms.write(async (db) => {
        const added = await store.addBlockedDomainWithin(db, row);
        const accounts = await forgetting.forgetDomainAccountsWithin(db, row.domain);
        const pods = await forgetting.forgetPodsWithin(db, matches);
        const relations = await forgetting.endRelationsWithin(db, matches);
        return { added, forgotten: accounts + pods + relations.followers + relations.following, relations };
      });
    },

    /** Blocks one account and forgets its posts, its pod in the view (if it is one) and its follows. */
    blockAccount(row: BlockedAccount): Promise<BlockOutcome> {
      const blocked = canonicalIri(row.actorIri);
      // The same account written with its host's trailing dot is the same account (as the block lists compare).
      const matches = (iri: string) => canonicalIri(iri) === blocked;
      return rooms.write(async (db) => {
        const added = await store.addBlockedAccountWithin(db, row);
        const posts = await forgetting.forgetAccountWithin(db, iriSpellings(row.actorIri));
        const pods = await forgetting.forgetPodsWithin(db, matches);
        const relations = await forgetting.endRelationsWithin(db, matches);
        return { added, forgotten: posts + pods + relations.followers + relations.following, relations };
      });
    },

    /**
     * A Flag received: kept once (a redelivery changes nothing), and only while its sender has fewer than
     * `OPEN_REPORTS_PER_ACTOR` open reports. Count and insert are one write that takes turns per sender across
     * processes (PostgreSQL's READ COMMITTED would let two at once both count four). Whether it was kept.
     */
    receiveReport(row: Report): Promise<boolean> {
      return rooms.write(
        async (db) => {
          if ((await store.countOpenReportsFromWithin(db, row.actorIri)) >= OPEN_REPORTS_PER_ACTOR) return false;
          return store.addReportWithin(db, row);
        },
        { oneAtATime: `moderation: reports ${row.actorIri}` },
      );
    },

    /** A report sent: stored with the event that delivers its Flag, in one write (both or neither). */
    sendReport(row: Report, recipient: unknown): Promise<void> {
      return rooms.write(async (db) => {
        await store.addReportWithin(db, row);
        await record(db, REPORT_SENT, { report: row, recipient }, row.actorIri);
      });
    },
  };
}
